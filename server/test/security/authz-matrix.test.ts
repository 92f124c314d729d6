import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, Channel, JoinResult } from '@dispute-room/shared';
import type { RunningServer } from '../../src/server.js';
import { ApiClient, makeUser, waitFor, type ClientSocket } from '../api-client.js';
import { startTestServer, stopTestServer } from '../harness.js';
import { disputeInMediation, fileDispute, makeWorld, type World } from '../world.js';

/**
 * Every endpoint and event × every kind of actor × every channel, against the table in
 * api.md written out here by hand (not derived from the code under test).
 */
type Actor =
  | 'claimant'
  | 'respondent'
  | 'mediator'
  | 'otherMediator'
  | 'ops'
  | 'admin'
  | 'stranger'
  | 'anonymous';
const actors: Actor[] = [
  'claimant',
  'respondent',
  'mediator',
  'otherMediator',
  'ops',
  'admin',
  'stranger',
  'anonymous',
];
const channels: Channel[] = ['joint', 'caucus:client', 'caucus:freelancer', 'internal'];

// The claimant is the client, the respondent the freelancer.
const mayRead: Record<Channel, Actor[]> = {
  joint: ['claimant', 'respondent', 'mediator', 'ops', 'admin'],
  'caucus:client': ['claimant', 'mediator', 'ops', 'admin'],
  'caucus:freelancer': ['respondent', 'mediator', 'ops', 'admin'],
  internal: ['mediator', 'ops', 'admin'],
};
const mayWrite: Record<Channel, Actor[]> = {
  joint: ['claimant', 'respondent', 'mediator'],
  'caucus:client': ['claimant', 'mediator'],
  'caucus:freelancer': ['respondent', 'mediator'],
  internal: ['mediator', 'ops'],
};
/** Who sees the dispute exists at all (404 for the rest, 401 for anonymous). */
const maySee: Actor[] = ['claimant', 'respondent', 'mediator', 'otherMediator', 'ops', 'admin'];

let server: RunningServer;
let w: World;
let disputeId: string;
/** The stranger's own dispute: they are a party there, and of nothing here. */
let strangersDisputeId: string;
let as: Record<Actor, ApiClient>;
const evidenceIn: Partial<Record<Channel, string>> = {};
const secretOf = (c: Channel) => `secret text of ${c}`;
let cells = 0;

const pngBytes = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

async function upload(c: ApiClient, channel: Channel): Promise<string> {
  const form = new FormData();
  form.append('channel', channel);
  form.append(
    'file',
    new Blob([pngBytes], { type: 'image/png' }),
    `${channel.replace(':', '-')}.png`,
  );
  const res = await fetch(`${server.url}/api/disputes/${disputeId}/evidence`, {
    method: 'POST',
    body: form,
    headers: { cookie: c.cookie ?? '' },
  });
  const body = (await res.json()) as { evidence: { id: string } };
  if (res.status !== 201) throw new Error(JSON.stringify(body));
  return body.evidence.id;
}

beforeAll(async () => {
  server = await startTestServer();
  w = await makeWorld(server);
  const d = await disputeInMediation(w);
  disputeId = d.id;
  // "A party of another dispute": the stranger files against someone else on a contract
  // of their own, so every cell checks a real party, not a user with no disputes at all.
  const theirFreelancer = await makeUser(w.admin, 'freelancer', 'Tess Theirfreelancer');
  const theirContract = await w.admin.post('/api/contracts', {
    title: 'Their own job',
    clientId: w.stranger.user!.id,
    freelancerId: theirFreelancer.user!.id,
    escrowCents: 50_000,
    currency: 'USD',
  });
  strangersDisputeId = (await fileDispute(w, w.stranger, theirContract.body.contract.id, 10_000))
    .id;
  as = {
    claimant: w.client,
    respondent: w.freelancer,
    mediator: w.mediator,
    otherMediator: w.otherMediator,
    ops: w.ops,
    admin: w.admin,
    stranger: w.stranger,
    anonymous: new ApiClient(server.url),
  };
  // One secret per channel, written by someone allowed to, plus one evidence item each.
  const writer: Record<Channel, ApiClient> = {
    joint: w.client,
    'caucus:client': w.client,
    'caucus:freelancer': w.freelancer,
    internal: w.mediator,
  };
  for (const c of channels) {
    await writer[c].post(`/api/disputes/${disputeId}/messages`, {
      channel: c,
      body: secretOf(c),
      clientMsgId: `secret-${c}`,
    });
    evidenceIn[c] = await upload(writer[c], c);
  }
});
afterAll(() => stopTestServer(server));

const expectStatus = (actor: Actor, allowed: boolean, status: number, denied: number) => {
  cells++;
  if (actor === 'anonymous') return expect(status, `${actor}`).toBe(401);
  if (!maySee.includes(actor)) return expect(status, `${actor}`).toBe(404);
  return allowed
    ? expect(status, `${actor}`).toBeLessThan(300)
    : expect(status, `${actor}`).toBe(denied);
};

describe('REST', () => {
  it.each(actors)('%s: dispute, heads and unread of readable channels only', async (actor) => {
    const res = await as[actor].get(`/api/disputes/${disputeId}`);
    expectStatus(actor, true, res.status, 404);
    if (res.status === 200) {
      const readable = channels.filter((c) => mayRead[c].includes(actor)).sort();
      expect(Object.keys(res.body.dispute.heads).sort()).toEqual(readable);
      expect(Object.keys(res.body.dispute.unread).sort()).toEqual(readable);
      cells++;
    }
  });

  it.each(actors)('%s: reading each channel', async (actor) => {
    for (const c of channels) {
      const res = await as[actor].get(`/api/disputes/${disputeId}/messages?channel=${c}`);
      expectStatus(actor, mayRead[c].includes(actor), res.status, 403);
      if (res.status === 200) expect(JSON.stringify(res.body)).toContain(secretOf(c));
      // Never another channel's content.
      for (const other of channels.filter((o) => o !== c))
        expect(JSON.stringify(res.body)).not.toContain(secretOf(other));
    }
  });

  it.each(actors)('%s: writing each channel', async (actor) => {
    for (const c of channels) {
      const res = await as[actor].post(`/api/disputes/${disputeId}/messages`, {
        channel: c,
        body: `hello from ${actor}`,
        clientMsgId: `w-${actor}-${c}`,
      });
      expectStatus(actor, mayWrite[c].includes(actor), res.status, 403);
    }
  });

  it.each(actors)('%s: evidence lists and content per channel', async (actor) => {
    for (const c of channels) {
      const list = await as[actor].get(`/api/disputes/${disputeId}/evidence?channel=${c}`);
      const content = await as[actor].get(`/api/evidence/${evidenceIn[c]}/content`);
      cells += 2;
      if (actor === 'anonymous') {
        expect([list.status, content.status]).toEqual([401, 401]);
      } else if (mayRead[c].includes(actor)) {
        expect(list.status).toBe(200);
        expect(list.body.evidence.map((e: { id: string }) => e.id)).toContain(evidenceIn[c]);
        expect(content.status).toBe(200);
      } else {
        // Evidence a caller may not see does not exist for them.
        expect(content.status).toBe(404);
        expect([403, 404]).toContain(list.status);
        expect(JSON.stringify(list.body)).not.toContain(evidenceIn[c]!);
      }
    }
  });

  it.each(actors)('%s: ops search, transcript, export and metrics', async (actor) => {
    const staff = actor === 'ops' || actor === 'admin';
    for (const path of [
      '/api/ops/disputes',
      `/api/ops/disputes/${disputeId}/transcript`,
      `/api/ops/disputes/${disputeId}/export?format=json`,
      `/api/ops/disputes/${disputeId}/export?format=html`,
      '/api/ops/metrics',
    ]) {
      const res = await as[actor].get(path);
      cells++;
      expect(res.status, `${actor} ${path}`).toBe(actor === 'anonymous' ? 401 : staff ? 200 : 403);
      if (!staff)
        for (const c of channels) expect(JSON.stringify(res.body)).not.toContain(secretOf(c));
    }
  });
});

describe('sockets', () => {
  const sockets: ClientSocket[] = [];
  afterAll(() => sockets.forEach((s) => s.disconnect()));
  const emit = <T extends object>(s: ClientSocket, event: string, payload: unknown) =>
    new Promise<Ack<T>>((resolve) =>
      (s.emit as (e: string, p: unknown, cb: (a: Ack<T>) => void) => void)(event, payload, resolve),
    );

  it.each(actors.filter((a) => a !== 'anonymous'))(
    '%s: join, typing, read receipts per channel',
    async (actor) => {
      const s = await as[actor].socket();
      sockets.push(s);
      const join = await emit<JoinResult>(s, 'dispute:join', { disputeId });
      cells++;
      const readable = channels.filter((c) => mayRead[c].includes(actor));
      if (!maySee.includes(actor))
        expect(join).toMatchObject({ ok: false, error: { code: 'not_found' } });
      else if (readable.length === 0)
        expect(join).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      else {
        expect(join.ok).toBe(true);
        if (join.ok) {
          expect([...new Set(join.messages.map((m) => m.channel))].sort()).toEqual(
            [...readable].sort(),
          );
          expect(Object.keys(join.reads).sort()).toEqual([...readable].sort());
          for (const c of channels.filter((x) => !readable.includes(x)))
            expect(JSON.stringify(join)).not.toContain(secretOf(c));
        }
      }
      for (const c of channels) {
        const typing = await emit(s, 'typing', { disputeId, channel: c });
        const read = await emit(s, 'message:read', { disputeId, channel: c, seq: 1 });
        cells += 2;
        expect(typing.ok, `${actor} typing ${c}`).toBe(
          maySee.includes(actor) && mayWrite[c].includes(actor),
        );
        expect(read.ok, `${actor} read ${c}`).toBe(
          maySee.includes(actor) && mayRead[c].includes(actor),
        );
      }
    },
  );

  it('anonymous sockets are refused at the handshake', async () => {
    await expect(as.anonymous.socket()).rejects.toThrow('unauthorized');
    cells++;
  });

  it('a party of another dispute learns nothing of this one', async () => {
    const s = await w.stranger.socket();
    sockets.push(s);
    const own = await emit<JoinResult>(s, 'dispute:join', { disputeId: strangersDisputeId });
    expect(own.ok).toBe(true);
    const got: string[] = [];
    s.onAny((event: string, payload: unknown) => got.push(`${event} ${JSON.stringify(payload)}`));
    await w.client.post(`/api/disputes/${disputeId}/messages`, {
      channel: 'joint',
      body: 'after join',
      clientMsgId: 'late-1',
    });
    // A marker in their own dispute, sent after: one socket's events arrive in order, so
    // anything of this dispute that reached them would be in `got` before the marker.
    const marker = waitFor<{ message: { body: string } }>(s, 'message:new');
    await w.stranger.post(`/api/disputes/${strangersDisputeId}/messages`, {
      channel: 'joint',
      body: 'marker in their own dispute',
      clientMsgId: 'marker-1',
    });
    expect((await marker).message.body).toBe('marker in their own dispute');
    expect(got.length).toBeGreaterThan(0);
    expect(got.join('\n')).not.toContain(disputeId);
    expect(got.join('\n')).not.toContain('after join');
  });

  afterAll(() => {
    // The figure the README's reliability section quotes.
    process.stdout.write(`authorization matrix: ${cells} cells checked\n`);
  });
});
