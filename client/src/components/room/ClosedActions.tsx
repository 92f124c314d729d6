import type { Dispute } from '@dispute-room/shared';
import { Trans } from 'react-i18next';
import { FeedbackPrompt } from './FeedbackPrompt';

/**
 * After a dispute ends: what happens next when it went to arbitration, and a rating of how
 * it was handled when someone handled it (a mediator); a dispute withdrawn or settled before
 * any mediator joined has nobody to rate.
 */
export function ClosedActions({
  dispute,
  isParty,
  userId,
}: {
  dispute: Dispute;
  isParty: boolean;
  userId: string;
}) {
  const arbitration = dispute.state === 'arbitration';
  const rate = isParty && dispute.mediatorId !== null;
  if (!arbitration && !rate) return null;
  return (
    <div className="action-bar" data-testid="action-bar">
      {arbitration && (
        <p className="action-notice next-step" data-testid="arbitration-next">
          <Trans i18nKey="room.arbitrationNext" components={{ strong: <strong /> }} />
        </p>
      )}
      {rate && <FeedbackPrompt disputeId={dispute.id} userId={userId} />}
    </div>
  );
}
