import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Ack, Dispute, Message } from '@dispute-room/shared';
import type { RunningServer } from '../server.js';
import { makeUser, type ApiClient, type ClientSocket } from '../../test/api-client.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';
import {
  disputeInMediation,
  fileDispute,
  makeWorld,
  newContract,
  type World,
} from '../../test/world.js';
import { JOINED_PER_SOCKET, READ_WINDOW_MS, TYPING_EVERY_SEC } from './dispute-handlers.js';

let server: RunningServer;
let w: World;
const sockets: ClientSocket[] = [];
const JOIN_LIMIT = 30;

beforeAll(async () => {
  // No periodic presence recount: the presence test counts every announcement.
  server = await startTestServer({
    env: { JOIN_LIMIT_PER_MIN: String(JOIN_LIMIT), PRESENCE_SWEEP_MS: '0' },
  });
  w = await makeWorld(server);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await stopTestServer(server);
});

async function connect(c: ApiClient): Promise<ClientSocket> {
  const s = await c.socket();
  sockets.push(s);
  return s;
}

function emit<T extends object = object>(s: ClientSocket, event: string, payload: unknown) {
  return new Promise<Ack<T>>((resolve) =>
    (s.emit as (e: string, p: unknown, cb: (a: Ack<T>) => void) => void)(event, payload, resolve),
  );
}

async function joined(c: ApiClient, d: Dispute): Promise<ClientSocket> {
  const s = await connect(c);
  const ack = await emit(s, 'dispute:join', { disputeId: d.id });
  if (!ack.ok) throw new Error(JSON.stringify(ack.error));
  return s;
}

/** Everything `event` brings a socket, in order. */
function collect<T>(s: ClientSocket, event: string): T[] {
  const got: T[] = [];
  s.on(event as never, ((p: T) => got.push(p)) as never);
  return got;
}

/**
 * Resolves once `to` has received a message sent now by `by`: whatever the server emitted to
 * `to` before it (typing, receipts) has arrived by then, as one instance emits in order.
 */
async function barrier(by: ApiClient, d: Dispute, to: ClientSocket, channel = 'joint') {
  const clientMsgId = `barrier-${Math.random().toString(36).slice(2)}`;
  const arrived = new Promise<void>((resolve) => {
    const on = ({ message }: { message: Message }) => {
      if (message.clientMsgId !== clientMsgId) return;
      to.off('message:new', on);
      resolve();
    };
    to.on('message:new', on);
  });
  const res = await by.post(`/api/disputes/${d.id}/messages`, {
    channel,
    body: 'barrier',
    clientMsgId,
  });
  expect(res.status).toBe(201);
  await arrived;
}

describe('typing', () => {
  it('passes on at most one typing per user and channel every 2 s; the rest are acked, not fanned out', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const [cs, fs] = [await joined(w.client, d), await joined(w.freelancer, d)];
    const seen = collect<{ userId: string }>(fs, 'typing');
    const started = Date.now();
    const acks = await Promise.all(
      Array.from({ length: 2_000 }, () =>
        emit(cs, 'typing', { disputeId: d.id, channel: 'joint' }),
      ),
    );
    const elapsedMs = Date.now() - started;
    expect(acks.every((a) => a.ok)).toBe(true);
    await barrier(w.mediator, d, fs);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.length).toBeLessThanOrEqual(1 + Math.ceil(elapsedMs / (TYPING_EVERY_SEC * 1000)));
    // The gate opens again: typing after the window is passed on.
    const before = seen.length;
    await vi.waitFor(
      async () => {
        await emit(cs, 'typing', { disputeId: d.id, channel: 'joint' });
        expect(seen.length).toBeGreaterThan(before);
      },
      { timeout: 10_000, interval: 250 },
    );
  });

  it('shows no typing of staff reading along (ops writing an internal note)', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const ms = await joined(w.mediator, d);
    const os = await joined(w.ops, d);
    const seen = collect<{ userId: string }>(ms, 'typing');
    expect(await emit(os, 'typing', { disputeId: d.id, channel: 'internal' })).toEqual({
      ok: true,
    });
    await barrier(w.ops, d, ms, 'internal');
    expect(seen).toEqual([]);
  });
});

describe('read receipts', () => {
  it('are coalesced: many receipts reach the other party as few, the last with the highest seq', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    for (let i = 1; i <= 30; i++) {
      await w.mediator.post(`/api/disputes/${d.id}/messages`, {
        channel: 'joint',
        body: `m${i}`,
        clientMsgId: `m${i}`,
      });
    }
    const [cs, fs] = [await joined(w.client, d), await joined(w.freelancer, d)];
    const seen = collect<{ userId: string; seq: number }>(fs, 'read');
    const started = Date.now();
    const acks = await Promise.all(
      Array.from({ length: 600 }, (_, i) =>
        emit(cs, 'message:read', {
          disputeId: d.id,
          channel: 'joint',
          seq: 1 + Math.floor(i / 20),
        }),
      ),
    );
    const elapsedMs = Date.now() - started;
    expect(acks.every((a) => a.ok)).toBe(true);
    await vi.waitFor(() => expect(seen.at(-1)?.seq).toBe(30), { timeout: 5_000 });
    const mine = seen.filter((r) => r.userId === w.client.user!.id);
    expect(mine.length).toBe(seen.length);
    expect(mine.length).toBeLessThanOrEqual(2 + Math.ceil(elapsedMs / READ_WINDOW_MS));
    expect(mine.map((r) => r.seq)).toEqual([...mine.map((r) => r.seq)].sort((a, b) => a - b));
    // The position itself landed: a fresh join reports it.
    const again = await emit<{ reads: Record<string, Record<string, number>> }>(
      await connect(w.freelancer),
      'dispute:join',
      { disputeId: d.id },
    );
    expect(again.ok && again.reads.joint?.[w.client.user!.id]).toBe(30);
  });

  it('of ops and admin (staff reading along) reach nobody', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    await w.client.post(`/api/disputes/${d.id}/messages`, {
      channel: 'joint',
      body: 'hello',
      clientMsgId: 'staff-1',
    });
    const cs = await joined(w.client, d);
    const ms = await joined(w.mediator, d);
    const seenByClient = collect<{ userId: string }>(cs, 'read');
    const seenByMediator = collect<{ userId: string }>(ms, 'read');
    for (const staff of [w.ops, w.admin]) {
      const s = await joined(staff, d);
      for (const channel of ['joint', 'internal']) {
        expect(await emit(s, 'message:read', { disputeId: d.id, channel, seq: 1 })).toEqual({
          ok: true,
        });
      }
    }
    await barrier(w.freelancer, d, cs);
    await barrier(w.freelancer, d, ms);
    expect(seenByClient).toEqual([]);
    expect(seenByMediator).toEqual([]);
    // A member's receipt still arrives.
    await emit(ms, 'message:read', { disputeId: d.id, channel: 'joint', seq: 2 });
    await vi.waitFor(() => expect(seenByClient).toHaveLength(1));
  });
});

describe('joins', () => {
  it(`holds a socket to at most ${JOINED_PER_SOCKET} disputes at a time`, async () => {
    const others = await Promise.all(
      Array.from({ length: JOINED_PER_SOCKET + 1 }, async () =>
        disputeInMediation(w, await newContract(w)),
      ),
    );
    const ops = await connect(w.ops);
    const answers = [];
    for (const d of others) answers.push(await emit(ops, 'dispute:join', { disputeId: d.id }));
    expect(answers.slice(0, JOINED_PER_SOCKET).every((a) => a.ok)).toBe(true);
    expect(answers.at(-1)).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/leave one first/) },
    });
    expect((await emit(ops, 'dispute:leave', { disputeId: others[0]!.id })).ok).toBe(true);
    expect((await emit(ops, 'dispute:join', { disputeId: others.at(-1)!.id })).ok).toBe(true);
  });

  it('announces a member online once for all their tabs, and offline when the last one leaves', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const fs = await joined(w.freelancer, d);
    const seen = collect<{ userId: string; online: boolean }>(fs, 'presence');
    const ofClient = () => seen.filter((p) => p.userId === w.client.user!.id).map((p) => p.online);
    const first = await joined(w.client, d);
    await barrier(w.mediator, d, fs);
    expect(ofClient()).toEqual([true]);
    // A second tab (or a socket coming back after a restart beside another) says nothing new.
    const second = await joined(w.client, d);
    await barrier(w.mediator, d, fs);
    expect(ofClient()).toEqual([true]);
    expect(await emit(first, 'dispute:leave', { disputeId: d.id })).toEqual({ ok: true });
    await barrier(w.mediator, d, fs);
    expect(ofClient()).toEqual([true]);
    expect(await emit(second, 'dispute:leave', { disputeId: d.id })).toEqual({ ok: true });
    await vi.waitFor(() => expect(ofClient()).toEqual([true, false]), { timeout: 5_000 });
  });

  it('answers joins past JOIN_LIMIT_PER_MIN rate_limited', async () => {
    // A fresh user, so the window starts at their first join.
    const fresh = await makeUser(w.admin, 'client');
    const contract = await w.admin.post('/api/contracts', {
      title: 'Fresh',
      clientId: fresh.user!.id,
      freelancerId: w.freelancer.user!.id,
      escrowCents: 10_000,
      currency: 'USD',
    });
    const filed = await fileDispute(w, fresh, contract.body.contract.id, 1_000);
    const s = await connect(fresh);
    const fromFresh = [];
    for (let i = 0; i <= JOIN_LIMIT; i++) {
      fromFresh.push(await emit(s, 'dispute:join', { disputeId: filed.id }));
    }
    expect(fromFresh.slice(0, JOIN_LIMIT).every((a) => a.ok)).toBe(true);
    expect(fromFresh.at(-1)).toMatchObject({
      ok: false,
      error: { code: 'rate_limited', details: { retryAfterSec: expect.any(Number) } },
    });
  });
});
