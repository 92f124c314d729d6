import { dayOfUtc } from './business-days.js';
import type { DisputeDoc } from './model.js';

const DAY_MS = 86_400_000;
/** The most days read at once while walking back (the first step reads one, then 2, 4 …). */
const DAYS_PER_STEP = 7;

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
}): Promise<DisputeDoc[]> {
  const found: DisputeDoc[] = [];
  if (!Number.isFinite(opts.from) || !Number.isFinite(opts.until)) return found;
  const startOf = (t: number) => t - (((t % DAY_MS) + DAY_MS) % DAY_MS);
  const last = startOf(opts.until);
  let day = startOf(opts.from);
  let step = 1;
  while (found.length < opts.want && day >= last) {
    const days: string[] = [];
    for (let i = 0; i < step && day >= last; i++, day -= DAY_MS) days.push(dayOfUtc(day));
    for (const rows of await Promise.all(days.map(opts.bucket))) found.push(...rows);
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
