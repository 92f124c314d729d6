import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../server.js';
import { ApiClient } from '../../test/api-client.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';

const ISSUER = 'https://market.test';
const AUDIENCE = 'dispute-room';
const SECRET = randomBytes(32).toString('hex');

let hs: RunningServer;

beforeAll(async () => {
  hs = await startTestServer({
    env: {
      SSO_JWT_SECRET: SECRET,
      SSO_ISSUER: ISSUER,
      SSO_AUDIENCE: AUDIENCE,
      SSO_ROLES: 'ops',
    },
  });
});
afterAll(() => stopTestServer(hs));

const nowSec = () => Math.floor(Date.now() / 1000);

/** Claims of a fresh, valid token for a new marketplace user; `over` replaces any of them. */
function claims(over: Partial<JWTPayload & Record<string, unknown>> = {}) {
  const sub = `m-${randomBytes(5).toString('hex')}`;
  return {
    sub,
    email: `${sub}@market.test`,
    name: `Member ${sub}`,
    role: 'client',
    iss: ISSUER,
    aud: AUDIENCE,
    exp: nowSec() + 300,
    jti: randomUUID(),
    ...over,
  } as JWTPayload & Record<string, unknown>;
}

async function hs256(payload: JWTPayload, secret = SECRET) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(secret));
}

const users = (s: RunningServer) => s.ctx.conn.db!.collection('users').countDocuments();
const signOn = (s: RunningServer, token: string) =>
  new ApiClient(s.url).post('/api/auth/sso', { token });

describe('sign-on with an HS256 token', () => {
  it('creates the user from the claims and answers a 12 h bearer session for REST and sockets, no cookie', async () => {
    const c = claims({ tz: 'Asia/Tokyo', locale: 'ja', role: 'freelancer' });
    const before = await users(hs);
    const res = await signOn(hs, await hs256(c));
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(res.body.user).toMatchObject({
      externalId: c.sub,
      email: c.email,
      name: c.name,
      role: 'freelancer',
      timezone: 'Asia/Tokyo',
    });
    expect(await users(hs)).toBe(before + 1);
    expect((await hs.domain.notifications.preferences(res.body.user.id)).locale).toBe('ja');

    const session = new ApiClient(hs.url);
    session.token = res.body.sessionToken;
    expect((await session.get('/api/auth/me')).body.user.id).toBe(res.body.user.id);
    const socket = await session.socket();
    expect(socket.connected).toBe(true);
    socket.close();
    // Kept in Redis for 12 hours, not in the database.
    const id = /^drs_([0-9a-f]{16})_/.exec(res.body.sessionToken)![1]!;
    const ttl = await hs.ctx.redis.main.pttl(`${hs.ctx.config.REDIS_PREFIX}sso-session:${id}`);
    expect(ttl).toBeGreaterThan(12 * 3_600_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(12 * 3_600_000);
    expect(await hs.ctx.conn.db!.collection('tokens').countDocuments()).toBe(0);

    const forged = new ApiClient(hs.url);
    forged.token = `${res.body.sessionToken.slice(0, -4)}AAAA`;
    expect((await forged.get('/api/auth/me')).status).toBe(401);
  });

  it('updates the same user on the next sign-on', async () => {
    const c = claims();
    const first = await signOn(hs, await hs256(c));
    const before = await users(hs);
    const again = await signOn(hs, await hs256({ ...c, jti: randomUUID(), name: 'New Name' }));
    expect(again.status).toBe(200);
    expect(again.body.user).toMatchObject({ id: first.body.user.id, name: 'New Name' });
    expect(await users(hs)).toBe(before);
  });

  it('accepts a jti once: a replay is 401 and creates nothing', async () => {
    const token = await hs256(claims());
    expect((await signOn(hs, token)).status).toBe(200);
    const before = await users(hs);
    const replay = await signOn(hs, token);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('unauthorized');
    expect(await users(hs)).toBe(before);
  });

  const refusals: [string, number, () => Promise<string>][] = [
    ['a bad signature', 401, () => hs256(shared, randomBytes(32).toString('hex'))],
    ['a wrong issuer', 401, () => hs256({ ...shared, iss: 'https://evil.test' })],
    ['a wrong audience', 401, () => hs256({ ...shared, aud: 'someone-else' })],
    ['an expired token', 401, () => hs256({ ...shared, exp: nowSec() - 60 })],
    ['an exp more than 10 minutes ahead', 401, () => hs256({ ...shared, exp: nowSec() + 11 * 60 })],
    ['a role not in SSO_ROLES', 403, () => hs256({ ...shared, role: 'mediator' })],
    ['no role that exists', 401, () => hs256({ ...shared, role: 'superuser' })],
    ['no jti', 401, () => hs256({ ...shared, jti: undefined })],
    ['no exp', 401, () => hs256({ ...shared, exp: undefined })],
    ['a bad email claim', 401, () => hs256({ ...shared, email: 'not an email' })],
    ['an unsigned token', 401, async () => unsigned(shared)],
  ];
  // One set of claims for all refusals: none of them may spend its jti or create its user.
  let shared: JWTPayload & Record<string, unknown>;

  it.each(refusals)(
    'refuses %s (%i), creating nothing and leaving the jti unspent',
    async (_what, status, make) => {
      shared = claims();
      const before = await users(hs);
      const res = await signOn(hs, await make());
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(status === 403 ? 'forbidden' : 'unauthorized');
      expect(await users(hs)).toBe(before);
      expect(await hs.domain.users.byExternalId(String(shared.sub))).toBeNull();
      // The same jti in a good token still works: the refusal did not use it up.
      expect((await signOn(hs, await hs256(shared))).status).toBe(200);
    },
  );

  it('accepts a staff role listed in SSO_ROLES', async () => {
    const res = await signOn(hs, await hs256(claims({ role: 'ops' })));
    expect(res.status).toBe(200);
    expect(res.body.user.role).toBe('ops');
  });

  it('answers a malformed body 400 and a missing body 400, creating nothing', async () => {
    const before = await users(hs);
    expect((await new ApiClient(hs.url).post('/api/auth/sso', {})).status).toBe(400);
    expect((await new ApiClient(hs.url).post('/api/auth/sso', { token: 42 })).status).toBe(400);
    expect((await signOn(hs, 'not.a.jwt')).status).toBe(401);
    expect(await users(hs)).toBe(before);
  });
});

function unsigned(payload: JWTPayload): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none' })}.${b64(payload)}.`;
}

describe('sign-on with keys from a JWKS URL', () => {
  let jwksServer: Server;
  let served: JWK[] = [];
  let fetches = 0;
  let server: RunningServer;
  const keys: { kid: string; privateKey: CryptoKey; jwk: JWK }[] = [];

  async function newKey() {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const kid = `k${keys.length + 1}-${randomBytes(3).toString('hex')}`;
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    const key = { kid, privateKey: privateKey as CryptoKey, jwk };
    keys.push(key);
    return key;
  }

  const es256 = (payload: JWTPayload, key: (typeof keys)[number], kid = key.kid) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid }).sign(key.privateKey);

  beforeAll(async () => {
    jwksServer = createServer((_req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as AddressInfo;
    server = await startTestServer({
      env: {
        SSO_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
        SSO_JWKS_COOLDOWN_MS: '300',
        SSO_ISSUER: ISSUER,
        SSO_AUDIENCE: AUDIENCE,
      },
    });
  });
  afterAll(async () => {
    await stopTestServer(server);
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  it('verifies by kid, caches the key set, follows a rotation to a new kid, and refuses HS256', async () => {
    const first = await newKey();
    served = [first.jwk];
    expect((await signOn(server, await es256(claims(), first))).status).toBe(200);
    expect((await signOn(server, await es256(claims(), first))).status).toBe(200);
    expect(fetches).toBe(1);

    // The marketplace rotates: a second key with a new kid, published next to the first.
    const second = await newKey();
    served = [first.jwk, second.jwk];
    const rotated = claims();
    const token = await es256(rotated, second);
    await vi.waitFor(async () => expect((await signOn(server, token)).status).toBe(200), {
      timeout: 5_000,
      interval: 100,
    });
    expect(fetches).toBeGreaterThanOrEqual(2);
    const fetched = fetches;
    expect((await signOn(server, await es256(claims(), second))).status).toBe(200);
    expect((await signOn(server, await es256(claims(), first))).status).toBe(200);
    expect(fetches).toBe(fetched);

    const before = await users(server);
    // Signed by the new key but naming the old kid: the signature does not verify.
    const mislabeled = await signOn(server, await es256(claims(), second, first.kid));
    expect(mislabeled.status).toBe(401);
    // A key nobody published.
    const stranger = await generateKeyPair('ES256');
    const unknown = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256', kid: 'nobody' })
      .sign(stranger.privateKey);
    expect((await signOn(server, unknown)).status).toBe(401);
    // No secret is configured here: an HS256 token is not checked against anything.
    expect((await signOn(server, await hs256(claims()))).status).toBe(401);
    expect(await users(server)).toBe(before);
  });
});
