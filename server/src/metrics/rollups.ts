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
  histogramMedian,
  type ContributionSource,
  type DayEntry,
  type Tally,
} from './contributions.js';

const DAY_MS = 86_400_000;

/** One day's entries, by dispute id: what its tally is recomputed from (read by the writer only). */
export interface DayEntriesDoc {
  _id: string;
  entries: Record<string, DayEntry>;
}

/**
 * One day's (`_id` "2026-03-02") or month's ("2026-03") tally: what the dashboard reads, by
 * `_id`, one small document each; a month is the sum of its days.
 */
export interface DayTallyDoc {
  _id: string;
  tally: Tally;
}

/** The days a dispute contributed to, so a refresh finds the entries it must replace. */
export interface DisputeDaysDoc {
  _id: string;
  days: string[];
}

function model<T>(conn: Connection, name: string, schema: Schema<T>): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
}

const opts = { versionKey: false, minimize: false } as const;

const tallyModel = (conn: Connection, name: string, collection: string) =>
  model(
    conn,
    name,
    new Schema<DayTallyDoc>(
      { _id: String, tally: { type: Schema.Types.Mixed, required: true } },
      { ...opts, collection },
    ),
  );

export function rollupModels(conn: Connection) {
  return {
    entries: model(
      conn,
      'MetricDayEntries',
      new Schema<DayEntriesDoc>(
        { _id: String, entries: { type: Schema.Types.Mixed, default: {} } },
        { ...opts, collection: 'metric_day_entries' },
      ),
    ),
    months: tallyModel(conn, 'MetricMonthTally', 'metric_months'),
    tallies: tallyModel(conn, 'MetricDayTally', 'metric_days'),
    disputeDays: model(
      conn,
      'MetricDisputeDays',
      new Schema<DisputeDaysDoc>(
        { _id: String, days: [String] },
        { ...opts, collection: 'metric_dispute_days' },
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

/** The tally of a day from its entries: a pure sum, the same however often it is recomputed. */
export function tallyOf(entries: Record<string, DayEntry>): Tally {
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
 * The dashboard's read model: per-day rollups kept from the domain events. Each dispute's
 * contribution is recomputed from what is stored (all by `_id`) after anything that changes
 * it, and replaces its previous entries; a day's tally is then recomputed from that day's
 * entries under a Redis lock (FerretDB has no atomic update, and instances share the days).
 * Reading a range costs one document per whole day plus the entries of the two edge days,
 * whatever the size of the history.
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
    const days = contributionsOf(await this.source(d));
    const prev = await this.models.disputeDays.findById(disputeId).lean<DisputeDaysDoc>();
    const touched = new Set([...(prev?.days ?? []), ...days.keys()]);
    for (const day of touched) await this.putEntry(day, disputeId, days.get(day) ?? null);
    await this.models.disputeDays.collection.replaceOne(
      { _id: disputeId } as never,
      { _id: disputeId, days: [...days.keys()].sort() } as never,
      { upsert: true },
    );
  }

  private async putEntry(day: string, disputeId: string, entry: DayEntry | null): Promise<void> {
    await this.redlock.using([this.lockKey(`day:${day}`)], 15_000, async () => {
      const doc = await this.models.entries.findById(day).lean<DayEntriesDoc>();
      const entries = { ...(doc?.entries ?? {}) };
      if (entry) entries[disputeId] = entry;
      else delete entries[disputeId];
      await this.writeDay(day, entries);
    });
    await this.redlock.using([this.lockKey(`month:${day.slice(0, 7)}`)], 15_000, () =>
      this.writeMonth(day.slice(0, 7)),
    );
  }

  /** A month's tally again from its days' (idempotent: any writer of any of its days may). */
  private async writeMonth(month: string): Promise<void> {
    const days = await Promise.all(
      daysOfMonth(month).map((day) => this.models.tallies.findById(day).lean<DayTallyDoc>()),
    );
    const tally = emptyTally();
    for (const d of days) if (d) addTally(tally, d.tally);
    await this.models.months.collection.replaceOne(
      { _id: month } as never,
      { _id: month, tally } as never,
      { upsert: true },
    );
  }

  private async writeDay(day: string, entries: Record<string, DayEntry>): Promise<void> {
    const { models } = this;
    await models.entries.collection.replaceOne(
      { _id: day } as never,
      { _id: day, entries } as never,
      { upsert: true },
    );
    await models.tallies.collection.replaceOne(
      { _id: day } as never,
      { _id: day, tally: tallyOf(entries) } as never,
      { upsert: true },
    );
  }

  /**
   * The dashboard over [from, to): whole months from their tallies, the other whole days from
   * theirs, the two edge days from their entries — about 45 small reads for a year.
   */
  async metrics(from: Date, to: Date): Promise<Metrics> {
    const total = emptyTally();
    if (to.getTime() <= from.getTime()) return metricsOf(total, from, to);
    const firstDay = Date.parse(dayOf(from));
    const lastDay = Date.parse(dayOf(to.getTime() - 1));
    const wholeDays: string[] = [];
    const partial: string[] = [];
    for (let t = firstDay; t <= lastDay; t += DAY_MS) {
      const isWhole = t >= from.getTime() && t + DAY_MS <= to.getTime();
      (isWhole ? wholeDays : partial).push(dayOf(t));
    }
    const byMonth = new Map<string, string[]>();
    for (const day of wholeDays)
      byMonth.set(day.slice(0, 7), [...(byMonth.get(day.slice(0, 7)) ?? []), day]);
    const months = [...byMonth].filter(([m, days]) => days.length === daysOfMonth(m).length);
    const days = [...byMonth]
      .filter(([m, d]) => d.length !== daysOfMonth(m).length)
      .flatMap(([, d]) => d);
    const read = (model: typeof this.models.tallies, ids: string[]) =>
      pMap(ids, (id) => model.findById(id).lean<DayTallyDoc>(), { concurrency: 8 });
    const [monthTallies, tallies, edges] = await Promise.all([
      read(
        this.models.months,
        months.map(([m]) => m),
      ),
      read(this.models.tallies, days),
      Promise.all(partial.map((day) => this.models.entries.findById(day).lean<DayEntriesDoc>())),
    ]);
    for (const doc of [...monthTallies, ...tallies]) if (doc) addTally(total, doc.tally);
    for (const doc of edges)
      for (const e of Object.values(doc?.entries ?? {}))
        addEntry(total, e, weekOf, from.getTime(), to.getTime());
    return metricsOf(total, from, to);
  }

  /**
   * Every rollup again from the disputes (`pnpm reindex`): the days are rebuilt from scratch
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
    const days = new Map<string, Record<string, DayEntry>>();
    const disputeDays: DisputeDaysDoc[] = [];
    let n = 0;
    for await (const d of models.disputes.find().lean<DisputeDoc>().cursor()) {
      const contribution = contributionsOf({
        dispute: d as DisputeDoc,
        deadlinesAt: deadlinesOf.get(d._id) ?? [],
        firstReplyAt: replyOf.get(d._id) ?? null,
        feedback: feedbackOf.get(d._id) ?? [],
      });
      for (const [day, e] of contribution)
        (days.get(day) ?? days.set(day, {}).get(day)!)[d._id] = e;
      disputeDays.push({ _id: d._id, days: [...contribution.keys()].sort() });
      if (++n % 10_000 === 0) onProgress?.(n);
    }
    await this.replaceAll(days, disputeDays);
    return n;
  }

  /** Writes a whole set of days (a rebuild, or a generated history) in place of what was there. */
  async replaceAll(
    days: Map<string, Record<string, DayEntry>>,
    disputeDays: DisputeDaysDoc[],
  ): Promise<void> {
    const { models } = this;
    await Promise.all(
      [models.entries, models.tallies, models.months, models.disputeDays].map(emptyCollection),
    );
    const rows = [...days.entries()];
    for (let i = 0; i < rows.length; i += 50) {
      const batch = rows.slice(i, i + 50);
      await models.entries.collection.insertMany(
        batch.map(([day, entries]) => ({ _id: day, entries })) as never[],
      );
      await models.tallies.collection.insertMany(
        batch.map(([day, entries]) => ({ _id: day, tally: tallyOf(entries) })) as never[],
      );
    }
    const months = new Map<string, Tally>();
    for (const [day, entries] of rows) {
      const m = months.get(day.slice(0, 7)) ?? emptyTally();
      addTally(m, tallyOf(entries));
      months.set(day.slice(0, 7), m);
    }
    if (months.size)
      await models.months.collection.insertMany(
        [...months].map(([_id, tally]) => ({ _id, tally })) as never[],
      );
    for (let i = 0; i < disputeDays.length; i += 1_000)
      await models.disputeDays.collection.insertMany(disputeDays.slice(i, i + 1_000) as never[]);
  }
}
