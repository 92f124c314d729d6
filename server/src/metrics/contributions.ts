import type { OutcomeKind } from '@dispute-room/shared';
import { dayOfUtc as dayOf, hourOfUtc as hourOf } from '../disputes/business-days.js';
import type { DisputeDoc } from '../disputes/model.js';

/** The UTC day and hour of a time: the keys of the rollups' tallies and entries. */
export { dayOf, hourOf };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Durations are kept in the rollups to a resolution that shrinks as they grow: the minute
 * under 2 h, 5 minutes under a day, the hour under 30 days, the day beyond. A median over a
 * year then reads a few hundred histogram bins instead of every value, and is exact to that
 * resolution (a dashboard figure, not an invoice).
 */
export function binDuration(ms: number): number {
  const v = Math.max(0, Math.round(ms));
  const step = v < 2 * HOUR ? MINUTE : v < DAY ? 5 * MINUTE : v < 30 * DAY ? HOUR : DAY;
  return Math.floor(v / step) * step;
}

/** What one dispute adds to the rollup of one hour (every field optional: only what fell in it). */
export interface HourEntry {
  /** Filed in this hour: when (ms). */
  opened?: number;
  /** Closed in this hour. */
  closed?: {
    at: number;
    kind: OutcomeKind | null;
    resolved: boolean;
    /** Resolved without a mediator ever assigned. */
    self: boolean;
    /** Filing to closing (binned), when resolved. */
    ttr: number | null;
  };
  /** Mediation started in this hour, and the assigned mediator's first reply after it (binned). */
  mediation?: { at: number; reply: number | null };
  /** Deadlines that fired in this hour (a breach each), by time. */
  breaches?: number[];
  /** Feedback given in this hour. */
  feedback?: { at: number; rating: number }[];
}

/** What a dispute's contribution is computed from: all read by `_id`. */
export interface ContributionSource {
  dispute: DisputeDoc;
  /** Times of its `deadline` events. */
  deadlinesAt: Date[];
  firstReplyAt: Date | null;
  feedback: { createdAt: Date; rating: number }[];
}

/**
 * A dispute's whole contribution to the rollups, by hour: a pure function of what is stored,
 * so recomputing it after any event (or twice, or from `pnpm reindex`) gives the same entries.
 */
export function contributionsOf(src: ContributionSource): Map<string, HourEntry> {
  const { dispute: d } = src;
  const hours = new Map<string, HourEntry>();
  const entry = (at: Date | number) => {
    const key = hourOf(at);
    const e = hours.get(key) ?? {};
    hours.set(key, e);
    return e;
  };
  entry(d.createdAt).opened = d.createdAt.getTime();
  if (d.closedAt) {
    const resolved = d.state === 'resolved';
    entry(d.closedAt).closed = {
      at: d.closedAt.getTime(),
      kind: d.outcome?.kind ?? null,
      resolved,
      self: resolved && !d.everAssigned,
      ttr: resolved ? binDuration(d.closedAt.getTime() - d.createdAt.getTime()) : null,
    };
  }
  if (d.mediationStartedAt) {
    const started = d.mediationStartedAt.getTime();
    const reply = src.firstReplyAt ? binDuration(src.firstReplyAt.getTime() - started) : null;
    entry(started).mediation = { at: started, reply };
  }
  for (const at of src.deadlinesAt) (entry(at).breaches ??= []).push(at.getTime());
  for (const f of src.feedback)
    (entry(f.createdAt).feedback ??= []).push({ at: f.createdAt.getTime(), rating: f.rating });
  return hours;
}

/** A histogram of binned durations: bin (ms) → count. */
export type Histogram = Record<string, number>;

/** The figures of a set of entries, all sums: hours add up to days, days to any longer range. */
export interface Tally {
  opened: number;
  resolved: number;
  selfResolved: number;
  byOutcome: Partial<Record<OutcomeKind, number>>;
  breaches: number;
  csatSum: number;
  csatCount: number;
  ttr: Histogram;
  reply: Histogram;
  /** Per ISO week (UTC): filed and resolved. */
  weekly: Record<string, { opened: number; resolved: number }>;
}

export const emptyTally = (): Tally => ({
  opened: 0,
  resolved: 0,
  selfResolved: 0,
  byOutcome: {},
  breaches: 0,
  csatSum: 0,
  csatCount: 0,
  ttr: {},
  reply: {},
  weekly: {},
});

const bump = (h: Record<string, number>, key: string, by = 1) => {
  h[key] = (h[key] ?? 0) + by;
};

/**
 * Adds one dispute's entry of an hour to a tally, counting only what happened in [from, to)
 * (a whole hour passes no bounds). `weekOf` names the ISO week of a time.
 */
export function addEntry(
  t: Tally,
  e: HourEntry,
  weekOf: (at: number) => string,
  from = -Infinity,
  to = Infinity,
): void {
  const within = (at: number) => at >= from && at < to;
  const week = (at: number) => (t.weekly[weekOf(at)] ??= { opened: 0, resolved: 0 });
  if (e.opened !== undefined && within(e.opened)) {
    t.opened += 1;
    week(e.opened).opened += 1;
  }
  if (e.closed && within(e.closed.at)) {
    if (e.closed.kind) bump(t.byOutcome, e.closed.kind);
    if (e.closed.resolved) {
      t.resolved += 1;
      week(e.closed.at).resolved += 1;
      if (e.closed.self) t.selfResolved += 1;
      if (e.closed.ttr !== null) bump(t.ttr, String(e.closed.ttr));
    }
  }
  if (e.mediation && within(e.mediation.at) && e.mediation.reply !== null)
    bump(t.reply, String(e.mediation.reply));
  for (const at of e.breaches ?? []) if (within(at)) t.breaches += 1;
  for (const f of e.feedback ?? []) {
    if (!within(f.at)) continue;
    t.csatSum += f.rating;
    t.csatCount += 1;
  }
}

/** Adds a tally into another (an hour's or a day's stored tally into a range's). */
export function addTally(into: Tally, t: Tally): void {
  into.opened += t.opened;
  into.resolved += t.resolved;
  into.selfResolved += t.selfResolved;
  into.breaches += t.breaches;
  into.csatSum += t.csatSum;
  into.csatCount += t.csatCount;
  for (const [k, n] of Object.entries(t.byOutcome)) bump(into.byOutcome, k, n);
  for (const [k, n] of Object.entries(t.ttr)) bump(into.ttr, k, n);
  for (const [k, n] of Object.entries(t.reply)) bump(into.reply, k, n);
  for (const [week, p] of Object.entries(t.weekly)) {
    const w = (into.weekly[week] ??= { opened: 0, resolved: 0 });
    w.opened += p.opened;
    w.resolved += p.resolved;
  }
}

/** The median of the values a histogram holds (the mean of the middle two for an even count). */
export function histogramMedian(h: Histogram): number | null {
  const bins = Object.entries(h)
    .map(([k, n]) => [Number(k), n] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = bins.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const at = (rank: number) => {
    let seen = 0;
    for (const [v, n] of bins) {
      seen += n;
      if (rank < seen) return v;
    }
    return bins.at(-1)![0];
  };
  const mid = total >> 1;
  return total % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}
