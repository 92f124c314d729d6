import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { io as connectSocket } from 'socket.io-client';
import type { Ack, Dispute, Message } from '@dispute-room/shared';
import type { RunningServer } from '../server.js';
import type { ClientSocket } from '../../test/api-client.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';
import { disputeInMediation, makeWorld, type World } from '../../test/world.js';
import {
  PAYLOAD_MAX_DEPTH,
  PAYLOAD_MAX_VALUES,
  packetShapeProblem,
  payloadProblem,
} from './payload.js';

describe('payloadProblem', () => {
  it('accepts plain JSON data, null-prototype objects included', () => {
    expect(payloadProblem({ a: [1, 'x', true, null, { b: -0.5 }] })).toBeNull();
    expect(payloadProblem(Object.assign(Object.create(null) as object, { a: 1 }))).toBeNull();
    expect(payloadProblem(undefined)).toMatch(/plain JSON/);
  });

  it('refuses binary data and anything that is not plain JSON, without looking inside', () => {
    for (const binary of [
      Buffer.alloc(900_000),
      new Uint8Array(4),
      new Float64Array(4),
      new DataView(new ArrayBuffer(8)),
      new ArrayBuffer(8),
      { nested: [Buffer.from('x')] },
    ]) {
      expect(payloadProblem(binary)).toBe('binary data is not accepted');
    }
    class Payload {
      disputeId = 'd';
    }
    expect(payloadProblem(new Map([['disputeId', 'd']]))).toMatch(/plain JSON data \(got Map\)/);
    expect(payloadProblem({ s: new Set([1]) })).toMatch(/plain JSON data \(got Set\)/);
    expect(payloadProblem(new Payload())).toMatch(/plain JSON data \(got Payload\)/);
    expect(payloadProblem({ at: new Date() })).toMatch(/got Date/);
    expect(payloadProblem({ n: Number.NaN })).toMatch(/finite/);
    expect(payloadProblem({ n: 1n })).toMatch(/got bigint/);
  });

  it('says what is wrong: depth, size, Unicode', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < PAYLOAD_MAX_DEPTH + 1; i++) deep = [deep];
    expect(payloadProblem(deep)).toMatch(/nested too deeply/);
    let bottomless: unknown = null;
    for (let i = 0; i < 500_000; i++) bottomless = { a: bottomless };
    expect(payloadProblem(bottomless)).toMatch(/nested too deeply/);
    expect(payloadProblem(new Array(PAYLOAD_MAX_VALUES).fill(0))).toMatch(/too large/);
    expect(
      payloadProblem(Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]))),
    ).toMatch(/too large/);
    expect(payloadProblem({ body: 'a\ud800' })).toMatch(/invalid Unicode/);
    expect(payloadProblem({ ['\udc00']: 1 })).toMatch(/invalid Unicode/);
  });
});

/** engine.io-client's socket: raw packets in and out, and its WebSocket. */
interface EngineSocket {
  write(packet: string): void;
  on(event: 'packet', listener: (packet: { type: string; data?: unknown }) => void): void;
  transport: { ws: { send(data: Buffer, opts: { binary: boolean }): void } };
}

const engineOf = (s: ClientSocket) => (s.io as unknown as { engine: EngineSocket }).engine;

/** The disconnect reason, or `answered …` when the server answered raw packet id 1 instead. */
function closedOrAnswered(s: ClientSocket): Promise<string> {
  return new Promise((resolve) => {
    s.once('disconnect', (reason) => resolve(reason));
    engineOf(s).on('packet', (p) => {
      if (p.type === 'message' && String(p.data).startsWith('31[')) resolve(`answered ${p.data}`);
    });
  });
}

describe('packetShapeProblem', () => {
  it('counts nesting and values outside strings only', () => {
    expect(packetShapeProblem(`2["typing",${'['.repeat(40)}${']'.repeat(40)}]`)).toMatch(/deeply/);
    expect(packetShapeProblem(`2["typing",[${'0,'.repeat(3_000)}0]]`)).toMatch(/too many/);
    const inside = JSON.stringify({ body: `${'[{'.repeat(5_000)}\\"${',:'.repeat(5_000)}` });
    expect(packetShapeProblem(`21["message:send",${inside}]`)).toBeNull();
  });
});

describe('hostile payloads on the wire', () => {
  let server: RunningServer;
  let w: World;
  let d: Dispute;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    w = await makeWorld(server);
    d = await disputeInMediation(w);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await stopTestServer(server);
  });

  const connect = async (transports: ('websocket' | 'polling')[] = ['websocket']) => {
    const s: ClientSocket = connectSocket(server.url, {
      path: '/socket.io',
      transports,
      forceNew: true,
      reconnection: false,
      extraHeaders: { cookie: w.client.cookie! },
    });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', resolve);
      s.once('connect_error', reject);
    });
    return s;
  };
  const emit = (s: ClientSocket, event: string, ...args: unknown[]) =>
    new Promise<Ack>((resolve) => (s.emit as (...a: unknown[]) => void)(event, ...args, resolve));

  it('answers binary attachments "binary data is not accepted" and stays responsive', async () => {
    const s = await connect();
    for (const payload of [
      Buffer.alloc(60_000),
      new Float64Array(1_000),
      { disputeId: d.id, channel: 'joint', extra: new Uint8Array(16) },
    ]) {
      expect(await emit(s, 'typing', payload)).toEqual({
        ok: false,
        error: { code: 'validation_failed', message: 'binary data is not accepted' },
      });
    }
    const send = await emit(s, 'message:send', {
      disputeId: d.id,
      channel: 'joint',
      body: 'with a buffer',
      clientMsgId: 'buffer-1',
      evidenceIds: [Buffer.from('x')],
    });
    expect(send).toMatchObject({ ok: false, error: { message: 'binary data is not accepted' } });
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    expect(await emit(s, 'typing', { disputeId: d.id, channel: 'joint' })).toEqual({ ok: true });
  });

  it('says a deeply nested payload is nested too deeply, not that its Unicode is bad', async () => {
    const s = await connect();
    let deep: unknown = d.id;
    for (let i = 0; i < PAYLOAD_MAX_DEPTH + 4; i++) deep = [deep];
    const ack = await emit(s, 'dispute:join', { disputeId: deep });
    expect(ack).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', message: expect.stringMatching(/nested too deeply/) },
    });
    const lone = await emit(s, 'message:send', {
      disputeId: d.id,
      channel: 'joint',
      body: 'lone \ud800',
      clientMsgId: 'lone-1',
    });
    expect(lone).toMatchObject({ ok: false, error: { message: expect.stringMatching(/Unicode/) } });
  });

  it('closes a connection whose message is over SOCKET_MAX_PAYLOAD_BYTES before parsing it', async () => {
    const s = await connect();
    const outcome = await new Promise<string>((resolve) => {
      s.once('disconnect', (reason) => resolve(`disconnect: ${reason}`));
      s.emit(
        'typing',
        { disputeId: d.id, channel: 'joint', pad: 'x'.repeat(200_000) } as never,
        ((ack: Ack) => resolve(`answered: ${JSON.stringify(ack)}`)) as never,
      );
    });
    expect(outcome).toBe('disconnect: transport close');
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  it('closes a connection whose packet is too deep or too wide to be worth parsing', async () => {
    for (const data of [
      `${'['.repeat(30_000)}${']'.repeat(30_000)}`,
      JSON.stringify(Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]))),
    ]) {
      const s = await connect();
      const closed = closedOrAnswered(s);
      engineOf(s).write(`21["typing",${data}]`);
      expect(await closed).toBe('transport close');
    }
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  /** A raw long-polling session: what a client can put on the wire, byte for byte. */
  async function pollingSession() {
    const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const headers = { cookie: w.client.cookie! };
    const open = await (await fetch(base, { headers })).text();
    const { sid } = JSON.parse(open.slice(1)) as { sid: string };
    const url = `${base}&sid=${sid}`;
    const post = (body: string | Uint8Array) =>
      fetch(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'text/plain;charset=UTF-8' },
        body,
      });
    expect((await post('40')).status).toBe(200);
    expect(await (await fetch(url, { headers })).text()).toMatch(/^40/);
    return { url, headers, post };
  }

  it('refuses malformed UTF-8 in a long-polling body instead of storing U+FFFD', async () => {
    const { post } = await pollingSession();
    const packet = (body: string) =>
      `421${JSON.stringify(['message:send', { disputeId: d.id, channel: 'joint', body, clientMsgId: 'utf8-bad' }])}`;
    const [before, after] = packet('bad MARK bytes').split('MARK');
    const bytes = Buffer.concat([
      Buffer.from(before!),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(after!),
    ]);
    expect((await post(bytes)).status).toBe(400);
    const list = await w.client.get(`/api/disputes/${d.id}/messages?channel=joint`);
    expect(list.body.messages.map((m: Message) => m.clientMsgId)).not.toContain('utf8-bad');
  });

  it('closes a WebSocket whose text frame is malformed UTF-8, storing nothing', async () => {
    const s = await connect();
    const ws = engineOf(s).transport.ws;
    const packet = `421${JSON.stringify(['message:send', { disputeId: d.id, channel: 'joint', body: 'ws MARK', clientMsgId: 'ws-bad' }])}`;
    const [before, after] = packet.split('MARK');
    const closed = closedOrAnswered(s);
    ws.send(Buffer.concat([Buffer.from(before!), Buffer.from([0xc3, 0x28]), Buffer.from(after!)]), {
      binary: false,
    });
    expect(await closed).toMatch(/transport (close|error)/);
    const list = await w.client.get(`/api/disputes/${d.id}/messages?channel=joint`);
    expect(list.body.messages.map((m: Message) => m.clientMsgId)).not.toContain('ws-bad');
  });

  it('still takes well-formed text of any script over long-polling, split across chunks or not', async () => {
    const s = await connect(['polling']);
    const body = `é ✓ 😀 ${'ж'.repeat(20_000)}`.slice(0, 10_000);
    const ack = await emit(s, 'message:send', {
      disputeId: d.id,
      channel: 'joint',
      body,
      clientMsgId: 'utf8-good',
    });
    expect(ack).toMatchObject({ ok: true, message: { body } });
    await vi.waitFor(async () => {
      const list = await w.client.get(`/api/disputes/${d.id}/messages?channel=joint`);
      expect(list.body.messages.find((m: Message) => m.clientMsgId === 'utf8-good')?.body).toBe(
        body,
      );
    });
  });
});
