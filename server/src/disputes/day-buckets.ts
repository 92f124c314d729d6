import { dayOfUtc } from './business-days.js';
import type { DisputeDoc } from './model.js';

const DAY_MS = 86_400_000;
/** Days read at once while walking back. */
const DAYS_PER_STEP = 7;

/**
 * Disputes newest first (by `by`, then _id, descending) from day buckets (an indexed
 * equality each), walking back from the day of `from` to the day of `until` a few days at a
 * time and stopping once `want` rows are found: a first page reads the latest days only,
 * whatever the size of the history. `bucket` must return only rows of that day.
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
  while (found.length < opts.want && day >= last) {
    const days: string[] = [];
    for (let i = 0; i < DAYS_PER_STEP && day >= last; i++, day -= DAY_MS) days.push(dayOfUtc(day));
    for (const rows of await Promise.all(days.map(opts.bucket))) found.push(...rows);
  }
  return found
    .sort((a, b) => b[opts.by].getTime() - a[opts.by].getTime() || (a._id < b._id ? 1 : -1))
    .slice(0, opts.want);
}
