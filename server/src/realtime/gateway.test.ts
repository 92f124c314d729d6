import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { io as connectSocket } from 'socket.io-client';
import type { Ack } from '@dispute-room/shared';
import { loadConfig } from '../config.js';
import type { Context } from '../context.js';
import { createLogger } from '../logger.js';
import { connectRedis, type RedisClients } from '../redis.js';
import type { RunningServer } from '../server.js';
import type { ApiClient } from '../../test/api-client.js';
import { adminClient, makeUser, type ClientSocket } from '../../test/api-client.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';
import { disputeInMediation, makeWorld, type World } from '../../test/world.js';
import { SOCKET_LEASE_MS, SocketCaps } from './socket-caps.js';

const sockets: ClientSocket[] = [];
afterAll(() => sockets.forEach((s) => s.disconnect()));

/** Connects with exactly these credentials and headers; resolves the socket or the refusal. */
async function open(
  url: string,
  opts: { cookie?: string; token?: string; headers?: Record<string, string> },
): Promise<{ socket: ClientSocket } | { refused: Error & { data?: { code?: string } } }> {
  const socket: ClientSocket = connectSocket(url, {
    path: '/socket.io',
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: { ...(opts.cookie ? { cookie: opts.cookie } : {}), ...opts.headers },
    auth: opts.token ? { token: opts.token } : {},
  });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (refused) => resolve({ refused }));
  });
}

const refusalOf = (r: Awaited<ReturnType<typeof open>>) => ('refused' in r ? r.refused : null);

async function tokenOf(c: ApiClient): Promise<string> {
  const res = await c.post('/api/auth/tokens', { name: 'socket test' });
  return res.body.token as string;
}

describe('origin rule at the handshake', () => {
  let server: RunningServer;
  let w: World;

  beforeAll(async () => {
    server = await startTestServer({ env: { ALLOWED_ORIGINS: 'https://app.example' } });
    w = await makeWorld(server);
  });
  afterAll(() => stopTestServer(server));

  it('refuses a cookie connection from another site, before it can join or send', async () => {
    const d = await disputeInMediation(w);
    const evil = await open(server.url, {
      cookie: w.client.cookie!,
      headers: { Origin: 'http://evil.example' },
    });
    expect(refusalOf(evil)?.message).toBe('cross-site connection refused');
    expect(refusalOf(evil)?.data).toEqual({ code: 'forbidden' });

    const referer = await open(server.url, {
      cookie: w.client.cookie!,
      headers: { Referer: 'http://evil.example/page' },
    });
    expect(refusalOf(referer)?.message).toBe('cross-site connection refused');

    const own = await open(server.url, {
      cookie: w.client.cookie!,
      headers: { Origin: server.url },
    });
    expect('socket' in own).toBe(true);
    if ('socket' in own) {
      const ack = await new Promise<Ack>((resolve) =>
        own.socket.emit('dispute:join', { disputeId: d.id }, resolve as never),
      );
      expect(ack.ok).toBe(true);
    }
  });

  it('lets in ALLOWED_ORIGINS, and our own origin behind a trusted TLS proxy', async () => {
    const listed = await open(server.url, {
      cookie: w.client.cookie!,
      headers: { Origin: 'https://app.example' },
    });
    expect(refusalOf(listed)).toBeNull();
    const host = new URL(server.url).host;
    const proxied = await open(server.url, {
      cookie: w.client.cookie!,
      headers: { Origin: `https://${host}`, 'X-Forwarded-Proto': 'https' },
    });
    expect(refusalOf(proxied)).toBeNull();
    const unproxied = await open(server.url, {
      cookie: w.client.cookie!,
      headers: { Origin: `https://${host}` },
    });
    expect(refusalOf(unproxied)?.message).toBe('cross-site connection refused');
  });

  it('answers every origin as the REST guard does (one rule)', async () => {
    const host = new URL(server.url).host;
    const cases: [Record<string, string>, boolean][] = [
      [{ Origin: 'http://evil.example' }, false],
      [{ Referer: 'http://evil.example/x' }, false],
      [{ Origin: 'null' }, false],
      [{ Origin: server.url }, true],
      [{ Origin: 'https://app.example' }, true],
      [{ Origin: `https://${host}`, 'X-Forwarded-Proto': 'https' }, true],
      [{ Origin: `https://${host}` }, false],
      [{}, true],
    ];
    for (const [headers, allowed] of cases) {
      const rest = await w.client.request('POST', '/api/auth/tokens', { name: 'x' }, headers);
      const socket = await open(server.url, { cookie: w.client.cookie!, headers });
      expect([rest.status !== 403, refusalOf(socket) === null], JSON.stringify(headers)).toEqual([
        allowed,
        allowed,
      ]);
    }
  });

  it('lets token connections in from any origin (no ambient credential)', async () => {
    const token = await tokenOf(w.client);
    const viaAuth = await open(server.url, { token, headers: { Origin: 'http://evil.example' } });
    expect(refusalOf(viaAuth)).toBeNull();
    const viaHeader = await open(server.url, {
      headers: { Origin: 'http://evil.example', Authorization: `Bearer ${token}` },
    });
    expect(refusalOf(viaHeader)).toBeNull();
  });
});

describe('sockets per user and per token', () => {
  let a: RunningServer;
  let b: RunningServer;
  let admin: ApiClient;

  beforeAll(async () => {
    const env = { SOCKETS_PER_USER: '3', SOCKETS_PER_TOKEN: '2' };
    a = await startTestServer({ env });
    b = await startTestServer({
      env,
      dbName: a.ctx.config.MONGODB_DB,
      redisPrefix: a.ctx.config.REDIS_PREFIX,
    });
    admin = await adminClient(a.url);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await b.stop();
    await stopTestServer(a);
  });

  it('refuses the socket past SOCKETS_PER_USER, counted across instances, and frees a seat on disconnect', async () => {
    const user = await makeUser(admin, 'client');
    const held = [
      await open(a.url, { cookie: user.cookie! }),
      await open(b.url, { cookie: user.cookie! }),
      await open(a.url, { cookie: user.cookie! }),
    ];
    expect(held.map(refusalOf)).toEqual([null, null, null]);
    const extra = await open(b.url, { cookie: user.cookie! });
    expect(refusalOf(extra)?.message).toBe('too many connections for this user (at most 3)');
    expect(refusalOf(extra)?.data).toEqual({ code: 'rate_limited' });

    const first = held[0]!;
    if ('socket' in first) first.socket.disconnect();
    await vi.waitFor(async () => {
      expect(refusalOf(await open(b.url, { cookie: user.cookie! }))).toBeNull();
    });
  });

  it('refuses the socket past SOCKETS_PER_TOKEN, even from many at once', async () => {
    const user = await makeUser(admin, 'freelancer');
    const token = await tokenOf(user);
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => open(i % 2 ? a.url : b.url, { token })),
    );
    const refusals = burst.map(refusalOf);
    expect(refusals.filter((r) => r === null)).toHaveLength(2);
    for (const r of refusals.filter((x) => x !== null)) {
      expect(r.message).toBe('too many connections for this token (at most 2)');
    }
    // The token's cap is full, the user's is not: the cookie still gets its third seat.
    expect(refusalOf(await open(a.url, { cookie: user.cookie! }))).toBeNull();
  });
});

describe('socket leases', () => {
  let redis: RedisClients;
  afterAll(() => redis?.close());

  it('stop counting the sockets of an instance that died without a goodbye', async () => {
    const log = createLogger('silent');
    redis = await connectRedis(inject('redisUrl'), log);
    const config = loadConfig({
      REDIS_PREFIX: `t:lease:${Date.now().toString(36)}:`,
      SOCKETS_PER_USER: '1',
    });
    const caps = new SocketCaps({ config, redis, log } as unknown as Context);
    const owners = { userId: 'u1', tokenId: null };
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      expect(await caps.admit('dead-instance-socket', owners)).toBeNull();
      expect(await caps.admit('second', owners)).toMatch(/too many connections/);
      vi.setSystemTime(Date.now() + SOCKET_LEASE_MS + 1);
      expect(await caps.admit('after-the-lease', owners)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
