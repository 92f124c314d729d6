import type { Dispute } from '@dispute-room/shared';
import { describeOutcome } from '../../lib/outcome';
import { dateTimeLabel } from '../../lib/time';
import { selectZone, useSession } from '../../stores/session';
import { useNameOf } from './useNames';

/** How the dispute ended: kind, split, who decided and when. */
export function ResolutionBanner({ dispute }: { dispute: Dispute }) {
  const zone = useSession(selectZone);
  const nameOf = useNameOf();
  const outcome = dispute.outcome;
  if (!outcome) return null;
  const summary = describeOutcome(outcome, dispute.currency);
  const by =
    outcome.decidedBy === 'system' ? (
      'automatically'
    ) : (
      <>
        by <bdi>{nameOf(outcome.decidedBy)}</bdi>
      </>
    );
  return (
    <div
      className={`resolution-banner outcome-${outcome.kind}`}
      data-testid="resolved-banner"
      data-outcome={outcome.kind}
      role="status"
    >
      <p className="resolution-title">{summary.title}</p>
      {summary.split && <p className="resolution-split">{summary.split}</p>}
      <p className="resolution-meta">
        Decided {by} on {dateTimeLabel(outcome.decidedAt, zone)}
      </p>
      {outcome.note && (
        <p className="resolution-note">
          “<bdi>{outcome.note}</bdi>”
        </p>
      )}
    </div>
  );
}
