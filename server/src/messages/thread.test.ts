import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { Ack, Dispute, JoinResult, Message } from '@dispute-room/shared';
import type { RunningServer } from '../server.js';
import { ApiClient, type ClientSocket } from '../../test/api-client.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';
import { disputeInMediation, makeWorld, newContract, type World } from '../../test/world.js';

let server: RunningServer;
let second: RunningServer;
let w: World;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  server = await startTestServer();
  second = await startTestServer({
    dbName: server.ctx.config.MONGODB_DB,
    redisPrefix: server.ctx.config.REDIS_PREFIX,
  });
  w = await makeWorld(server);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await second.stop();
  await stopTestServer(server);
});

async function connect(c: ApiClient, on: RunningServer = server): Promise<ClientSocket> {
  const s = await c.socket({ url: on.url });
  sockets.push(s);
  return s;
}

function emit<T extends object>(s: ClientSocket, event: string, payload: unknown): Promise<Ack<T>> {
  return new Promise((resolve) =>
    (s.emit as (e: string, p: unknown, cb: (a: Ack<T>) => void) => void)(event, payload, resolve),
  );
}

async function join(s: ClientSocket, disputeId: string, after?: Record<string, number>) {
  const ack = await emit<JoinResult>(s, 'dispute:join', { disputeId, ...(after ? { after } : {}) });
  if (!ack.ok) throw new Error(JSON.stringify(ack.error));
  return ack;
}

/** Collects every `message:new` a socket receives. */
function inbox(s: ClientSocket): Message[] {
  const got: Message[] = [];
  s.on('message:new', ({ message }) => got.push(message));
  return got;
}

/** Posts `count` messages one after another over REST: bodies `<tag> <i>`, ids `<tag>-<i>`. */
async function sendMany(
  by: ApiClient,
  disputeId: string,
  channel: string,
  count: number,
  tag: string,
): Promise<Message[]> {
  const sent: Message[] = [];
  for (let i = 0; i < count; i++) {
    const res = await by.post(`/api/disputes/${disputeId}/messages`, {
      channel,
      body: `${tag} ${i}`,
      clientMsgId: `${tag}-${i}`,
    });
    if (res.status !== 201) throw new Error(`send failed: ${res.status}`);
    sent.push(res.body.message);
  }
  return sent;
}

/** Deliveries cross instances through Redis: assertions on them poll until a deadline. */
const eventually = (check: () => unknown) => vi.waitFor(check, { timeout: 5_000, interval: 25 });

describe('three people in one room', () => {
  it('joint reaches all three once; a caucus only the mediator and that party; internal only staff', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const [cs, fs, ms, os] = await Promise.all([
      connect(w.client),
      connect(w.freelancer, second),
      connect(w.mediator),
      connect(w.ops, second),
    ]);
    const [ci, fi, mi, oi] = [inbox(cs), inbox(fs), inbox(ms), inbox(os)];
    for (const s of [cs, fs, ms, os]) await join(s, d.id);

    const joint = await emit<{ message: Message }>(cs, 'message:send', {
      disputeId: d.id,
      channel: 'joint',
      body: ' hello all ',
      clientMsgId: 'c1',
    });
    expect(joint.ok && joint.message).toMatchObject({
      channel: 'joint',
      body: 'hello all',
      authorId: w.client.user!.id,
      kind: 'text',
    });
    const caucus = await emit<{ message: Message }>(ms, 'message:send', {
      disputeId: d.id,
      channel: 'caucus:freelancer',
      body: 'just us',
      clientMsgId: 'm1',
    });
    expect(caucus.ok).toBe(true);
    const internal = await emit<{ message: Message }>(os, 'message:send', {
      disputeId: d.id,
      channel: 'internal',
      body: 'staff note',
      clientMsgId: 'o1',
    });
    expect(internal.ok).toBe(true);

    const bodies = (got: Message[]) =>
      got
        .filter((m) => m.kind === 'text')
        .map((m) => `${m.channel}:${m.body}`)
        .sort();
    // Once the staff inboxes hold all three, a leak to the parties would have arrived too.
    await eventually(() => {
      expect(bodies(mi)).toEqual([
        'caucus:freelancer:just us',
        'internal:staff note',
        'joint:hello all',
      ]);
      expect(bodies(oi)).toEqual([
        'caucus:freelancer:just us',
        'internal:staff note',
        'joint:hello all',
      ]);
      expect(bodies(fi)).toEqual(['caucus:freelancer:just us', 'joint:hello all']);
      expect(bodies(ci)).toEqual(['joint:hello all']);
    });

    // The client cannot write or read the other caucus or the internal notes, by socket or REST.
    const denied = await emit(cs, 'message:send', {
      disputeId: d.id,
      channel: 'caucus:freelancer',
      body: 'x',
      clientMsgId: 'c2',
    });
    expect(denied).toEqual({
      ok: false,
      error: { code: 'forbidden', message: expect.any(String) },
    });
    expect((await w.client.get(`/api/disputes/${d.id}/messages?channel=internal`)).status).toBe(
      403,
    );
    expect(
      (
        await w.ops.post(`/api/disputes/${d.id}/messages`, {
          channel: 'joint',
          body: 'x',
          clientMsgId: 'o2',
        })
      ).status,
    ).toBe(403);
    // Heads and unread of the client name only its channels.
    const view = (await w.client.get(`/api/disputes/${d.id}`)).body.dispute;
    expect(Object.keys(view.heads).sort()).toEqual(['caucus:client', 'joint']);
    expect(Object.keys(view.unread).sort()).toEqual(['caucus:client', 'joint']);
  });

  it('typing and read receipts reach only the channel readers; unread follows reads', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const [cs, fs, ms] = await Promise.all([
      connect(w.client),
      connect(w.freelancer),
      connect(w.mediator, second),
    ]);
    for (const s of [cs, fs, ms]) await join(s, d.id);
    const typing = { c: [] as string[], f: [] as string[], m: [] as string[] };
    cs.on('typing', (t) => typing.c.push(t.channel));
    fs.on('typing', (t) => typing.f.push(t.channel));
    ms.on('typing', (t) => typing.m.push(t.channel));
    const reads: string[] = [];
    cs.on('read', (r) => reads.push(`${r.channel}:${r.userId}`));

    expect((await emit(ms, 'typing', { disputeId: d.id, channel: 'caucus:freelancer' })).ok).toBe(
      true,
    );
    expect((await emit(cs, 'typing', { disputeId: d.id, channel: 'joint' })).ok).toBe(true);
    expect((await emit(cs, 'typing', { disputeId: d.id, channel: 'internal' })).ok).toBe(false);
    // The two typists sit on different instances: their events may arrive in either order.
    await eventually(() =>
      expect({ ...typing, f: [...typing.f].sort() }).toEqual({
        c: [],
        f: ['caucus:freelancer', 'joint'],
        m: ['joint'],
      }),
    );

    await emit(ms, 'message:send', {
      disputeId: d.id,
      channel: 'caucus:freelancer',
      body: 'private',
      clientMsgId: 'p1',
    });
    const m = await emit<{ message: Message }>(ms, 'message:send', {
      disputeId: d.id,
      channel: 'joint',
      body: 'public',
      clientMsgId: 'p2',
    });
    const jointSeq = m.ok ? m.message.seq : -1;
    let fView = (await w.freelancer.get(`/api/disputes/${d.id}`)).body.dispute;
    expect(fView.unread['caucus:freelancer']).toBe(fView.heads['caucus:freelancer']);
    expect(fView.unread.joint).toBeGreaterThan(0);

    await emit(fs, 'message:read', { disputeId: d.id, channel: 'caucus:freelancer', seq: 999 });
    await emit(fs, 'message:read', { disputeId: d.id, channel: 'joint', seq: jointSeq });
    fView = (await w.freelancer.get(`/api/disputes/${d.id}`)).body.dispute;
    expect(fView.unread).toEqual({ joint: 0, 'caucus:freelancer': 0 });
    await eventually(() => expect(reads).toEqual([`joint:${w.freelancer.user!.id}`]));

    // A rejoin reports read positions of the channels the joiner may read.
    const ack = await join(cs, d.id);
    expect(ack.reads.joint?.[w.freelancer.user!.id]).toBe(jointSeq);
    expect(ack.reads['caucus:freelancer']).toBeUndefined();
  });

  it('read positions move in memory, reach the other instance within a flush and are stored', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    // The client, on the second instance, joins first: that instance now holds the
    // freelancer's joint position (0) in memory.
    const cs = await connect(w.client, second);
    expect((await join(cs, d.id)).reads.joint?.[w.freelancer.user!.id]).toBe(0);
    const fs = await connect(w.freelancer);
    await join(fs, d.id);
    const { seq } = (await sendMany(w.mediator, d.id, 'joint', 3, 'update')).at(-1)!;
    expect((await emit(fs, 'message:read', { disputeId: d.id, channel: 'joint', seq })).ok).toBe(
      true,
    );
    // Same instance: at once.
    expect((await w.freelancer.get(`/api/disputes/${d.id}`)).body.dispute.unread.joint).toBe(0);
    // The other instance raises its copy when the first one announces its flush (every 1 s).
    await vi.waitFor(
      async () => expect((await join(cs, d.id)).reads.joint?.[w.freelancer.user!.id]).toBe(seq),
      { timeout: 5_000, interval: 250 },
    );
    // A new instance with nothing in memory reads what the first one stored (its periodic
    // flush, run here at once; a graceful stop runs it too).
    await server.domain.log.flush();
    const third = await startTestServer({
      dbName: server.ctx.config.MONGODB_DB,
      redisPrefix: server.ctx.config.REDIS_PREFIX,
    });
    try {
      const f3 = new ApiClient(third.url);
      f3.cookie = w.freelancer.cookie;
      const view = (await f3.get(`/api/disputes/${d.id}`)).body.dispute;
      expect(view.heads.joint).toBe(seq);
      expect(view.unread.joint).toBe(0);
    } finally {
      await third.stop();
    }
  });

  it('a list on one instance shows the heads and unread of entries stored through the other', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const onSecond = new ApiClient(second.url);
    onSecond.cookie = w.mediator.cookie;
    const listed = async () =>
      ((await onSecond.get('/api/disputes?assigned=me')).body.disputes as Dispute[]).find(
        (x) => x.id === d.id,
      )!;
    // The second instance has seen the channel (the list reads it once), then entries are
    // stored through the first one: lists read heads from memory, raised by its announcements.
    const before = await listed();
    const sent = await sendMany(w.client, d.id, 'caucus:client', 3, 'listed');
    await vi.waitFor(
      async () => {
        const now = await listed();
        expect(now.heads['caucus:client']).toBe(sent.at(-1)!.seq);
        expect(now.unread['caucus:client']).toBe((before.unread['caucus:client'] ?? 0) + 3);
      },
      { timeout: 5_000, interval: 100 },
    );
  });

  it('presence: joining says online to the others, leaving and disconnecting say offline', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const cs = await connect(w.client);
    await join(cs, d.id);
    const seen: string[] = [];
    cs.on('presence', (p) =>
      seen.push(`${p.userId === w.freelancer.user!.id ? 'f' : '?'}:${p.online}`),
    );
    const fs = await connect(w.freelancer, second);
    const ack = await join(fs, d.id);
    expect(ack.presence).toMatchObject({
      [w.client.user!.id]: true,
      [w.freelancer.user!.id]: true,
      [w.mediator.user!.id]: false,
    });
    await eventually(() => expect(seen).toEqual(['f:true']));
    fs.disconnect();
    await eventually(() => expect(seen).toEqual(['f:true', 'f:false']));
  });

  it('dispute:updated reaches list views of everyone allowed, joined or not', async () => {
    const contractId = await newContract(w);
    const [cs, ms, os, ss] = await Promise.all([
      connect(w.client),
      connect(w.otherMediator, second),
      connect(w.ops),
      connect(w.stranger),
    ]);
    type Seen = { id: string; state: string }[];
    const seen = { c: [] as Seen, m: [] as Seen, o: [] as Seen, s: [] as Seen };
    cs.on('dispute:updated', ({ dispute }) => seen.c.push(dispute));
    ms.on('dispute:updated', ({ dispute }) => seen.m.push(dispute));
    os.on('dispute:updated', ({ dispute }) => seen.o.push(dispute));
    ss.on('dispute:updated', ({ dispute }) => seen.s.push(dispute));
    const d = (
      await w.client.post('/api/disputes', {
        contractId,
        reason: 'scope',
        description: 'x',
        claimCents: 5,
      })
    ).body.dispute;
    await w.freelancer.post(`/api/disputes/${d.id}/respond`, { accept: false });
    // Earlier tests' disputes may still send (throttled) updates: look at this one only. Its
    // people also get an update when its system entries move their unread counts, with the
    // same state: what a list view goes through is the states, each once, in order.
    const of = (list: Seen) =>
      list
        .filter((x) => x.id === d.id)
        .map((x) => x.state)
        .filter((state, i, states) => state !== states[i - 1]);
    await eventually(() => {
      const updates = { c: of(seen.c), m: of(seen.m), o: of(seen.o), s: of(seen.s) };
      expect(updates.c).toEqual(['open', 'mediation']);
      expect(updates.o).toEqual(['open', 'mediation']);
      expect(updates.m).toEqual(['mediation']);
      expect(updates.s).toEqual([]);
    });
  });
});

describe('ordering, idempotency and recovery', () => {
  it('20 parallel sends from two instances give seqs 1..20 with no gap or duplicate and a valid chain', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const [a, b] = await Promise.all([connect(w.client), connect(w.freelancer, second)]);
    const headBefore = (await w.ops.get(`/api/disputes/${d.id}`)).body.dispute.heads[
      'caucus:client'
    ] as number;
    expect(headBefore).toBe(0);
    const acks = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        emit<{ message: Message }>(i % 2 ? a : (b as ClientSocket), 'message:send', {
          disputeId: d.id,
          channel: i % 2 ? 'caucus:client' : 'caucus:freelancer',
          body: `m${i}`,
          clientMsgId: `par-${i}`,
        }),
      ),
    );
    expect(acks.every((x) => x.ok)).toBe(true);
    // Now all 20 into one channel, split over both instances.
    const jointBefore = (await w.ops.get(`/api/disputes/${d.id}`)).body.dispute.heads
      .joint as number;
    const mixed = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        emit<{ message: Message }>(i % 2 ? a : b, 'message:send', {
          disputeId: d.id,
          channel: 'joint',
          body: `j${i}`,
          clientMsgId: `joint-${i}`,
        }),
      ),
    );
    const seqs = mixed.map((x) => (x.ok ? x.message.seq : -1)).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => jointBefore + 1 + i));
    const check = await server.domain.log.verify(d.id, 'joint');
    expect(check).toMatchObject({ verified: true, brokenAt: null, entries: jointBefore + 20 });
  });

  it('a repeated clientMsgId returns the original, whatever the body, over REST and socket', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const first = await w.client.post(`/api/disputes/${d.id}/messages`, {
      channel: 'joint',
      body: 'once',
      clientMsgId: 'dup-1',
    });
    expect(first.status).toBe(201);
    const again = await w.client.post(`/api/disputes/${d.id}/messages`, {
      channel: 'joint',
      body: 'twice?',
      clientMsgId: 'dup-1',
    });
    expect(again.status).toBe(200);
    expect(again.body.message).toEqual(first.body.message);
    const s = await connect(w.client, second);
    const viaSocket = await emit<{ message: Message }>(s, 'message:send', {
      disputeId: d.id,
      channel: 'joint',
      body: 'x',
      clientMsgId: 'dup-1',
    });
    expect(viaSocket.ok && viaSocket.message.id).toBe(first.body.message.id);
    // Concurrent duplicates store one entry.
    const burst = await Promise.all(
      Array.from({ length: 6 }, () =>
        w.client.post(`/api/disputes/${d.id}/messages`, {
          channel: 'joint',
          body: 'race',
          clientMsgId: 'dup-2',
        }),
      ),
    );
    expect(new Set(burst.map((r) => r.body.message.id)).size).toBe(1);
    expect(burst.filter((r) => r.status === 201)).toHaveLength(1);
    // Another author may use the same clientMsgId.
    const other = await w.freelancer.post(`/api/disputes/${d.id}/messages`, {
      channel: 'joint',
      body: 'mine',
      clientMsgId: 'dup-1',
    });
    expect(other.status).toBe(201);
  });

  it('rejoining with after gets exactly the missed entries, across instances', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const fs = await connect(w.freelancer);
    const first = await join(fs, d.id);
    const lastSeen = Math.max(
      ...first.messages.filter((m) => m.channel === 'joint').map((m) => m.seq),
    );
    fs.disconnect();
    await sendMany(w.client, d.id, 'joint', 5, 'missed');
    await w.mediator.post(`/api/disputes/${d.id}/messages`, {
      channel: 'caucus:client',
      body: 'not yours',
      clientMsgId: 'x',
    });
    const back = await connect(w.freelancer, second);
    const ack = await join(back, d.id, { joint: lastSeen, 'caucus:freelancer': 0 });
    expect(ack.messages.map((m) => `${m.channel}#${m.seq}:${m.body}`)).toEqual(
      Array.from({ length: 5 }, (_, i) => `joint#${lastSeen + 1 + i}:missed ${i}`),
    );
    expect(ack.hasMore).toEqual({ joint: false, 'caucus:freelancer': false });
  });

  it('a receipt for an entry another instance just stored is not cut back to a stale head', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const fs = await connect(w.freelancer);
    await join(fs, d.id);
    // Stored through the second instance, which does not announce it yet.
    const announce = second.domain.hub.announceLogAdvance;
    second.domain.hub.announceLogAdvance = () => undefined;
    onTestFinished(() => void (second.domain.hub.announceLogAdvance = announce));
    const onSecond = new ApiClient(second.url);
    onSecond.cookie = w.client.cookie;
    const [latest] = await sendMany(onSecond, d.id, 'joint', 1, 'fresh');
    const read = await emit<object>(fs, 'message:read', {
      disputeId: d.id,
      channel: 'joint',
      seq: latest!.seq,
    });
    expect(read.ok).toBe(true);
    expect((await w.freelancer.get(`/api/disputes/${d.id}`)).body.dispute.unread.joint).toBe(0);
  });

  it('takes what another instance announces only when it has the expected shape', async () => {
    const log = second.domain.log;
    const key = `${'a'.repeat(24)}:joint`;
    for (const garbage of [null, 'x', { heads: 'x' }, { heads: [null, { key: 1 }], reads: [7] }])
      expect(() => log.learn(garbage as never)).not.toThrow();
    log.learn({ heads: [{ key, seq: 3, hash: 'h' }], reads: [] });
    expect(await log.knownHead('a'.repeat(24), 'joint')).toBe(3);
  });

  it('an instance that fell far behind finds the exact head (gallop, then halve)', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const before = await second.domain.log.loadHead(d.id, 'caucus:client');
    // Silence the writer's announcements, so `second` must find the head by reading.
    const announce = server.domain.hub.announceLogAdvance;
    server.domain.hub.announceLogAdvance = () => undefined;
    onTestFinished(() => void (server.domain.hub.announceLogAdvance = announce));
    const last = (await sendMany(w.client, d.id, 'caucus:client', 37, 'gallop')).at(-1)!;
    expect(last.seq).toBe(before.seq + 37);
    const head = await second.domain.log.loadHead(d.id, 'caucus:client');
    expect(head).toEqual({ seq: last.seq, hash: last.hash });
  });

  it('a cold instance reads pages by bucket, and entries stored before buckets one by one', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    for (let i = 0; i < 150; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, k) =>
          w.client.post(`/api/disputes/${d.id}/messages`, {
            channel: 'caucus:client',
            body: `entry ${i + k}`,
            clientMsgId: `bucket-${i + k}`,
          }),
        ),
      );
    }
    // As if written by an older version: no bucket on every third entry.
    const stored = server.domain.log.models.messages;
    const all = await stored.find({ disputeId: d.id, channel: 'caucus:client' }).lean();
    const legacy = all.filter((m) => m.seq % 3 === 0).map((m) => m._id);
    await stored.collection.updateMany({ _id: { $in: legacy } } as never, {
      $unset: { bucket: '' },
    });
    const onSecond = new ApiClient(second.url);
    onSecond.cookie = w.client.cookie;
    // What `second` asks the database for the entries (head probes aside).
    const bucketReads: string[] = [];
    const entryReads: string[] = [];
    type Filter = { bucket?: string; _id?: string };
    mongoose.set(
      'debug',
      (coll: string, method: string, filter: Filter, opts?: { projection?: object }) => {
        if (coll !== 'messages') return;
        if (method === 'find' && 'bucket' in filter) bucketReads.push(String(filter.bucket));
        if (method === 'findOne' && !opts?.projection) entryReads.push(String(filter._id));
      },
    );
    const page = await onSecond
      .get(`/api/disputes/${d.id}/messages?channel=caucus:client&after=10&limit=130`)
      .finally(() => mongoose.set('debug', false));
    expect(page.status).toBe(200);
    // seqs 11..140 lie in buckets 0, 1 and 2; only the legacy entries among them go one by one.
    expect(bucketReads.sort()).toEqual([0, 1, 2].map((b) => `${d.id}_cc_b${b}`));
    expect(entryReads.sort()).toEqual(
      legacy
        .filter((id) => Number(id.split('_').at(-1)) > 10 && Number(id.split('_').at(-1)) <= 140)
        .sort(),
    );
    expect((page.body.messages as Message[]).map((m) => m.seq)).toEqual(
      Array.from({ length: 130 }, (_, i) => 11 + i),
    );
    expect(page.body.hasMore).toBe(true);
  });

  it('on FerretDB over SQLite pages are read by primary key (the only equality it pushes down)', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    await sendMany(w.client, d.id, 'caucus:client', 70, 'sqlite');
    const onSqlite = await startTestServer({
      dbName: server.ctx.config.MONGODB_DB,
      redisPrefix: server.ctx.config.REDIS_PREFIX,
      ferretdbHandler: 'sqlite',
    });
    try {
      expect(onSqlite.ctx.flavor).toBe('ferretdb-sqlite');
      const reads = { bucket: 0, entry: 0 };
      mongoose.set('debug', (coll: string, method: string, filter: object, opts?: object) => {
        if (coll !== 'messages') return;
        if (method === 'find' && 'bucket' in filter) reads.bucket++;
        if (method === 'findOne' && !(opts as { projection?: object } | undefined)?.projection)
          reads.entry++;
      });
      const page = await onSqlite.domain.log
        .page(d.id, 'caucus:client', 5, 60)
        .finally(() => mongoose.set('debug', false));
      expect(page.messages.map((m) => m.seq)).toEqual(Array.from({ length: 60 }, (_, i) => 6 + i));
      expect(reads).toEqual({ bucket: 0, entry: 60 });
    } finally {
      await onSqlite.stop();
    }
  });

  it('REST pages a channel with after/limit and hasMore', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    await sendMany(w.client, d.id, 'caucus:client', 7, 'n');
    const p1 = await w.client.get(`/api/disputes/${d.id}/messages?channel=caucus:client&limit=3`);
    expect(p1.body.messages.map((m: Message) => m.seq)).toEqual([1, 2, 3]);
    expect(p1.body.hasMore).toBe(true);
    const p3 = await w.client.get(
      `/api/disputes/${d.id}/messages?channel=caucus:client&after=6&limit=3`,
    );
    expect(p3.body.messages.map((m: Message) => m.body)).toEqual(['n 6']);
    expect(p3.body.hasMore).toBe(false);
    expect(
      (await w.client.get(`/api/disputes/${d.id}/messages?channel=caucus:client&limit=501`)).status,
    ).toBe(400);
  });
});

describe('hash chain', () => {
  it('an edit appends an entry, keeps the original and keeps the chain valid', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const sent = await w.client.post(`/api/disputes/${d.id}/messages`, {
      channel: 'joint',
      body: 'orignal txt',
      clientMsgId: 'e1',
    });
    expect(
      (
        await w.freelancer.patch(`/api/disputes/${d.id}/messages/${sent.body.message.id}`, {
          body: 'hacked',
        })
      ).status,
    ).toBe(403);
    const edited = await w.client.patch(`/api/disputes/${d.id}/messages/${sent.body.message.id}`, {
      body: 'original text',
    });
    expect(edited.status).toBe(200);
    expect(edited.body.message).toMatchObject({
      body: 'original text',
      originalBody: 'orignal txt',
      seq: sent.body.message.seq,
    });
    expect(edited.body.message.editedAt).not.toBeNull();
    const all = (await w.client.get(`/api/disputes/${d.id}/messages?channel=joint`)).body
      .messages as Message[];
    const edit = all.at(-1)!;
    expect(edit).toMatchObject({
      kind: 'edit',
      editOf: sent.body.message.id,
      body: 'original text',
    });
    expect(all.find((m) => m.id === sent.body.message.id)!.body).toBe('original text');
    expect(await server.domain.log.verify(d.id, 'joint')).toMatchObject({ verified: true });
  });

  it('detects a body altered behind the API and a removed entry', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const ids = (await sendMany(w.client, d.id, 'caucus:client', 4, 'fact')).map((m) => m.id);
    const messages = server.domain.log.models.messages.collection;
    await messages.updateOne({ _id: ids[1] } as never, {
      $set: { text: 'fact one (doctored)', body: 'fact one (doctored)' },
    });
    expect(await server.domain.log.verify(d.id, 'caucus:client')).toMatchObject({
      verified: false,
      brokenAt: 2,
    });
    await messages.updateOne({ _id: ids[1] } as never, {
      $set: { text: 'fact 1', body: 'fact 1' },
    });
    expect(await server.domain.log.verify(d.id, 'caucus:client')).toMatchObject({ verified: true });
    await messages.deleteOne({ _id: ids[2] } as never);
    expect(await server.domain.log.verify(d.id, 'caucus:client')).toMatchObject({
      verified: false,
      brokenAt: 3,
    });
  });

  it('detects a removed last entry, which leaves no hole in the chain', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const ids = (await sendMany(w.client, d.id, 'caucus:client', 3, 'last')).map((m) => m.id);
    const messages = server.domain.log.models.messages.collection;
    await messages.deleteOne({ _id: ids[2] } as never);
    // The instance that wrote it knows its head at once; another one from the stored hint.
    expect(await server.domain.log.verify(d.id, 'caucus:client')).toMatchObject({
      verified: false,
      brokenAt: 3,
    });
    await server.domain.log.flush();
    expect(await second.domain.log.verify(d.id, 'caucus:client')).toMatchObject({
      verified: false,
      brokenAt: 3,
    });
  });
});

describe('bad input changes nothing and crashes nothing', () => {
  it('answers each bad socket payload with the error shape', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const s = await connect(w.client);
    const count = () => server.domain.log.models.messages.countDocuments({ disputeId: d.id });
    const before = await count();
    const cases: [unknown, string][] = [
      [{ disputeId: 'nope', channel: 'joint', body: 'x', clientMsgId: 'a' }, 'not_found'],
      [{ disputeId: d.id, channel: 'internal', body: 'x', clientMsgId: 'a' }, 'forbidden'],
      [
        { disputeId: d.id, channel: 'joint', body: 'x'.repeat(10_001), clientMsgId: 'a' },
        'validation_failed',
      ],
      [{ disputeId: d.id, channel: 'joint', body: '   ', clientMsgId: 'a' }, 'validation_failed'],
      [{ disputeId: d.id, channel: 'joint', body: 'x' }, 'validation_failed'],
      [
        { disputeId: { $gt: '' }, channel: 'joint', body: 'x', clientMsgId: 'a' },
        'validation_failed',
      ],
      [{ disputeId: d.id, channel: 'nowhere', body: 'x', clientMsgId: 'a' }, 'validation_failed'],
      ['not an object', 'validation_failed'],
      [null, 'validation_failed'],
    ];
    for (const [payload, code] of cases) {
      const ack = await emit(s, 'message:send', payload);
      expect(ack, JSON.stringify(payload).slice(0, 80)).toMatchObject({
        ok: false,
        error: { code },
      });
    }
    // Events without an ack and with junk do not hurt either.
    (s.emit as (e: string, p: unknown) => void)('message:send', { disputeId: d.id });
    (s.emit as (e: string, p: unknown) => void)('dispute:join', 42);
    expect((await emit(s, 'dispute:join', { disputeId: 'x'.repeat(500) })).ok).toBe(false);
    expect(await count()).toBe(before);
    await w.client.post(`/api/disputes/${d.id}/withdraw`);
    const closed = await emit(s, 'message:send', {
      disputeId: d.id,
      channel: 'joint',
      body: 'late',
      clientMsgId: 'late',
    });
    expect(closed).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });
});
