import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dispute } from '@dispute-room/shared';
import { buildMissingReadModels } from '../jobs/processors.js';
import type { RunningServer } from '../server.js';
import { startTestServer, stopTestServer, manualClock } from '../../test/harness.js';
import {
  disputeInMediation,
  fileDispute,
  makeWorld,
  newContract,
  type World,
} from '../../test/world.js';
import type { ApiClient } from '../../test/api-client.js';

const clock = manualClock('2026-06-01T09:00:00Z');
const later = (hours: number) => (clock.t = new Date(clock.t.getTime() + hours * 3_600_000));

let server: RunningServer;
let w: World;
beforeAll(async () => {
  server = await startTestServer({ clock });
  w = await makeWorld(server);
});
afterAll(() => stopTestServer(server));

const ids = async (who: ApiClient, query = '') => {
  const res = await who.get(`/api/disputes${query}`);
  expect(res.status).toBe(200);
  return (res.body.disputes as Dispute[]).map((d) => d.id);
};

describe('dispute lists', () => {
  it('show each role exactly its disputes, newest filing first, across days', async () => {
    // Filed over several days, so the staff list walks more than one day's bucket.
    const open = await fileDispute(w, w.client, await newContract(w));
    later(30);
    const queued = await fileDispute(w, w.freelancer, await newContract(w));
    await w.client.post(`/api/disputes/${queued.id}/respond`, { accept: false });
    later(50);
    const mine = await disputeInMediation(w, await newContract(w));
    later(26);
    const others = await fileDispute(w, w.client, await newContract(w));
    await w.freelancer.post(`/api/disputes/${others.id}/respond`, { accept: false });
    await w.otherMediator.post(`/api/disputes/${others.id}/assign`);
    later(1);
    const closed = await fileDispute(w, w.client, await newContract(w));
    await w.client.post(`/api/disputes/${closed.id}/withdraw`);

    const newestFirst = [closed.id, others.id, mine.id, queued.id, open.id];
    expect(await ids(w.client)).toEqual(newestFirst);
    expect(await ids(w.freelancer)).toEqual(newestFirst);
    expect(await ids(w.stranger)).toEqual([]);
    expect(await ids(w.client, '?state=open')).toEqual([open.id]);
    expect(await ids(w.client, '?assigned=none')).toEqual([closed.id, queued.id, open.id]);
    expect(await ids(w.client, '?assigned=me')).toEqual([]);

    // A mediator: the unassigned mediation queue and their own, never another's.
    expect(await ids(w.mediator)).toEqual([mine.id, queued.id]);
    expect(await ids(w.mediator, '?assigned=none')).toEqual([queued.id]);
    expect(await ids(w.mediator, '?assigned=me')).toEqual([mine.id]);
    expect(await ids(w.mediator, '?state=resolved')).toEqual([]);
    expect(await ids(w.otherMediator, '?assigned=me')).toEqual([others.id]);

    // Staff: everything, newest first; filters apply.
    expect(await ids(w.ops)).toEqual(newestFirst);
    expect(await ids(w.ops, '?state=mediation')).toEqual([others.id, mine.id, queued.id]);
    expect(await ids(w.ops, '?assigned=none')).toEqual([closed.id, queued.id, open.id]);
    expect(await ids(w.ops, '?assigned=me')).toEqual([]);

    // Disputes stored before the day buckets existed get them from `pnpm reindex`.
    const { models } = server.domain.store;
    await models.disputes.updateMany({}, { $unset: { sortDay: 1, createdDay: 1 } });
    await models.daySpan.deleteMany({});
    expect(await ids(w.ops)).toEqual([]);
    expect(await server.domain.store.reindexDays()).toBe(5);
    expect(await ids(w.ops)).toEqual(newestFirst);
    // …and, at start, a database that has disputes but no buckets gets them by itself, once.
    await models.disputes.updateMany({}, { $unset: { sortDay: 1, createdDay: 1 } });
    await models.daySpan.deleteMany({});
    expect(await buildMissingReadModels(server.ctx, server.domain)).toBe(true);
    expect(await buildMissingReadModels(server.ctx, server.domain)).toBe(false);
    expect(await ids(w.ops)).toEqual(newestFirst);
    expect(
      (await w.ops.get('/api/ops/disputes?limit=2')).body.disputes.map((d: Dispute) => d.id),
    ).toEqual([closed.id, others.id]);

    // The mediation queue is read by its key: a database from before it (its span records only
    // the day buckets) gets the keys once at start (and the hourly rollups, see rollups.test).
    await models.disputes.updateMany({}, { $unset: { queue: 1 } });
    await models.daySpan.collection.updateOne({ _id: 'first' } as never, { $unset: { keys: 1 } });
    expect(await ids(w.mediator, '?assigned=none')).toEqual([]);
    expect(await buildMissingReadModels(server.ctx, server.domain)).toBe(true);
    expect(await ids(w.mediator, '?assigned=none')).toEqual([queued.id]);
    expect(await buildMissingReadModels(server.ctx, server.domain)).toBe(false);
  });

  it('page the mediation queue by filing day, back to the oldest live dispute', async () => {
    const { store } = server.domain;
    const queueAfterRejecting = async () => {
      const d = await fileDispute(w, w.freelancer, await newContract(w));
      await w.client.post(`/api/disputes/${d.id}/respond`, { accept: false });
      return d;
    };
    // Weeks later, so the first test's disputes reach their deadlines on the sweep.
    later(24 * 40);
    const old = await queueAfterRejecting();
    later(24 * 12);
    const recent = await queueAfterRejecting();
    const oldestLive = async () => {
      const live = await store.models.disputes
        .find({ state: { $in: ['open', 'mediation'] } })
        .lean<{ createdDay: string }[]>();
      return live.map((d) => d.createdDay).sort()[0];
    };
    await server.domain.disputes.tick(clock.now());
    expect((await store.daySpan()).live).toBe(await oldestLive());
    expect((await store.daySpan()).live).toBe(old.createdAt.slice(0, 10));
    expect(await ids(w.mediator, '?assigned=none')).toEqual([recent.id, old.id]);

    // Filed after the sweep: on its day or later, so within the walk.
    later(3);
    const fresh = await queueAfterRejecting();
    expect(await ids(w.mediator, '?assigned=none')).toEqual([fresh.id, recent.id, old.id]);

    // The oldest leaves: the next sweep raises the bound, and the queue is the same.
    expect((await w.freelancer.post(`/api/disputes/${old.id}/withdraw`)).status).toBe(200);
    await server.domain.disputes.tick(clock.now());
    expect((await store.daySpan()).live).toBe(recent.createdAt.slice(0, 10));
    expect(await ids(w.mediator, '?assigned=none')).toEqual([fresh.id, recent.id]);
    // So does a reindex, from the disputes themselves.
    await store.reindexDays();
    expect((await store.daySpan()).live).toBe(recent.createdAt.slice(0, 10));

    // A mediator's own, a month of filings at a time: what they took now, and what they held
    // two months ago (the first test's, ended by its deadline since).
    expect((await w.mediator.post(`/api/disputes/${recent.id}/assign`)).status).toBe(200);
    const held = await store.models.disputes
      .find({ mediatorId: w.mediator.user!.id })
      .sort({ createdAt: -1 })
      .lean<{ _id: string }[]>();
    expect(held.length).toBeGreaterThanOrEqual(2);
    expect(await ids(w.mediator, '?assigned=me')).toEqual(held.map((d) => d._id));
    expect((await ids(w.mediator, '?assigned=me'))[0]).toBe(recent.id);
    // A database from before the month key gets it at start.
    await store.models.disputes.updateMany({}, { $unset: { mediatorMonth: 1 } });
    await store.models.daySpan.collection.updateOne({ _id: 'first' } as never, {
      $set: { keys: 3 },
    });
    expect(await ids(w.mediator, '?assigned=me')).toEqual([]);
    expect(await buildMissingReadModels(server.ctx, server.domain)).toBe(true);
    expect(await ids(w.mediator, '?assigned=me')).toEqual(held.map((d) => d._id));
  });

  it('page every list by key: the pages are the whole list, in order, ties and all', async () => {
    // Three filed at one instant (the test clock stands still): the cursor's id breaks the tie.
    later(24);
    const sameInstant = [];
    for (let i = 0; i < 3; i++)
      sameInstant.push(await fileDispute(w, w.client, await newContract(w)));
    await w.freelancer.post(`/api/disputes/${sameInstant[0]!.id}/respond`, { accept: false });
    later(2);
    await fileDispute(w, w.freelancer, await newContract(w));

    const pages = async (who: ApiClient, query: string, limit: number) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let asked = 0;
      do {
        const sep = query ? '&' : '?';
        const res = await who.get(
          `/api/disputes${query}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(res.status).toBe(200);
        const page = (res.body.disputes as Dispute[]).map((d) => d.id);
        expect(page.length).toBeLessThanOrEqual(limit);
        // Never an empty page behind a cursor: a cursor means there is more.
        if (cursor) expect(page.length).toBeGreaterThan(0);
        seen.push(...page);
        cursor = res.body.nextCursor as string | null;
        asked += 1;
      } while (cursor && asked < 100);
      return seen;
    };
    const lists: [ApiClient, string][] = [
      [w.client, ''],
      [w.client, '?state=open'],
      [w.freelancer, '?assigned=none'],
      [w.mediator, ''],
      [w.mediator, '?assigned=none'],
      [w.mediator, '?assigned=me'],
      [w.ops, ''],
      [w.ops, '?state=withdrawn'],
      [w.ops, '?assigned=none'],
    ];
    for (const [who, query] of lists) {
      const whole = await ids(who, query);
      const unpaged = await who.get(`/api/disputes${query}`);
      expect(unpaged.body.nextCursor).toBeNull();
      for (const limit of [1, 2, 3]) expect(await pages(who, query, limit)).toEqual(whole);
    }
    expect((await ids(w.ops)).length).toBeGreaterThan(8);

    // What a page does not take is refused, changing nothing.
    for (const bad of ['cursor=nope', 'cursor=WzEsIiR4Il0', 'limit=0', 'limit=501', 'limit=ten']) {
      const res = await w.ops.get(`/api/disputes?${bad}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }

    // A live state reads a mediator's own back only to the oldest live dispute's month: one of
    // theirs from before it, made to look live behind the model's back, is not read.
    const { models } = server.domain.store;
    const mineLive = await ids(w.mediator, '?assigned=me&state=mediation');
    const live = (await server.domain.store.daySpan()).live!;
    const before = await models.disputes
      .findOne({ mediatorId: w.mediator.user!.id, createdDay: { $lt: `${live.slice(0, 7)}-01` } })
      .lean<{ _id: string; state: string }>();
    expect(before).not.toBeNull();
    await models.disputes.updateOne({ _id: before!._id }, { $set: { state: 'mediation' } });
    try {
      expect(await ids(w.mediator, '?assigned=me&state=mediation')).toEqual(mineLive);
      expect(await ids(w.mediator, '?assigned=me')).toContain(before!._id);
    } finally {
      await models.disputes.updateOne({ _id: before!._id }, { $set: { state: before!.state } });
    }
  });
});
