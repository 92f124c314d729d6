import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { errorBodySchema } from '@dispute-room/shared';
import type { RunningServer } from '../server.js';
import { ADMIN, ApiClient, adminClient, makeUser } from '../../test/api-client.js';
import { startTestServer, stopTestServer, uniqueDbName } from '../../test/harness.js';

let server: RunningServer;
let admin: ApiClient;

beforeAll(async () => {
  server = await startTestServer();
  admin = await adminClient(server.url);
});
afterAll(() => stopTestServer(server));

const errorCode = (body: unknown) => errorBodySchema.parse(body).error.code;

describe('login, me, logout', () => {
  it('logs in with email + password, sets an httpOnly SameSite=Lax cookie, and /me answers', async () => {
    const c = new ApiClient(server.url);
    const res = await c.post('/api/auth/login', {
      email: `  ${ADMIN.email.toUpperCase()} `,
      password: ADMIN.password,
    });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email: ADMIN.email, role: 'admin', timezone: 'UTC' });
    expect(res.body.user.passwordHash).toBeUndefined();
    const cookie = res.headers.getSetCookie().find((h) => h.startsWith('dr.sid='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect((await c.get('/api/auth/me')).body.user.id).toBe(res.body.user.id);
  });

  it('answers a wrong password and an unknown email alike (no enumeration)', async () => {
    const c = new ApiClient(server.url);
    const wrong = await c.post('/api/auth/login', {
      email: ADMIN.email,
      password: 'wrong-password',
    });
    const unknown = await c.post('/api/auth/login', {
      email: 'nobody@example.test',
      password: 'wrong-password',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(c.cookie).toBeNull();
    expect((await c.get('/api/auth/me')).status).toBe(401);
  });

  it('rejects a malformed login body with 400', async () => {
    const res = await new ApiClient(server.url).post('/api/auth/login', {
      email: 'not-an-email',
      password: 'x',
    });
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('validation_failed');
  });

  it('rotates the session id at login, so a planted session is worthless', async () => {
    const victim = await makeUser(admin, 'client', 'Victim');
    const planted = victim.cookie;
    const attacker = new ApiClient(server.url);
    attacker.cookie = planted;
    // The victim logs in again while carrying the planted cookie.
    await victim.login(victim.user!.email, 'correct horse battery');
    expect(victim.cookie).not.toBe(planted);
    expect((await attacker.get('/api/auth/me')).status).toBe(401);
    expect((await victim.get('/api/auth/me')).status).toBe(200);
  });

  it('logout ends the session and disconnects its sockets', async () => {
    const user = await makeUser(admin, 'freelancer');
    const socket = await user.socket();
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    expect((await user.post('/api/auth/logout')).status).toBe(204);
    expect(await disconnected).toBe('io server disconnect');
    expect((await user.get('/api/auth/me')).status).toBe(401);
  });
});

describe('personal API tokens', () => {
  it('are shown once, listed without the secret, and work as Bearer for REST and sockets', async () => {
    const user = await makeUser(admin, 'client');
    const created = await user.post('/api/auth/tokens', { name: 'ci bot' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'ci bot' });
    expect(created.body.token).toMatch(/^drt_/);

    const listed = await user.get('/api/auth/tokens');
    expect(listed.body.tokens).toEqual([
      { id: created.body.id, name: 'ci bot', createdAt: expect.any(String), lastUsedAt: null },
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);

    const bot = new ApiClient(server.url);
    bot.token = created.body.token;
    expect((await bot.get('/api/auth/me')).body.user.id).toBe(user.user!.id);
    const socket = await bot.socket();
    expect(socket.connected).toBe(true);
    socket.disconnect();
  });

  it('a revoked token is cut off at once, sockets included; others cannot revoke it', async () => {
    const user = await makeUser(admin, 'freelancer');
    const { body } = await user.post('/api/auth/tokens', { name: 'temp' });
    const bot = new ApiClient(server.url);
    bot.token = body.token;
    const socket = await bot.socket();

    const other = await makeUser(admin, 'client');
    expect((await other.delete(`/api/auth/tokens/${body.id}`)).status).toBe(404);

    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    expect((await user.delete(`/api/auth/tokens/${body.id}`)).status).toBe(204);
    expect(await disconnected).toBe('io server disconnect');
    expect((await bot.get('/api/auth/me')).status).toBe(401);
    await expect(bot.socket()).rejects.toThrow('unauthorized');
  });

  it('a token another instance has in memory stops working there too once revoked', async () => {
    const other = await startTestServer({
      dbName: server.ctx.config.MONGODB_DB,
      redisPrefix: server.ctx.config.REDIS_PREFIX,
    });
    try {
      const user = await makeUser(admin, 'client');
      const { body } = await user.post('/api/auth/tokens', { name: 'cached elsewhere' });
      const there = new ApiClient(other.url);
      there.token = body.token;
      // Used there first, so that instance answers it from memory from now on.
      expect((await there.get('/api/auth/me')).status).toBe(200);
      expect((await there.get('/api/auth/me')).status).toBe(200);
      expect((await user.delete(`/api/auth/tokens/${body.id}`)).status).toBe(204);
      await vi.waitFor(async () => expect((await there.get('/api/auth/me')).status).toBe(401), {
        timeout: 5_000,
        interval: 50,
      });
      await expect(there.socket()).rejects.toThrow('unauthorized');
      // A token's secret is still checked against its hash when it comes from memory.
      const again = await user.post('/api/auth/tokens', { name: 'second' });
      const forged = new ApiClient(other.url);
      forged.token = again.body.token;
      expect((await forged.get('/api/auth/me')).status).toBe(200);
      const last = again.body.token.at(-1) === 'A' ? 'B' : 'A';
      forged.token = `${again.body.token.slice(0, -1)}${last}`;
      expect((await forged.get('/api/auth/me')).status).toBe(401);
    } finally {
      await other.stop();
    }
  });

  it('a forged or malformed bearer token is 401', async () => {
    const bot = new ApiClient(server.url);
    bot.token = 'drt_0123456789abcdef_' + 'A'.repeat(43);
    expect((await bot.get('/api/auth/me')).status).toBe(401);
    bot.token = 'garbage';
    const res = await bot.get('/api/auth/me');
    expect(res.status).toBe(401);
    expect(errorCode(res.body)).toBe('unauthorized');
  });
});

describe('socket handshake', () => {
  it('refuses a socket with neither cookie nor token', async () => {
    await expect(new ApiClient(server.url).socket()).rejects.toThrow('unauthorized');
  });

  it('accepts the session cookie', async () => {
    const user = await makeUser(admin, 'mediator');
    const socket = await user.socket();
    expect(socket.connected).toBe(true);
    socket.disconnect();
  });
});

describe('CSRF', () => {
  it('refuses a cookie-authenticated state change from another origin, allows same-origin and bearer', async () => {
    const user = await makeUser(admin, 'client');
    const evil = await user.request(
      'POST',
      '/api/auth/tokens',
      { name: 'x' },
      { origin: 'https://evil.example' },
    );
    expect(evil.status).toBe(403);
    expect(errorCode(evil.body)).toBe('forbidden');
    expect((await user.get('/api/auth/tokens')).body.tokens).toHaveLength(0);

    const own = await user.request(
      'POST',
      '/api/auth/tokens',
      { name: 'x' },
      { origin: server.url },
    );
    expect(own.status).toBe(201);

    const bot = new ApiClient(server.url);
    bot.token = own.body.token;
    const viaToken = await bot.request(
      'POST',
      '/api/auth/tokens',
      { name: 'y' },
      { origin: 'https://evil.example' },
    );
    expect(viaToken.status).toBe(201);
  });
});

describe('users and contracts', () => {
  it('only admin creates users; emails are normalised; duplicates are 409', async () => {
    const anon = new ApiClient(server.url);
    const body = {
      email: ' New.Person@Example.TEST ',
      name: 'New',
      role: 'client',
      password: 'long enough pw',
    };
    expect((await anon.post('/api/users', body)).status).toBe(401);
    const client = await makeUser(admin, 'client');
    expect((await client.post('/api/users', body)).status).toBe(403);
    const ops = await makeUser(admin, 'ops');
    expect((await ops.post('/api/users', body)).status).toBe(403);

    const created = await admin.post('/api/users', { ...body, timezone: 'Europe/Berlin' });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({
      email: 'new.person@example.test',
      timezone: 'Europe/Berlin',
    });
    expect((await admin.post('/api/users', body)).status).toBe(409);
    const bad = await admin.post('/api/users', {
      ...body,
      email: 'x@y.example',
      role: 'king',
      timezone: 'Mars/Olympus',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'role',
      'timezone',
    ]);
  });

  it('refuses guessable passwords with 400 saying why, and takes a strong passphrase', async () => {
    const person = { email: 'pat.doe@example.test', name: 'Pat Doe', role: 'client' };
    for (const password of ['password', '12345678', person.email, 'Pat Doe 1990']) {
      const res = await admin.post('/api/users', { ...person, password });
      expect(res.status, password).toBe(400);
      expect(errorCode(res.body)).toBe('validation_failed');
      expect(res.body.error.details).toEqual([
        { path: 'password', message: expect.stringMatching(/^too easy to guess .+: \S/) },
      ]);
    }
    const common = await admin.post('/api/users', { ...person, password: 'password' });
    expect(common.body.error.details[0].message).toContain('heavily used password');
    const own = await admin.post('/api/users', { ...person, password: person.email });
    expect(own.body.error.details[0].message).toContain('personal');
    expect(await server.domain.users.credentialsByEmail(person.email)).toBeNull();

    const strong = await admin.post('/api/users', {
      ...person,
      password: 'violet tractor harbor lamp',
    });
    expect(strong.status).toBe(201);
    await new ApiClient(server.url).login(person.email, 'violet tractor harbor lamp');
  });

  it('stores a name without its bidirectional controls', async () => {
    const res = await admin.post('/api/users', {
      email: 'rlo@example.test',
      name: 'Ada \u202Enimda\u202C Admin',
      role: 'client',
      password: 'violet tractor harbor lamp',
    });
    expect(res.status).toBe(201);
    expect(res.body.user.name).toBe('Ada nimda Admin');
    const stored = await server.domain.users.model.findOne({ email: 'rlo@example.test' }).lean();
    expect(stored?.name).toBe('Ada nimda Admin');
  });

  it('contracts: admin creates with checked parties; each caller lists what they take part in', async () => {
    const client = await makeUser(admin, 'client');
    const freelancer = await makeUser(admin, 'freelancer');
    const stranger = await makeUser(admin, 'client');
    const mediator = await makeUser(admin, 'mediator');
    const ops = await makeUser(admin, 'ops');
    const input = {
      title: 'Logo design',
      clientId: client.user!.id,
      freelancerId: freelancer.user!.id,
      escrowCents: 50_000,
      currency: 'USD',
    };
    expect((await client.post('/api/contracts', input)).status).toBe(403);
    const swapped = await admin.post('/api/contracts', { ...input, clientId: freelancer.user!.id });
    expect(swapped.status).toBe(400);
    const created = await admin.post('/api/contracts', input);
    expect(created.status).toBe(201);
    const id = created.body.contract.id;

    const ids = async (c: ApiClient) =>
      (await c.get('/api/contracts')).body.contracts.map((k: { id: string }) => k.id);
    expect(await ids(client)).toEqual([id]);
    expect(await ids(freelancer)).toEqual([id]);
    expect(await ids(stranger)).toEqual([]);
    expect(await ids(mediator)).toEqual([]);
    expect(await ids(ops)).toContain(id);
    expect((await new ApiClient(server.url).get('/api/contracts')).status).toBe(401);
  });
});

describe('bootstrap admin', () => {
  it('exists from ADMIN_EMAIL/ADMIN_PASSWORD and is not duplicated by a second instance', async () => {
    const second = await startTestServer({
      dbName: server.ctx.config.MONGODB_DB,
      redisPrefix: server.ctx.config.REDIS_PREFIX,
    });
    try {
      const admins = await server.domain.users.model.countDocuments({ role: 'admin' });
      expect(admins).toBe(1);
    } finally {
      await second.stop();
    }
  });
});

describe('bootstrap admin password', () => {
  it('a guessable ADMIN_PASSWORD stops the start, naming the variable and why', async () => {
    const dbName = uniqueDbName();
    try {
      await expect(
        startTestServer({ dbName, env: { ADMIN_PASSWORD: 'password1' } }),
      ).rejects.toThrow(/ADMIN_PASSWORD: too easy to guess .*: \S/);
    } finally {
      const mongo = await MongoClient.connect(inject('mongoUri'));
      await mongo.db(dbName).dropDatabase();
      await mongo.close();
    }
  });
});

describe('login limits', () => {
  // TRUST_PROXY's default (loopback) lets the test, on 127.0.0.1, say which IP it is.
  const from = (c: ApiClient, ip: string, body: { email: string; password: string }) =>
    c.request('POST', '/api/auth/login', body, { 'x-forwarded-for': ip });
  const wrong = { email: ADMIN.email, password: 'nope-nope' };
  let limited: RunningServer;

  beforeAll(async () => {
    limited = await startTestServer({
      env: { LOGIN_FAILURES_PER_ACCOUNT_IP: '5', LOGIN_FAILURES_PER_IP_PER_DAY: '12' },
    });
  });
  afterAll(() => stopTestServer(limited));

  it('five failures lock that account from that IP only; the right password works from another', async () => {
    const c = new ApiClient(limited.url);
    for (let i = 0; i < 5; i++) expect((await from(c, '198.51.100.1', wrong)).status).toBe(401);
    const blocked = await from(c, '198.51.100.1', ADMIN);
    expect(blocked.status).toBe(429);
    expect(errorCode(blocked.body)).toBe('rate_limited');
    expect(blocked.body.error.details.retryAfterSec).toBeGreaterThan(0);
    expect((await from(c, '198.51.100.2', ADMIN)).status).toBe(200);
    expect((await from(c, '198.51.100.1', ADMIN)).status).toBe(429);
  });

  it('never limits successful logins, however many come from one IP', async () => {
    const c = new ApiClient(limited.url);
    for (let i = 0; i < 25; i++) expect((await from(c, '198.51.100.3', ADMIN)).status).toBe(200);
  });

  it('a success starts the pair from zero', async () => {
    const c = new ApiClient(limited.url);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) expect((await from(c, '198.51.100.4', wrong)).status).toBe(401);
      expect((await from(c, '198.51.100.4', ADMIN)).status).toBe(200);
    }
  });

  it('parallel guesses cannot slip past the count', async () => {
    const c = new ApiClient(limited.url);
    const statuses = await Promise.all(
      Array.from({ length: 10 }, () => from(c, '198.51.100.5', wrong).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
  });

  it('failures at many accounts spend the IP for the day; other IPs are unaffected', async () => {
    const c = new ApiClient(limited.url);
    for (let i = 0; i < 12; i++) {
      const guess = { email: `someone${i}@example.test`, password: 'nope-nope' };
      expect((await from(c, '198.51.100.6', guess)).status).toBe(401);
    }
    const blocked = await from(c, '198.51.100.6', ADMIN);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.details.retryAfterSec).toBeGreaterThan(15 * 60);
    expect((await from(c, '198.51.100.7', ADMIN)).status).toBe(200);
  });
});
