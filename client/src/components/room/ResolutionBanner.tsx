import { howDecided, type Dispute } from '@dispute-room/shared';
import { useTranslation } from 'react-i18next';
import { t as translate } from '../../i18n';
import { describeOutcome } from '../../lib/outcome';
import { dateTimeLabel } from '../../lib/time';
import { selectZone, useSession } from '../../stores/session';
import { useProposalNumber } from './ProposalDecision';
import { useNameOf } from './useNames';

const NAME = '\uE000';

/** How the dispute ended: kind, split, how it was decided and when. */
export function ResolutionBanner({ dispute }: { dispute: Dispute }) {
  const zone = useSession(selectZone);
  const nameOf = useNameOf();
  const { t } = useTranslation();
  const outcome = dispute.outcome;
  const proposalNumber = useProposalNumber(outcome?.proposalId ?? null);
  if (!outcome) return null;
  const summary = describeOutcome(outcome, dispute.currency);
  // A name inside the sentence stays isolated (<bdi>) like every name shown to others.
  const [before, after] = howDecided(outcome, {
    nameOf: () => NAME,
    proposalNumber,
    t: translate,
  }).split(NAME);
  const how =
    after === undefined ? (
      before
    ) : (
      <>
        {before}
        <bdi>{nameOf(outcome.decidedBy)}</bdi>
        {after}
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
      <p className="resolution-meta" data-testid="resolution-how">
        {how}
        {t('room.decidedOn', { when: dateTimeLabel(outcome.decidedAt, zone) })}
      </p>
      {outcome.note && (
        <p className="resolution-note">
          “<bdi>{outcome.note}</bdi>”
        </p>
      )}
      {dispute.settlement && (
        // The payout the marketplace makes of this split, as it reported it.
        <p
          className={`resolution-payout payout-${dispute.settlement.status}`}
          data-testid="payout-status"
        >
          {t(`settlement.${dispute.settlement.status}`)}
        </p>
      )}
    </div>
  );
}
