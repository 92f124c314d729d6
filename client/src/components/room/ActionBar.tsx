import { isTerminal, relationTo, type Dispute } from '@dispute-room/shared';
import { disputesApi } from '../../api/endpoints';
import { describeDeadline } from '../../lib/deadline';
import { formatMoney } from '../../lib/money';
import { roleLabel } from '../../lib/people';
import { selectNow, useClock } from '../../stores/clock';
import { useDisputes } from '../../stores/disputes';
import { useRoom } from '../../stores/room';
import { selectUser, selectZone, useSession } from '../../stores/session';
import { ConfirmAction } from '../ConfirmAction';
import { FeedbackPrompt } from './FeedbackPrompt';

function apply(dispute: Dispute): void {
  useDisputes.getState().upsert(dispute);
  useRoom.getState().setDispute(dispute);
}

const note = (text: string) => (text ? { note: text } : {});

/** What the viewer can do to the dispute in its current state, and what it is waiting for. */
export function ActionBar({ dispute }: { dispute: Dispute }) {
  const user = useSession(selectUser);
  const zone = useSession(selectZone);
  const now = useClock(selectNow);
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
    return isParty ? (
      <div className="action-bar">
        <FeedbackPrompt disputeId={dispute.id} userId={user.id} />
      </div>
    ) : null;
  }

  const canEscalate = state === 'mediation' && (isParty || relation === 'assigned_mediator');
  const canWithdraw = isClaimant && (state === 'open' || state === 'mediation');
  const respond = isRespondent && state === 'open';
  let notice: string | null = null;
  if (state === 'open' && isClaimant) {
    notice = `Waiting for the ${roleLabel(respondentRole).toLowerCase()} to respond (${describeDeadline(dispute, new Date(now), zone).label}). You can already talk and trade offers.`;
  } else if (state === 'mediation' && dispute.mediatorId === null && isParty) {
    notice = 'A mediator will join soon. You can keep talking and make offers meanwhile.';
  }
  if (!respond && !canEscalate && !canWithdraw && !notice) return null;

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
      {(canEscalate || canWithdraw) && (
        <div className="button-row secondary-actions">
          {canEscalate && (
            <ConfirmAction
              label="Escalate to arbitration"
              question="Escalate to arbitration? Mediation ends and the case goes to an arbitrator."
              confirmLabel="Escalate"
              tone="danger"
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
