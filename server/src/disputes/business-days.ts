import { tz } from '@date-fns/tz';
import { addBusinessDays } from 'date-fns';

/**
 * `n` business days after `date`, at the same time of day, Monday to Friday in UTC: in the
 * process's local zone, a Friday evening in UTC can already be a Saturday.
 */
export function addBusinessDaysUtc(date: Date, n: number): Date {
  return new Date(addBusinessDays(date, n, { in: tz('UTC') }).getTime());
}

/** The UTC day of a time, as "2026-03-02": the key of day buckets and rollups. */
export const dayOfUtc = (at: Date | number) => new Date(at).toISOString().slice(0, 10);

/** The UTC hour of a time, as "2026-03-02T14": the key of hour buckets and rollups. */
export const hourOfUtc = (at: Date | number) => new Date(at).toISOString().slice(0, 13);
