import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Metrics, OutcomeKind } from '@dispute-room/shared';
import type { DisputeDoc, DisputeEventDoc, FeedbackDoc } from '../disputes/model.js';
import type { RunningServer } from '../server.js';
import { isoWeekUtc, median } from '../ops/weeks.js';
import {
  backgroundSettled,
  startTestServer,
  stopTestServer,
  manualClock,
} from '../../test/harness.js';
import { fileDispute, makeWorld, newContract, type World } from '../../test/world.js';
import { buildMissingReadModels } from '../jobs/processors.js';
import { binDuration, histogramMedian } from './contributions.js';

const clock = manualClock('2026-05-04T08:00:00Z');
const HOUR = 3_600_000;

let server: RunningServer;
let w: World;

beforeAll(async () => {
  server = await startTestServer({ clock });
  w = await makeWorld(server);
});
afterAll(() => stopTestServer(server));

/**
 * The dashboard the way it was computed before the rollups: every dispute, event, reply and
 * feedback read and filtered in memory. Durations are binned as the rollups bin them; all
 * else is exact. The rollups must agree with it on every range.
 */
async function recompute(from: Date, to: Date): Promise<Metrics> {
  const { models } = server.domain.store;
  const within = (d: Date | null | undefined): d is Date => !!d && d >= from && d < to;
  const [disputes, events, replies, feedback] = await Promise.all([
    models.disputes.find().lean<DisputeDoc[]>(),
    models.events.find({ type: 'deadline' }).lean<DisputeEventDoc[]>(),
    models.firstReplies.find().lean<{ _id: string; at: Date }[]>(),
    models.feedback.find().lean<FeedbackDoc[]>(),
  ]);
  const opened = disputes.filter((d) => within(d.createdAt));
  const closed = disputes.filter((d) => within(d.closedAt));
  const resolved = closed.filter((d) => d.state === 'resolved');
  const replyAt = new Map(replies.map((r) => [r._id, r.at]));
  const byOutcome: Partial<Record<OutcomeKind, number>> = {};
  for (const d of closed)
    if (d.outcome) byOutcome[d.outcome.kind] = (byOutcome[d.outcome.kind] ?? 0) + 1;
  const weekly = new Map<string, { opened: number; resolved: number }>();
  const bump = (at: Date, key: 'opened' | 'resolved') => {
    const p = weekly.get(isoWeekUtc(at)) ?? { opened: 0, resolved: 0 };
    p[key] += 1;
    weekly.set(isoWeekUtc(at), p);
  };
  opened.forEach((d) => bump(d.createdAt, 'opened'));
  resolved.forEach((d) => bump(d.closedAt!, 'resolved'));
  const rated = feedback.filter((f) => within(f.createdAt));
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    opened: opened.length,
    resolved: resolved.length,
    byOutcome,
    selfResolvedShare: resolved.length
      ? resolved.filter((d) => !d.everAssigned).length / resolved.length
      : null,
    medianFirstMediatorReplyMs: median(
      disputes
        .filter((d) => within(d.mediationStartedAt) && replyAt.has(d._id))
        .map((d) => binDuration(replyAt.get(d._id)!.getTime() - d.mediationStartedAt!.getTime())),
    ),
    medianTimeToResolutionMs: median(
      resolved.map((d) => binDuration(d.closedAt!.getTime() - d.createdAt.getTime())),
    ),
    deadlineBreaches: events.filter((e) => within(e.at)).length,
    meanCsat: rated.length ? rated.reduce((s, f) => s + f.rating, 0) / rated.length : null,
    weekly: [...weekly.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([week, p]) => ({ week, ...p })),
  };
}

const metricsOver = async (from: Date, to: Date) => {
  const res = await w.ops.get(`/api/ops/metrics?from=${from.toISOString()}&to=${to.toISOString()}`);
  expect(res.status).toBe(200);
  return res.body as Metrics;
};

/** What may happen to one dispute, in order, each step some hours after the one before. */
type Step = 'accept' | 'reject' | 'assign' | 'reply' | 'settle' | 'withdraw' | 'rate' | 'wait';
const step = fc.constantFrom<Step>(
  'accept',
  'reject',
  'assign',
  'reply',
  'settle',
  'withdraw',
  'rate',
  'wait',
);
const history = fc.array(
  fc.record({
    gapHours: fc.integer({ min: 0, max: 40 }),
    steps: fc.array(fc.record({ step, afterMinutes: fc.integer({ min: 1, max: 3_000 }) }), {
      maxLength: 6,
    }),
  }),
  { minLength: 8, maxLength: 14 },
);

async function play(story: Step, id: string) {
  const p = (path: string, who = w.client, body?: object) =>
    who.post(`/api/disputes/${id}${path}`, body);
  switch (story) {
    case 'accept':
      return p('/respond', w.freelancer, { accept: true });
    case 'reject':
      return p('/respond', w.freelancer, { accept: false });
    case 'assign':
      return p('/assign', w.mediator);
    case 'reply':
      return p('/messages', w.mediator, {
        channel: 'joint',
        body: 'Looking at it now.',
        clientMsgId: `r-${clock.t.getTime()}`,
      });
    case 'settle': {
      const offer = await p('/proposals', w.mediator, {
        clientCents: 20_000,
        freelancerCents: 80_000,
      });
      if (offer.status !== 201) return offer;
      const pid = offer.body.proposal.id as string;
      await p(`/proposals/${pid}/accept`, w.client);
      return p(`/proposals/${pid}/accept`, w.freelancer);
    }
    case 'withdraw':
      return p('/withdraw', w.client);
    case 'rate':
      await p('/feedback', w.freelancer, { rating: 1 + (clock.t.getUTCHours() % 5) });
      return p('/feedback', w.client, { rating: 1 + (clock.t.getUTCMinutes() % 5) });
    case 'wait':
      // Long enough for a deadline to fire on the next sweep.
      clock.t = new Date(clock.t.getTime() + 8 * 24 * HOUR);
      return server.domain.disputes.tick(clock.now());
  }
}

describe('the dashboard rollups', () => {
  it('equal a full recomputation after random histories, over any range, and after a rebuild', async () => {
    const ranges: [Date, Date][] = [];
    await fc.assert(
      fc.asyncProperty(
        history,
        fc.array(fc.tuple(fc.nat(60 * 24), fc.nat(60 * 24 * 30)), { minLength: 4, maxLength: 6 }),
        async (disputes, rangeSeeds) => {
          const start = clock.now();
          for (const d of disputes) {
            clock.t = new Date(clock.t.getTime() + d.gapHours * HOUR);
            const filed = await fileDispute(w, w.client, await newContract(w));
            const filedAt = clock.t;
            for (const s of d.steps) {
              clock.t = new Date(clock.t.getTime() + s.afterMinutes * 60_000);
              await play(s.step, filed.id);
            }
            clock.t = new Date(filedAt.getTime() + HOUR);
          }
          await server.domain.disputes.tick(new Date(clock.t.getTime() + 30 * 24 * HOUR));
          await backgroundSettled(server);
          for (const [offsetMin, lengthMin] of rangeSeeds) {
            const from = new Date(start.getTime() - 2 * 24 * HOUR + offsetMin * 60_000);
            ranges.push([from, new Date(from.getTime() + lengthMin * 60_000 + 60_000)]);
          }
          // Whole months, whole days around them and two partial edge days.
          ranges.push([new Date('2026-04-20T13:00:00Z'), new Date('2026-07-03T08:30:00Z')]);
          ranges.push([new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z')]);
          for (const [from, to] of ranges) {
            expect(
              await metricsOver(from, to),
              `${from.toISOString()}..${to.toISOString()}`,
            ).toEqual(await recompute(from, to));
          }
        },
      ),
      // Each run writes real disputes: no shrinking, report the first failing history.
      { numRuns: 3, endOnFailure: true },
    );
    const before = await Promise.all(ranges.map(([from, to]) => metricsOver(from, to)));
    expect(before.at(-1)!.opened).toBeGreaterThan(20);

    // `pnpm reindex` from nothing gives the same figures.
    const { models } = server.domain.rollups;
    const wipe = () =>
      Promise.all(
        [models.entries, models.hours, models.days, models.months, models.disputeHours].map((m) =>
          m.collection.deleteMany({}),
        ),
      );
    await wipe();
    expect((await metricsOver(...ranges.at(-1)!)).opened).toBe(0);
    await server.domain.rollups.rebuild();
    expect(await Promise.all(ranges.map(([from, to]) => metricsOver(from, to)))).toEqual(before);

    // A database whose rollups were kept by day (its span records format 2) gets them by hour
    // at start, once, and loses the day-keyed entries.
    await wipe();
    const legacy = server.ctx.conn.db!.collection('metric_day_entries');
    await legacy.insertOne({ _id: '2026-05-04' as never, entries: {} });
    await server.domain.store.models.daySpan.collection.updateOne({ _id: 'first' } as never, {
      $set: { keys: 2 },
    });
    expect(await buildMissingReadModels(server.ctx, server.domain)).toBe(true);
    expect(await buildMissingReadModels(server.ctx, server.domain)).toBe(false);
    expect(await Promise.all(ranges.map(([from, to]) => metricsOver(from, to)))).toEqual(before);
    expect(await legacy.countDocuments()).toBe(0);
  }, 120_000);
});

describe('ops search keys, on the same histories', () => {
  it('find under every filter and page what a filter of every dispute finds', async () => {
    // The random histories of the rollups test above (filings, deadlines, settlements,
    // withdrawals over weeks): run in order, on this file's server.
    const { models } = server.domain.store;
    const all = await models.disputes.find().lean<DisputeDoc[]>();
    expect(all.length).toBeGreaterThan(20);
    const newestFirst = (list: DisputeDoc[]) =>
      list
        .sort((a, b) => b.sortAt.getTime() - a.sortAt.getTime() || (a._id < b._id ? 1 : -1))
        .map((d) => d._id);
    const states = [...new Set(all.map((d) => d.state))];
    const outcomes = [...new Set(all.flatMap((d) => (d.outcome ? [d.outcome.kind] : [])))];
    const mediators = [...new Set(all.flatMap((d) => (d.mediatorId ? [d.mediatorId] : [])))];
    expect(outcomes.length).toBeGreaterThan(0);
    const filters: { state?: string; outcome?: string; mediatorId?: string }[] = [];
    for (const state of [undefined, ...states])
      for (const outcome of [undefined, ...outcomes])
        for (const mediatorId of [undefined, ...mediators])
          filters.push({ state, outcome, mediatorId });
    const pagedThrough = async (f: Record<string, string | undefined>, limit = 10) => {
      const query = Object.entries(f)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${encodeURIComponent(v!)}`);
      const found: string[] = [];
      let cursor: string | null = null;
      do {
        const page = [
          ...query,
          `limit=${limit}`,
          ...(cursor ? [`cursor=${encodeURIComponent(cursor)}`] : []),
        ];
        const res = await w.ops.get(`/api/ops/disputes?${page.join('&')}`);
        expect(res.status).toBe(200);
        found.push(...(res.body.disputes as { id: string }[]).map((d) => d.id));
        cursor = res.body.nextCursor as string | null;
      } while (cursor);
      return found;
    };
    const expected = (f: (typeof filters)[number]) =>
      newestFirst(
        all.filter(
          (d) =>
            (!f.state || d.state === f.state) &&
            (!f.outcome || d.outcome?.kind === f.outcome) &&
            (!f.mediatorId || d.mediatorId === f.mediatorId),
        ),
      );
    for (const f of filters) expect(await pagedThrough(f), JSON.stringify(f)).toEqual(expected(f));

    // By text (every dispute has these words): pages of 2, so a day holds more disputes with
    // the words than a page needs and only some are loaded; then with half the word rows
    // from before they carried their dispute's time (those are all loaded).
    const byText = async () => {
      for (const state of [undefined, ...states])
        expect(await pagedThrough({ q: 'Delivered DESIGN', state }, 2), String(state)).toEqual(
          expected({ state }),
        );
    };
    await byText();
    const { model: words } = server.domain.words;
    const rows = await words.find({}, { _id: 1 }).lean<{ _id: string }[]>();
    await words.updateMany(
      { _id: { $in: rows.filter((_, i) => i % 2 === 0).map((r) => r._id) } },
      { $unset: { at: 1 } },
    );
    expect(await words.countDocuments({ at: { $exists: false } })).toBeGreaterThan(0);
    await byText();

    // A database from before the search keys (its span records format 4) gets them at start.
    await models.disputes.updateMany({}, { $unset: { searchKeys: 1 } });
    await models.daySpan.collection.updateOne({ _id: 'first' } as never, { $set: { keys: 4 } });
    const busiest = filters
      .filter((f) => f.state && f.outcome)
      .sort((a, b) => expected(b).length - expected(a).length)[0]!;
    expect(expected(busiest).length).toBeGreaterThan(0);
    expect(await pagedThrough(busiest)).toEqual([]);
    expect(await buildMissingReadModels(server.ctx, server.domain)).toBe(true);
    for (const f of filters) expect(await pagedThrough(f), JSON.stringify(f)).toEqual(expected(f));
  }, 120_000);
});

describe('the dashboard rollups, by hour', () => {
  it('keep an hour’s entries to that hour: a day’s traffic is 24 small documents', async () => {
    const { models } = server.domain.rollups;
    // On the hour, a year after the histories above.
    const at = Math.ceil((clock.t.getTime() + 400 * 24 * HOUR) / HOUR) * HOUR;
    for (const minutes of [0, 20, 70, 130]) {
      clock.t = new Date(at + minutes * 60_000);
      await fileDispute(w, w.client, await newContract(w));
    }
    await backgroundSettled(server);
    const counts = await Promise.all(
      [0, 1, 2].map(async (h) => {
        const hour = new Date(at + h * HOUR).toISOString().slice(0, 13);
        const doc = await models.entries.findById(hour).lean();
        return Object.keys(doc?.entries ?? {}).length;
      }),
    );
    expect(counts).toEqual([2, 1, 1]);
  });

  it('take medians from histograms that hold every value to its resolution', () => {
    expect(binDuration(90 * 60_000 + 59_999)).toBe(90 * 60_000);
    expect(binDuration(3 * HOUR + 7 * 60_000)).toBe(3 * HOUR + 5 * 60_000);
    expect(binDuration(26 * HOUR + 59 * 60_000)).toBe(26 * HOUR);
    expect(histogramMedian({})).toBeNull();
    expect(histogramMedian({ '60000': 2, '120000': 1 })).toBe(60_000);
    expect(histogramMedian({ '60000': 1, '180000': 1 })).toBe(120_000);
  });
});
