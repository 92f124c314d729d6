import { tz } from '@date-fns/tz';
import { format } from 'date-fns';

// Weeks are ISO weeks in UTC (the API contract), whatever zone the process runs in.
const utc = { in: tz('UTC') };

const DAY_MS = 86_400_000;
/** Weeks by UTC day number. A day is always in the same week; a year of them is 365 entries. */
const weeksByDay = new Map<number, string>();
const WEEKS_KEPT = 20_000;

/**
 * ISO-8601 week of a date in UTC, as "2026-W48". Remembered per UTC day: an hour's tally
 * names the week of every entry in it, and date-fns' zone arithmetic behind `format` costs
 * tens of microseconds a call (a tenth of a busy server's time in a profile of the
 * reconnect storm, recomputing the rollups of a busy hour).
 */
export function isoWeekUtc(date: Date): string {
  const day = Math.floor(date.getTime() / DAY_MS);
  let week = weeksByDay.get(day);
  if (week === undefined) {
    week = format(date, "RRRR-'W'II", utc);
    if (weeksByDay.size >= WEEKS_KEPT) weeksByDay.clear();
    weeksByDay.set(day, week);
  }
  return week;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
