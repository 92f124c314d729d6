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
  const read = async (units: string[], of: (unit: string) => Promise<DisputeDoc[]>) => {
    for (const rows of await Promise.all(units.map(of))) found.push(...rows);
  };
  const last = floor(opts.until, DAY_MS);
  let day = floor(opts.from, DAY_MS);
  if (opts.hourly) {
    const lowest = Math.max(day, floor(opts.until, HOUR_MS));
    let hour = floor(opts.from, HOUR_MS);
    let step = 1;
    while (found.length < opts.want && hour >= lowest) {
      const hours: string[] = [];
      for (let i = 0; i < step && hour >= lowest; i++, hour -= HOUR_MS) hours.push(hourOfUtc(hour));
      await read(hours, opts.hourly);
      step = Math.min(step * 2, HOURS_PER_STEP);
    }
    day -= DAY_MS;
  }
  let step = 1;
  while (found.length < opts.want && day >= last) {
    const days: string[] = [];
    for (let i = 0; i < step && day >= last; i++, day -= DAY_MS) days.push(dayOfUtc(day));
    await read(days, opts.bucket);
    step = Math.min(step * 2, DAYS_PER_STEP);
  }
  return found
    .sort((a, b) => b[opts.by].getTime() - a[opts.by].getTime() || (a._id < b._id ? 1 : -1))
    .slice(0, opts.want);
}

/** The month ("2026-02") before a month ("2026-03"), in the calendar. */
export function previousMonth(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${year - 1}-12` : `${year}-${String(m - 1).padStart(2, '0')}`;
}
