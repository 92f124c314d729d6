import { outcomeTitle, type Outcome } from '@dispute-room/shared';
import { t } from '../i18n';
import { formatMoney } from './money';

export interface OutcomeSummary {
  title: string;
  /** The split of the escrow, when the outcome has one. */
  split: string | null;
}

/** How a dispute ended, in words, with the split of the escrow if there is one. */
export function describeOutcome(
  outcome: Outcome,
  currency: string,
  locale?: string,
): OutcomeSummary {
  const split =
    outcome.clientCents !== null && outcome.freelancerCents !== null
      ? t('outcome.split', {
          client: formatMoney(outcome.clientCents, currency, locale),
          freelancer: formatMoney(outcome.freelancerCents, currency, locale),
        })
      : null;
  return { title: outcomeTitle(outcome.kind, t), split };
}
