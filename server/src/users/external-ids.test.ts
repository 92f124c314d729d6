import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { ApiClient, adminClient, makeUser } from '../../test/api-client.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';

let server: RunningServer;
let admin: ApiClient;

beforeAll(async () => {
  server = await startTestServer();
  admin = await adminClient(server.url);
});
afterAll(() => stopTestServer(server));

const tag = () => Math.random().toString(36).slice(2, 10);
const profile = (role: 'client' | 'freelancer', id: string) => ({
  email: `${role}-${id}@market.test`,
  name: `${role} ${id}`,
  role,
});

async function count(collection: string) {
  return server.ctx.conn.db!.collection(collection).countDocuments();
}

describe('users by external id', () => {
  it('creates on the first PUT, answers the same on a repeat, updates on a change', async () => {
    const ext = `u-${tag()}`;
    const first = await admin.put(`/api/users/by-external/${ext}`, {
      ...profile('client', ext),
      timezone: 'Europe/Paris',
      locale: 'fr',
    });
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({
      externalId: ext,
      role: 'client',
      timezone: 'Europe/Paris',
    });
    const users = await count('users');
    const again = await admin.put(`/api/users/by-external/${ext}`, {
      ...profile('client', ext),
      timezone: 'Europe/Paris',
      locale: 'fr',
    });
    expect(again.status).toBe(200);
    expect(again.body.user).toEqual(first.body.user);
    expect(await count('users')).toBe(users);

    const renamed = await admin.put(`/api/users/by-external/${ext}`, {
      ...profile('client', ext),
      name: 'Renamed Client',
    });
    expect(renamed.body.user).toMatchObject({
      id: first.body.user.id,
      name: 'Renamed Client',
      // Unsent: kept as it was.
      timezone: 'Europe/Paris',
    });
    expect(await count('users')).toBe(users);
    const prefs = await server.domain.notifications.preferences(first.body.user.id);
    expect(prefs.locale).toBe('fr');
  });

  it('mirrors a new user once when two PUTs race', async () => {
    const ext = `race-${tag()}`;
    const before = await count('users');
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        admin.put(`/api/users/by-external/${ext}`, profile('freelancer', ext)),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.body.user.id)).size).toBe(1);
    expect(await count('users')).toBe(before + 1);
  });

  it('has externalId null for users made without one, and takes one on POST /api/users', async () => {
    const plain = await makeUser(admin, 'client', 'Plain Client');
    expect(plain.user!.externalId).toBeNull();
    const ext = `p-${tag()}`;
    const made = await admin.post('/api/users', {
      ...profile('client', ext),
      password: 'correct horse battery',
      externalId: ext,
    });
    expect(made.status).toBe(201);
    expect(made.body.user.externalId).toBe(ext);
    // Two users without an external id do not collide; two with the same one do.
    await makeUser(admin, 'client', 'Another Plain');
    const taken = await admin.post('/api/users', {
      ...profile('client', `${ext}-2`),
      password: 'correct horse battery',
      externalId: ext,
    });
    expect(taken.status).toBe(409);
    const put = await admin.put(`/api/users/by-external/${ext}`, profile('client', ext));
    expect(put.body.user.id).toBe(made.body.user.id);
  });

  it('refuses an email that belongs to another user (409), bad bodies (400), non-admins (403), anonymous (401)', async () => {
    const other = await makeUser(admin, 'client', 'Email Owner');
    const before = await count('users');
    const clash = await admin.put(`/api/users/by-external/e-${tag()}`, {
      email: other.user!.email,
      name: 'Someone',
      role: 'client',
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('conflict');
    const bad = await admin.put(`/api/users/by-external/b-${tag()}`, {
      email: 'x@market.test',
      name: 'X',
      role: 'client',
      password: 'not taken here',
    });
    expect(bad.status).toBe(400);
    expect((await admin.put(`/api/users/by-external/b-${tag()}`, { role: 'nobody' })).status).toBe(
      400,
    );
    expect(
      (await other.put(`/api/users/by-external/b-${tag()}`, profile('client', 'b'))).status,
    ).toBe(403);
    const anonymous = new ApiClient(server.url);
    expect(
      (await anonymous.put(`/api/users/by-external/b-${tag()}`, profile('client', 'b'))).status,
    ).toBe(401);
    expect((await admin.put('/api/users/by-external/has.dot', profile('client', 'b'))).status).toBe(
      404,
    );
    expect(await count('users')).toBe(before);
  });

  it('a user mirrored without a password cannot log in with one', async () => {
    const ext = `np-${tag()}`;
    const p = profile('client', ext);
    await admin.put(`/api/users/by-external/${ext}`, p);
    const c = new ApiClient(server.url);
    const res = await c.post('/api/auth/login', { email: p.email, password: 'anything at all 1' });
    expect(res.status).toBe(401);
  });
});

describe('contracts by external id', () => {
  async function parties() {
    const c = `c-${tag()}`;
    const f = `f-${tag()}`;
    const client = await admin.put(`/api/users/by-external/${c}`, profile('client', c));
    const freelancer = await admin.put(`/api/users/by-external/${f}`, profile('freelancer', f));
    return { c, f, clientId: client.body.user.id, freelancerId: freelancer.body.user.id };
  }

  it('creates, repeats idempotently, updates, with category; POST takes externalId and category', async () => {
    const p = await parties();
    const ext = `k-${tag()}`;
    const body = {
      title: 'Logo design',
      clientExternalId: p.c,
      freelancerExternalId: p.f,
      escrowCents: 50_000,
      currency: 'EUR',
      category: 'design',
    };
    const first = await admin.put(`/api/contracts/by-external/${ext}`, body);
    expect(first.status).toBe(200);
    expect(first.body.contract).toMatchObject({
      externalId: ext,
      category: 'design',
      clientId: p.clientId,
      freelancerId: p.freelancerId,
      escrowCents: 50_000,
    });
    const contracts = await count('contracts');
    const again = await admin.put(`/api/contracts/by-external/${ext}`, body);
    expect(again.body.contract).toEqual(first.body.contract);
    const changed = await admin.put(`/api/contracts/by-external/${ext}`, {
      ...body,
      escrowCents: 60_000,
      category: undefined,
    });
    expect(changed.body.contract).toMatchObject({
      id: first.body.contract.id,
      escrowCents: 60_000,
      category: null,
    });
    expect(await count('contracts')).toBe(contracts);
    const listed = await admin.get('/api/contracts');
    expect(
      listed.body.contracts.find((k: { id: string }) => k.id === first.body.contract.id),
    ).toMatchObject({ escrowCents: 60_000, externalId: ext });

    const posted = await admin.post('/api/contracts', {
      title: 'Posted',
      clientId: p.clientId,
      freelancerId: p.freelancerId,
      escrowCents: 1_000,
      currency: 'USD',
      externalId: `post-${ext}`,
      category: 'web development',
    });
    expect(posted.status).toBe(201);
    expect(posted.body.contract).toMatchObject({
      externalId: `post-${ext}`,
      category: 'web development',
    });
    const plain = await admin.post('/api/contracts', {
      title: 'Plain',
      clientId: p.clientId,
      freelancerId: p.freelancerId,
      escrowCents: 1_000,
      currency: 'USD',
    });
    expect(plain.body.contract).toMatchObject({ externalId: null, category: null });
    const dup = await admin.post('/api/contracts', {
      title: 'Dup',
      clientId: p.clientId,
      freelancerId: p.freelancerId,
      escrowCents: 1_000,
      currency: 'USD',
      externalId: ext,
    });
    expect(dup.status).toBe(409);
  });

  it('names unknown or wrong-role parties (400) and stores nothing', async () => {
    const p = await parties();
    const before = await count('contracts');
    const res = await admin.put(`/api/contracts/by-external/k-${tag()}`, {
      title: 'Wrong',
      clientExternalId: p.f,
      freelancerExternalId: 'nobody-here',
      escrowCents: 100,
      currency: 'USD',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'clientExternalId',
      'freelancerExternalId',
    ]);
    expect(await count('contracts')).toBe(before);
  });
});
