import { outcomeTitles, type Outcome } from '@dispute-room/shared';
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
      ? `Client receives ${formatMoney(outcome.clientCents, currency, locale)} · Freelancer receives ${formatMoney(outcome.freelancerCents, currency, locale)}`
      : null;
  return { title: outcomeTitles[outcome.kind], split };
}
