import { tz } from '@date-fns/tz';
import { format } from 'date-fns';

// Weeks are ISO weeks in UTC (the API contract), whatever zone the process runs in.
const utc = { in: tz('UTC') };

/** ISO-8601 week of a date in UTC, as "2026-W48". */
export function isoWeekUtc(date: Date): string {
  return format(date, "RRRR-'W'II", utc);
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
