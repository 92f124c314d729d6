import { Redlock } from '@sesamecare-oss/redlock';
import type { Redis } from 'ioredis';
import pMap from 'p-map';
import { Schema, type Connection, type Model } from 'mongoose';
import type { Metrics } from '@dispute-room/shared';
import type { Context } from '../context.js';
import { emptyCollection } from '../db/mongo.js';
import type { DisputeDoc, DisputeEventDoc, FeedbackDoc } from '../disputes/model.js';
import type { DisputeStore } from '../disputes/store.js';
import { isoWeekUtc } from '../ops/weeks.js';
import {
  addEntry,
  addTally,
  contributionsOf,
  dayOf,
  emptyTally,
  hourOf,
  histogramMedian,
  type ContributionSource,
  type HourEntry,
  type Tally,
} from './contributions.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * One hour's entries (`_id` "2026-03-02T13"), by dispute id: what its tally is recomputed from
 * (read by the writer, and by the dashboard for an hour a range cuts). An hour, not a day: at
 * ~1,650 filings a day a day's entries were thousands, read and rewritten whole by every
 * event of that day and by every dashboard whose range starts or ends in it.
 */
export interface HourEntriesDoc {
  _id: string;
  entries: Record<string, HourEntry>;
}

/**
 * One hour's ("2026-03-02T13"), day's ("2026-03-02") or month's ("2026-03") tally: what the
 * dashboard reads, by `_id`, one small document each; a day is the sum of its hours, a month
 * of its days.
 */
export interface TallyDoc {
  _id: string;
  tally: Tally;
}

/** The hours a dispute contributed to, so a refresh finds the entries it must replace. */
export interface DisputeHoursDoc {
  _id: string;
  hours: string[];
}

function model<T>(conn: Connection, name: string, schema: Schema<T>): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
}

const opts = { versionKey: false, minimize: false } as const;

const tallyModel = (conn: Connection, name: string, collection: string) =>
  model(
    conn,
    name,
    new Schema<TallyDoc>(
      { _id: String, tally: { type: Schema.Types.Mixed, required: true } },
      { ...opts, collection },
    ),
  );

/** The day-keyed entries of earlier versions, dropped by a rebuild. */
const LEGACY_COLLECTIONS = ['metric_day_entries', 'metric_dispute_days'];

export function rollupModels(conn: Connection) {
  return {
    entries: model(
      conn,
      'MetricHourEntries',
      new Schema<HourEntriesDoc>(
        { _id: String, entries: { type: Schema.Types.Mixed, default: {} } },
        { ...opts, collection: 'metric_hour_entries' },
      ),
    ),
    hours: tallyModel(conn, 'MetricHourTally', 'metric_hours'),
    days: tallyModel(conn, 'MetricDayTally', 'metric_days'),
    months: tallyModel(conn, 'MetricMonthTally', 'metric_months'),
    disputeHours: model(
      conn,
      'MetricDisputeHours',
      new Schema<DisputeHoursDoc>(
        { _id: String, hours: [String] },
        { ...opts, collection: 'metric_dispute_hours' },
      ),
    ),
  };
}

const weekOf = (at: number) => isoWeekUtc(new Date(at));

/** The days ("2026-02-01" …) of a month ("2026-02"), in UTC. */
function daysOfMonth(month: string): string[] {
  const start = Date.parse(`${month}-01T00:00:00Z`);
  const days: string[] = [];
  for (let t = start; dayOf(t).startsWith(month); t += DAY_MS) days.push(dayOf(t));
  return days;
}

/** The hours ("2026-02-01T00" …) of a day ("2026-02-01"), in UTC. */
const hoursOfDay = (day: string) =>
  Array.from({ length: 24 }, (_, h) => `${day}T${String(h).padStart(2, '0')}`);

/** The tally of an hour from its entries: a pure sum, the same however often it is recomputed. */
export function tallyOf(entries: Record<string, HourEntry>): Tally {
  const t = emptyTally();
  for (const e of Object.values(entries)) addEntry(t, e, weekOf);
  return t;
}

/** The figures of the dashboard from a range's tally. */
export function metricsOf(t: Tally, from: Date, to: Date): Metrics {
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    opened: t.opened,
    resolved: t.resolved,
    byOutcome: Object.fromEntries(Object.entries(t.byOutcome).filter(([, n]) => n > 0)),
    selfResolvedShare: t.resolved ? t.selfResolved / t.resolved : null,
    medianFirstMediatorReplyMs: histogramMedian(t.reply),
    medianTimeToResolutionMs: histogramMedian(t.ttr),
    deadlineBreaches: t.breaches,
    meanCsat: t.csatCount ? t.csatSum / t.csatCount : null,
    weekly: Object.entries(t.weekly)
      .filter(([, p]) => p.opened > 0 || p.resolved > 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([week, p]) => ({ week, ...p })),
  };
}

/**
 * The dashboard's read model: per-hour rollups kept from the domain events. Each dispute's
 * contribution is recomputed from what is stored (all by `_id`) after anything that changes
 * it, and replaces its previous entries; an hour's tally is then recomputed from that hour's
 * entries, its day's from the day's hours and its month's from the month's days, each under
 * a Redis lock (FerretDB has no atomic update, and instances share them). Reading a range
 * costs one small document per whole month, day and hour it covers plus the entries of the
 * (at most two) hours it cuts, whatever the size of the history.
 */
export class Rollups {
  readonly models: ReturnType<typeof rollupModels>;
  private readonly redlock: Redlock;
  /**
   * The locks' own connection: Redlock runs Lua scripts, and ioredis' auto-pipelining (on
   * the main client) can throw outside any promise when a pipeline with scripts is cut off
   * (redis/ioredis#1931).
   */
  private readonly lockClient: Redis;

  constructor(
    private readonly ctx: Context,
    private readonly deps: { store: DisputeStore },
  ) {
    this.models = rollupModels(ctx.conn);
    this.lockClient = ctx.redis.main.duplicate({
      enableAutoPipelining: false,
      connectionName: 'dispute-room:locks',
    });
    this.lockClient.on('error', (err: Error) =>
      ctx.log.debug({ err: err.message }, 'lock connection error'),
    );
    this.redlock = new Redlock([this.lockClient], {
      retryCount: 200,
      retryDelay: 50,
      retryJitter: 50,
    });
  }

  /** After the job workers have stopped. */
  async close(): Promise<void> {
    await this.lockClient.quit().catch(() => this.lockClient.disconnect());
  }

  private lockKey(what: string) {
    return `${this.ctx.config.REDIS_PREFIX}lock:rollups:${what}`;
  }

  /** What a dispute's contribution is computed from, every read by `_id`. */
  async source(d: DisputeDoc): Promise<ContributionSource> {
    const { models } = this.deps.store;
    const versions = Array.from({ length: d.version }, (_, i) => `${d._id}:${i + 1}`);
    const [events, firstReply, feedback] = await Promise.all([
      Promise.all(versions.map((id) => models.events.findById(id).lean<DisputeEventDoc>())),
      models.firstReplies.findById(d._id).lean<{ at: Date }>(),
      Promise.all(
        [d.clientId, d.freelancerId].map((u) =>
          models.feedback.findById(`${d._id}:${u}`).lean<FeedbackDoc>(),
        ),
      ),
    ]);
    return {
      dispute: d,
      deadlinesAt: events.flatMap((e) => (e?.type === 'deadline' ? [e.at] : [])),
      firstReplyAt: firstReply?.at ?? null,
      feedback: feedback.filter((f): f is FeedbackDoc => f !== null),
    };
  }

  /**
   * After anything that changes what a dispute contributes. Safe to repeat, on any instance.
   * Refreshes of one dispute run one at a time: each reads everything stored before it
   * started, so the last to run writes the latest contribution (two at once could let an
   * older read land last).
   */
  async refresh(disputeId: string): Promise<void> {
    await this.redlock.using([this.lockKey(`dispute:${disputeId}`)], 15_000, () =>
      this.refreshLocked(disputeId),
    );
  }

  private async refreshLocked(disputeId: string): Promise<void> {
    const d = await this.deps.store.load(disputeId);
    if (!d) return;
    const hours = contributionsOf(await this.source(d));
    const prev = await this.models.disputeHours.findById(disputeId).lean<DisputeHoursDoc>();
    const touched = [...new Set([...(prev?.hours ?? []), ...hours.keys()])].sort();
    for (const hour of touched) await this.putEntry(hour, disputeId, hours.get(hour) ?? null);
    for (const day of new Set(touched.map((h) => h.slice(0, 10))))
      await this.redlock.using([this.lockKey(`day:${day}`)], 15_000, () => this.writeDay(day));
    for (const month of new Set(touched.map((h) => h.slice(0, 7))))
      await this.redlock.using([this.lockKey(`month:${month}`)], 15_000, () =>
        this.writeMonth(month),
      );
    await this.models.disputeHours.collection.replaceOne(
      { _id: disputeId } as never,
      { _id: disputeId, hours: [...hours.keys()].sort() } as never,
      { upsert: true },
    );
  }

  private async putEntry(hour: string, disputeId: string, entry: HourEntry | null): Promise<void> {
    await this.redlock.using([this.lockKey(`hour:${hour}`)], 15_000, async () => {
      const { models } = this;
      const doc = await models.entries.findById(hour).lean<HourEntriesDoc>();
      const entries = { ...(doc?.entries ?? {}) };
      if (entry) entries[disputeId] = entry;
      else delete entries[disputeId];
      await models.entries.collection.replaceOne(
        { _id: hour } as never,
        { _id: hour, entries } as never,
        { upsert: true },
      );
      await models.hours.collection.replaceOne(
        { _id: hour } as never,
        { _id: hour, tally: tallyOf(entries) } as never,
        { upsert: true },
      );
    });
  }

  /** A sum of stored tallies, as one tally document (idempotent: any writer of a part may). */
  private async writeSum(into: Model<TallyDoc>, _id: string, from: Model<TallyDoc>, ids: string[]) {
    const parts = await Promise.all(ids.map((id) => from.findById(id).lean<TallyDoc>()));
    const tally = emptyTally();
    for (const p of parts) if (p) addTally(tally, p.tally);
    await into.collection.replaceOne({ _id } as never, { _id, tally } as never, { upsert: true });
  }

  private writeDay(day: string): Promise<void> {
    return this.writeSum(this.models.days, day, this.models.hours, hoursOfDay(day));
  }

  private writeMonth(month: string): Promise<void> {
    return this.writeSum(this.models.months, month, this.models.days, daysOfMonth(month));
  }

  /**
   * The dashboard over [from, to): whole months from their tallies, the other whole days and
   * whole hours from theirs, the (at most two) hours the range cuts from their entries:
   * about 60 small reads for a year.
   */
  async metrics(from: Date, to: Date): Promise<Metrics> {
    const total = emptyTally();
    if (to.getTime() <= from.getTime()) return metricsOf(total, from, to);
    const firstHour = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS;
    const wholeHours: string[] = [];
    const cut: string[] = [];
    for (let t = firstHour; t < to.getTime(); t += HOUR_MS) {
      const isWhole = t >= from.getTime() && t + HOUR_MS <= to.getTime();
      (isWhole ? wholeHours : cut).push(hourOf(t));
    }
    // Whole hours into whole days, whole days into whole months.
    const groups = (keys: string[], of: (k: string) => string, size: (g: string) => number) => {
      const by = new Map<string, string[]>();
      for (const k of keys) (by.get(of(k)) ?? by.set(of(k), []).get(of(k))!).push(k);
      const whole = [...by].filter(([g, ks]) => ks.length === size(g));
      const rest = [...by].filter(([g, ks]) => ks.length !== size(g)).flatMap(([, ks]) => ks);
      return { whole: whole.map(([g]) => g), rest };
    };
    const byDay = groups(
      wholeHours,
      (h) => h.slice(0, 10),
      () => 24,
    );
    const byMonth = groups(
      byDay.whole,
      (d) => d.slice(0, 7),
      (m) => daysOfMonth(m).length,
    );
    const { models } = this;
    const reads: [Model<TallyDoc>, string][] = [
      ...byMonth.whole.map((id) => [models.months, id] as [Model<TallyDoc>, string]),
      ...byMonth.rest.map((id) => [models.days, id] as [Model<TallyDoc>, string]),
      ...byDay.rest.map((id) => [models.hours, id] as [Model<TallyDoc>, string]),
    ];
    const [tallies, edges] = await Promise.all([
      pMap(reads, ([m, id]) => m.findById(id).lean<TallyDoc>(), { concurrency: 8 }),
      Promise.all(cut.map((hour) => models.entries.findById(hour).lean<HourEntriesDoc>())),
    ]);
    for (const doc of tallies) if (doc) addTally(total, doc.tally);
    for (const doc of edges)
      for (const e of Object.values(doc?.entries ?? {}))
        addEntry(total, e, weekOf, from.getTime(), to.getTime());
    return metricsOf(total, from, to);
  }

  /**
   * Every rollup again from the disputes (`pnpm reindex`): the hours are rebuilt from scratch
   * by the same projection the live path uses. Returns how many disputes were read.
   */
  async rebuild(onProgress?: (n: number) => void): Promise<number> {
    const { models } = this.deps.store;
    const [deadlines, replies, feedback] = await Promise.all([
      models.events.find({ type: 'deadline' }, { disputeId: 1, at: 1 }).lean<DisputeEventDoc[]>(),
      models.firstReplies.find().lean<{ _id: string; at: Date }[]>(),
      models.feedback.find().lean<FeedbackDoc[]>(),
    ]);
    const group = <T, K>(items: T[], key: (t: T) => string, value: (t: T) => K) => {
      const m = new Map<string, K[]>();
      for (const i of items) m.set(key(i), [...(m.get(key(i)) ?? []), value(i)]);
      return m;
    };
    const deadlinesOf = group(
      deadlines,
      (e) => e.disputeId,
      (e) => e.at,
    );
    const replyOf = new Map(replies.map((r) => [r._id, r.at]));
    const feedbackOf = group(
      feedback,
      (f) => f.disputeId,
      (f) => f,
    );
    const hours = new Map<string, Record<string, HourEntry>>();
    const disputeHours: DisputeHoursDoc[] = [];
    let n = 0;
    for await (const d of models.disputes.find().lean<DisputeDoc>().cursor()) {
      const contribution = contributionsOf({
        dispute: d as DisputeDoc,
        deadlinesAt: deadlinesOf.get(d._id) ?? [],
        firstReplyAt: replyOf.get(d._id) ?? null,
        feedback: feedbackOf.get(d._id) ?? [],
      });
      for (const [hour, e] of contribution)
        (hours.get(hour) ?? hours.set(hour, {}).get(hour)!)[d._id] = e;
      disputeHours.push({ _id: d._id, hours: [...contribution.keys()].sort() });
      if (++n % 10_000 === 0) onProgress?.(n);
    }
    await this.replaceAll(hours, disputeHours);
    return n;
  }

  /** Writes a whole set of hours (a rebuild) in place of what was there. */
  async replaceAll(
    hours: Map<string, Record<string, HourEntry>>,
    disputeHours: DisputeHoursDoc[],
  ): Promise<void> {
    const { models } = this;
    await Promise.all([
      ...[models.entries, models.hours, models.days, models.months, models.disputeHours].map(
        emptyCollection,
      ),
      ...LEGACY_COLLECTIONS.map((name) =>
        this.ctx.conn.db!.dropCollection(name).catch(() => undefined),
      ),
    ]);
    const rows = [...hours.entries()];
    const sums = { days: new Map<string, Tally>(), months: new Map<string, Tally>() };
    const add = (into: Map<string, Tally>, key: string, t: Tally) =>
      addTally(into.get(key) ?? into.set(key, emptyTally()).get(key)!, t);
    for (let i = 0; i < rows.length; i += 200) {
      const batch = rows.slice(i, i + 200).map(([hour, entries]) => ({
        hour,
        entries,
        tally: tallyOf(entries),
      }));
      for (const { hour, tally } of batch) {
        add(sums.days, hour.slice(0, 10), tally);
        add(sums.months, hour.slice(0, 7), tally);
      }
      await models.entries.collection.insertMany(
        batch.map(({ hour, entries }) => ({ _id: hour, entries })) as never[],
      );
      await models.hours.collection.insertMany(
        batch.map(({ hour, tally }) => ({ _id: hour, tally })) as never[],
      );
    }
    for (const [into, sum] of [
      [models.days, sums.days],
      [models.months, sums.months],
    ] as const)
      if (sum.size)
        await into.collection.insertMany(
          [...sum].map(([_id, tally]) => ({ _id, tally })) as never[],
        );
    for (let i = 0; i < disputeHours.length; i += 1_000)
      await models.disputeHours.collection.insertMany(disputeHours.slice(i, i + 1_000) as never[]);
  }
}
