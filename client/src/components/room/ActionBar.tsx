import { isTerminal, relationTo, type Dispute } from '@dispute-room/shared';
import { disputesApi } from '../../api/endpoints';
import { describeDeadline } from '../../lib/deadline';
import { formatMoney } from '../../lib/money';
import { roleLabel } from '../../lib/people';
import { dateTimeLabel } from '../../lib/time';
import { selectNow, useClock } from '../../stores/clock';
import { useDisputes } from '../../stores/disputes';
import { useProposals } from '../../stores/proposals';
import { useRoom } from '../../stores/room';
import { selectUser, selectZone, useSession } from '../../stores/session';
import { ConfirmAction } from '../ConfirmAction';
import { ClosedActions } from './ClosedActions';

function apply(dispute: Dispute): void {
  useDisputes.getState().upsert(dispute);
  useRoom.getState().setDispute(dispute);
}

const note = (text: string) => (text ? { note: text } : {});

/**
 * What the viewer can do to the dispute in its current state, and what it is waiting for.
 * The expected next step (answer the claim, answer or make an offer) is the primary action;
 * leaving mediation (escalate, withdraw) is there but quiet.
 */
export function ActionBar({
  dispute,
  onOffers,
}: {
  dispute: Dispute;
  /** Opens the Offers panel. */
  onOffers: () => void;
}) {
  const user = useSession(selectUser);
  const zone = useSession(selectZone);
  const now = useClock(selectNow);
  const awaiting = useProposals((s) =>
    s.items.find((p) => p.status === 'pending' && !!user && !p.acceptedBy.includes(user.id)),
  );
  if (!user) return null;
  const relation = relationTo(user, dispute);
  const isParty = relation === 'client' || relation === 'freelancer';
  const isClaimant = user.id === dispute.claimantId;
  const isRespondent = user.id === dispute.respondentId;
  const claimantRole = dispute.claimantId === dispute.clientId ? 'client' : 'freelancer';
  const respondentRole = claimantRole === 'client' ? 'freelancer' : 'client';
  const { state } = dispute;
  const claim = formatMoney(dispute.claimCents, dispute.currency);
  const escrow = formatMoney(dispute.escrowCents, dispute.currency);

  if (isTerminal(state)) {
    return <ClosedActions dispute={dispute} isParty={isParty} userId={user.id} />;
  }

  const canEscalate = state === 'mediation' && (isParty || relation === 'assigned_mediator');
  const canWithdraw = isClaimant && (state === 'open' || state === 'mediation');
  const respond = isRespondent && state === 'open';
  const offerAction =
    isParty && state === 'mediation'
      ? awaiting
        ? 'Answer the offer'
        : 'Make an offer'
      : relation === 'assigned_mediator' && state === 'mediation'
        ? 'Recommend a split'
        : null;
  let notice: string | null = null;
  if (state === 'open' && isClaimant) {
    notice = `Waiting for the ${roleLabel(respondentRole).toLowerCase()} to respond (${describeDeadline(dispute, new Date(now), zone).label}). You can already talk and trade offers.`;
  } else if (state === 'mediation' && dispute.mediatorId === null && isParty) {
    notice = 'A mediator will join soon. You can keep talking and make offers meanwhile.';
  }
  if (!respond && !canEscalate && !canWithdraw && !notice && !offerAction) return null;

  return (
    <div className={`action-bar${respond ? ' callout' : ''}`} data-testid="action-bar">
      {respond && (
        <div className="respond">
          <p className="respond-text">
            <strong>
              The {roleLabel(claimantRole).toLowerCase()} claims {claim}
            </strong>{' '}
            of the {escrow} in escrow. Accept to settle now, or reject to bring in a mediator.
          </p>
          <p className="respond-deadline" data-testid="respond-deadline">
            You must respond by {dateTimeLabel(dispute.respondBy, zone)}; otherwise the dispute is
            resolved in the {roleLabel(claimantRole).toLowerCase()}&rsquo;s favour.
          </p>
          <div className="button-row">
            <ConfirmAction
              label="Accept claim"
              question={`Accept the claim? ${claim} goes to the ${roleLabel(claimantRole).toLowerCase()} and the dispute is resolved.`}
              confirmLabel="Accept claim"
              tone="primary"
              withNote
              testId="respond-accept"
              onConfirm={async (text) =>
                apply(
                  (await disputesApi.respond(dispute.id, { accept: true, ...note(text) })).dispute,
                )
              }
            />
            <ConfirmAction
              label="Reject and go to mediation"
              question="Reject the claim? A mediator will join to help you both settle."
              confirmLabel="Reject claim"
              withNote
              testId="respond-reject"
              onConfirm={async (text) =>
                apply(
                  (await disputesApi.respond(dispute.id, { accept: false, ...note(text) })).dispute,
                )
              }
            />
          </div>
        </div>
      )}
      {notice && <p className="action-notice">{notice}</p>}
      {offerAction && (
        <button
          type="button"
          className="btn btn-primary"
          data-testid="offer-action"
          onClick={onOffers}
        >
          {offerAction}
        </button>
      )}
      {(canEscalate || canWithdraw) && (
        <div className="button-row secondary-actions">
          {canEscalate && (
            <ConfirmAction
              label="Escalate to arbitration"
              question="Escalate to arbitration? Mediation ends and the case goes to an arbitrator."
              confirmLabel="Escalate"
              tone="danger"
              secondary
              withNote
              testId="escalate"
              onConfirm={async (text) =>
                apply((await disputesApi.escalate(dispute.id, note(text))).dispute)
              }
            />
          )}
          {canWithdraw && (
            <ConfirmAction
              label="Withdraw dispute"
              question="Withdraw this dispute? It closes for good."
              confirmLabel="Withdraw"
              tone="danger"
              secondary
              withNote
              testId="withdraw"
              onConfirm={async (text) =>
                apply((await disputesApi.withdraw(dispute.id, note(text))).dispute)
              }
            />
          )}
        </div>
      )}
    </div>
  );
}
