import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dispute } from '@dispute-room/shared';
import type { RunningServer } from '../server.js';
import {
  backgroundSettled,
  startTestServer,
  stopTestServer,
  manualClock,
} from '../../test/harness.js';
import { makeWorld, newContract, type World } from '../../test/world.js';
import { wordsOf } from './search-words.js';

const clock = manualClock('2026-07-06T09:00:00Z');

let server: RunningServer;
let w: World;
beforeAll(async () => {
  server = await startTestServer({ clock });
  w = await makeWorld(server);
});
afterAll(() => stopTestServer(server));

const found = async (q: string) => {
  const res = await w.ops.get(`/api/ops/disputes?q=${encodeURIComponent(q)}`);
  expect(res.status).toBe(200);
  return (res.body.disputes as Dispute[]).map((d) => d.id);
};

describe('ops text search', () => {
  it('splits text into the words it compares', () => {
    expect(wordsOf('D-000123', 'Logo for Café Ünïcode', 'a b — 42 ok')).toEqual([
      '000123',
      'logo',
      'for',
      'café',
      'ünïcode',
      '42',
      'ok',
    ]);
    expect(wordsOf('[.*', '  ')).toEqual([]);
  });

  it('finds disputes by whole words before and after they close on a later day, and after a rebuild', async () => {
    const file = async (description: string) => {
      const res = await w.client.post('/api/disputes', {
        contractId: await newContract(w),
        reason: 'quality',
        description,
        claimCents: 10_000,
      });
      expect(res.status).toBe(201);
      return res.body.dispute as Dispute;
    };
    const kiwi = await file('The kiwi illustrations arrived late and blurry.');
    const mango = await file('Mango branding files are missing.');
    await backgroundSettled(server);
    expect(await found('KIWI')).toEqual([kiwi.id]);
    expect(await found('blurry kiwi')).toEqual([kiwi.id]);
    expect(await found('kiwi mango')).toEqual([]);
    expect(await found('kiw')).toEqual([]);
    expect(await found(mango.number)).toEqual([mango.id]);

    // Closed three days later: found on its closing day, still once.
    clock.t = new Date('2026-07-09T15:00:00Z');
    expect((await w.client.post(`/api/disputes/${kiwi.id}/withdraw`)).status).toBe(200);
    await backgroundSettled(server);
    expect(await found('kiwi')).toEqual([kiwi.id]);
    const withdrawn = await w.ops.get('/api/ops/disputes?q=kiwi&state=withdrawn');
    expect(withdrawn.body.disputes.map((d: Dispute) => d.id)).toEqual([kiwi.id]);

    await server.domain.words.model.deleteMany({});
    expect(await found('kiwi')).toEqual([]);
    await server.domain.words.rebuild();
    expect(await found('kiwi')).toEqual([kiwi.id]);
    expect(await found('mango')).toEqual([mango.id]);
  });

  it('leaves a word too common that day to the dispute check when a rarer one narrows it', async () => {
    clock.t = new Date('2026-07-20T10:00:00Z');
    const res = await w.client.post('/api/disputes', {
      contractId: await newContract(w),
      reason: 'quality',
      description: 'The papaya mascot came out lopsided.',
      claimCents: 10_000,
    });
    const papaya = res.body.dispute as Dispute;
    await backgroundSettled(server);
    // Three hundred more rows of "papaya" that day (of disputes that are not there), stored
    // before the real one's: a read of that word's rows that stops early never reaches it.
    const { model } = server.domain.words;
    const own = await model.find({ disputeId: papaya.id }).lean();
    await model.deleteMany({ disputeId: papaya.id });
    await model.collection.insertMany(
      Array.from({ length: 300 }, (_, i) => ({
        _id: `gone${i}|papaya`,
        disputeId: `gone${i}`,
        word: 'papaya',
        day: own[0]!.day,
        at: own[0]!.at,
      })) as never[],
    );
    await model.collection.insertMany(own as never[]);
    expect(await found('papaya lopsided')).toEqual([papaya.id]);
    expect(await found('lopsided PAPAYA mascot')).toEqual([papaya.id]);
    // Every word that common: the first one's rows are read whole.
    expect(await found('papaya')).toEqual([papaya.id]);
    expect(await found('papaya kiwi')).toEqual([]);
  });
});
