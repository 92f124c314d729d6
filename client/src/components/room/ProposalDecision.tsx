import { relationTo, type Dispute, type Proposal } from '@dispute-room/shared';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/http';
import { formatMoney } from '../../lib/money';
import { useDisputes } from '../../stores/disputes';
import { useProposals } from '../../stores/proposals';
import { useRoom } from '../../stores/room';
import { selectUser, useSession } from '../../stores/session';
import { ConfirmAction } from '../ConfirmAction';

/** The viewer may accept or reject this proposal: a party it still waits on. */
export function useCanDecide(proposal: Proposal | undefined, dispute: Dispute | null): boolean {
  const user = useSession(selectUser);
  if (!proposal || !dispute || !user || proposal.status !== 'pending') return false;
  const relation = relationTo(user, dispute);
  return (
    (relation === 'client' || relation === 'freelancer') && !proposal.acceptedBy.includes(user.id)
  );
}

/** Proposal #n: its place in the order proposals were made, as the thread and export say. */
export function useProposalNumber(proposalId: string | null): number | null {
  return useProposals((s) => {
    if (!proposalId) return null;
    const oldestFirst = [...s.items].sort(
      (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt),
    );
    const index = oldestFirst.findIndex((p) => p.id === proposalId);
    return index < 0 ? null : index + 1;
  });
}

/**
 * Accept (confirmed, restating the split: money terms are final once both accept) or
 * reject a proposal; shown in the Offers panel and on the proposal in the thread alike.
 */
export function ProposalDecision({ proposal, dispute }: { proposal: Proposal; dispute: Dispute }) {
  const decide = useProposals((s) => s.decide);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { t } = useTranslation();
  const apply = (updated: Dispute) => {
    useDisputes.getState().upsert(updated);
    useRoom.getState().setDispute(updated);
  };
  const othersAccepted = proposal.acceptedBy.length > 0;
  const client = formatMoney(proposal.clientCents, dispute.currency);
  const freelancer = formatMoney(proposal.freelancerCents, dispute.currency);

  const reject = async () => {
    setBusy(true);
    setError(null);
    try {
      apply(await decide(dispute.id, proposal.id, false));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="proposal-decision">
      <div className="button-row">
        <ConfirmAction
          label={t('offers.accept')}
          question={`${t('offers.acceptQuestion', { client, freelancer })} ${t(
            othersAccepted ? 'offers.acceptLast' : 'offers.acceptFirst',
          )}`}
          confirmLabel={t('offers.acceptConfirm', { client, freelancer })}
          tone="primary"
          small
          testId="proposal-accept"
          onConfirm={async () => apply(await decide(dispute.id, proposal.id, true))}
        />
        <button
          type="button"
          className="btn btn-ghost btn-small"
          disabled={busy}
          data-testid="proposal-reject"
          onClick={() => void reject()}
        >
          {t('offers.reject')}
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
