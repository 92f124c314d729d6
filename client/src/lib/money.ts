import { formatMoney as formatMoneyIn } from '@dispute-room/shared';
import { formattingLocale } from '../i18n';

/** One formatting of money for server and client, here in the reader's language. */
export function formatMoney(cents: number, currency: string, locale?: string): string {
  return formatMoneyIn(cents, currency, locale ?? formattingLocale());
}

/**
 * Parses what a person typed as an amount ("1,234.5", "12") into integer cents;
 * null for anything that is not a plain non-negative amount with at most two decimals.
 */
export function parseMoney(input: string): number | null {
  const cleaned = input.trim().replace(/[\s,]/g, '');
  if (!/^\d+(\.\d{0,2})?$/.test(cleaned)) return null;
  const [whole = '0', fraction = ''] = cleaned.split('.');
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? cents : null;
}

/** Cents as the plain text of an amount input: 1250 → "12.50". */
export function centsToInput(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** A split of the escrow is valid when both shares are whole, non-negative and add up. */
export function isValidSplit(clientCents: number, freelancerCents: number, escrowCents: number) {
  return (
    Number.isInteger(clientCents) &&
    Number.isInteger(freelancerCents) &&
    clientCents >= 0 &&
    freelancerCents >= 0 &&
    clientCents + freelancerCents === escrowCents
  );
}
