import { dayOfUtc, hourOfUtc } from './business-days.js';
import type { DisputeDoc } from './model.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The most days read at once while walking back (the first step reads one, then 2, 4 …). */
const DAYS_PER_STEP = 7;
/** The same for the hours of the newest day. */
const HOURS_PER_STEP = 8;

/**
 * Disputes newest first (by `by`, then _id, descending) from day buckets (an indexed
 * equality each), walking back from the day of `from` to the day of `until` and stopping
 * once `want` rows are found: a first page reads the latest days only, whatever the size of
 * the history. Steps start at one day and double (to a week): at the team's volume one day
 * holds a page, and a week read at once was seven times the reading (~1 s a page at 100k).
 * `bucket` must return only rows of that day.
 */
export async function newestFirst(opts: {
  by: 'sortAt' | 'createdAt';
  /** Times (ms) within the first and the last day to read; NaN when there are none. */
  from: number;
  until: number;
  want: number;
  bucket: (day: string) => Promise<DisputeDoc[]>;
  /**
   * When given, the first day is read hour by hour, from the hour of `from` back (steps of
   * 1, 2, 4, 8 hours), then the older days by `bucket`: a busy day's bucket holds a thousand
   * disputes of one state where a page is 25, and a later page starts at its cursor's hour.
   * It must return only rows of that hour.
   */
  hourly?: (hour: string) => Promise<DisputeDoc[]>;
}): Promise<DisputeDoc[]> {
  const found: DisputeDoc[] = [];
  if (!Number.isFinite(opts.from) || !Number.isFinite(opts.until)) return found;
  const floor = (t: number, unit: number) => t - (((t % unit) + unit) % unit);
  /** Units of `ms` from the one starting at `start` back to `lowest`, steps doubling to `most`. */
  const walk = async (
    start: number,
    lowest: number,
    unit: { ms: number; most: number; key: (t: number) => string },
    of: (key: string) => Promise<DisputeDoc[]>,
  ) => {
    let at = start;
    let step = 1;
    while (found.length < opts.want && at >= lowest) {
      const keys: string[] = [];
      for (let i = 0; i < step && at >= lowest; i++, at -= unit.ms) keys.push(unit.key(at));
      for (const rows of await Promise.all(keys.map(of))) found.push(...rows);
      step = Math.min(step * 2, unit.most);
    }
  };
  const day = floor(opts.from, DAY_MS);
  const hours = { ms: HOUR_MS, most: HOURS_PER_STEP, key: hourOfUtc };
  const days = { ms: DAY_MS, most: DAYS_PER_STEP, key: dayOfUtc };
  if (opts.hourly)
    await walk(
      floor(opts.from, HOUR_MS),
      Math.max(day, floor(opts.until, HOUR_MS)),
      hours,
      opts.hourly,
    );
  await walk(opts.hourly ? day - DAY_MS : day, floor(opts.until, DAY_MS), days, opts.bucket);
  return found
    .sort((a, b) => b[opts.by].getTime() - a[opts.by].getTime() || (a._id < b._id ? 1 : -1))
    .slice(0, opts.want);
}

/** The month ("2026-02") before a month ("2026-03"), in the calendar. */
export function previousMonth(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${year - 1}-12` : `${year}-${String(m - 1).padStart(2, '0')}`;
}
