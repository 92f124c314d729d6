import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { ApiClient } from '../../test/api-client.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';
import { disputeInMediation, fileDispute, makeWorld, type World } from '../../test/world.js';

let server: RunningServer;
let w: World;
const tag = Math.random().toString(36).slice(2, 8);
const clientExt = `c-${tag}`;
const freelancerExt = `f-${tag}`;

beforeAll(async () => {
  server = await startTestServer();
  w = await makeWorld(server, 100_000, {
    client: clientExt,
    freelancer: freelancerExt,
    stranger: `s-${tag}`,
  });
});
afterAll(() => stopTestServer(server));

const at = (minute: number) => new Date(Date.UTC(2026, 10, 2, 9, minute)).toISOString();
const msg = (
  externalId: string,
  minute: number,
  author = clientExt,
  body = `says ${externalId}`,
) => ({
  externalId,
  authorExternalId: author,
  body,
  sentAt: at(minute),
});
const stored = () => server.ctx.conn.db!.collection('contract_history').countDocuments();

describe('importing the conversation before the dispute', () => {
  it('imports once: a repeat, and a repeat inside one call, are skipped', async () => {
    const first = await w.admin.post(`/api/contracts/${w.contractId}/history`, {
      messages: [msg('m3', 30, freelancerExt), msg('m1', 10), msg('m2', 20, freelancerExt)],
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ imported: 3, skipped: 0 });
    const again = await w.admin.post(`/api/contracts/${w.contractId}/history`, {
      messages: [msg('m1', 10), msg('m4', 40), msg('m2', 20, freelancerExt), msg('m4', 40)],
    });
    expect(again.body).toEqual({ imported: 1, skipped: 3 });
    expect(await stored()).toBe(4);
  });

  it('refuses, storing nothing: a non-admin (403), an unknown contract (404), a non-party author, a bad time, over 1,000 (400)', async () => {
    const before = await stored();
    const url = `/api/contracts/${w.contractId}/history`;
    expect((await w.client.post(url, { messages: [msg('x1', 1)] })).status).toBe(403);
    expect((await new ApiClient(server.url).post(url, { messages: [msg('x1', 1)] })).status).toBe(
      401,
    );
    expect(
      (await w.admin.post('/api/contracts/nope/history', { messages: [msg('x1', 1)] })).status,
    ).toBe(404);
    const stranger = await w.admin.post(url, {
      messages: [msg('x1', 1), msg('x2', 2, `s-${tag}`), msg('x3', 3, 'nobody')],
    });
    expect(stranger.status).toBe(400);
    expect(stranger.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      'messages.1.authorExternalId',
      'messages.2.authorExternalId',
    ]);
    const badTime = await w.admin.post(url, {
      messages: [{ ...msg('x4', 4), sentAt: 'yesterday' }],
    });
    expect(badTime.status).toBe(400);
    const tooMany = await w.admin.post(url, {
      messages: Array.from({ length: 1_001 }, (_, i) => msg(`b${i}`, i % 60)),
    });
    expect(tooMany.status).toBe(400);
    expect((await w.admin.post(url, { messages: [] })).status).toBe(400);
    expect(await stored()).toBe(before);
  });

  it('takes 1,000 in one call', async () => {
    const other = await w.admin.put(`/api/contracts/by-external/big-${tag}`, {
      title: 'Big',
      clientExternalId: clientExt,
      freelancerExternalId: freelancerExt,
      escrowCents: 1_000,
      currency: 'USD',
    });
    const res = await w.admin.post(`/api/contracts/${other.body.contract.id}/history`, {
      messages: Array.from({ length: 1_000 }, (_, i) => ({
        ...msg(`big${i}`, 0),
        sentAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      })),
    });
    expect(res.body).toEqual({ imported: 1_000, skipped: 0 });
  });
});

describe('reading it with the dispute', () => {
  let disputeId: string;
  beforeAll(async () => {
    disputeId = (await disputeInMediation(w)).id;
  });

  it('is oldest first, whoever imported it in whatever order', async () => {
    const res = await w.client.get(`/api/disputes/${disputeId}/history`);
    expect(res.status).toBe(200);
    expect(res.body.messages.map((m: { externalId: string }) => m.externalId)).toEqual([
      'm1',
      'm2',
      'm3',
      'm4',
    ]);
    expect(res.body.messages[1]).toEqual({
      externalId: 'm2',
      authorId: w.freelancer.user!.id,
      body: 'says m2',
      sentAt: at(20),
    });
    expect(res.body.nextCursor).toBeNull();
  });

  it('pages by key forward (cursor) and backward from the latest (before)', async () => {
    const base = `/api/disputes/${disputeId}/history`;
    const ids = (r: { body: { messages: { externalId: string }[] } }) =>
      r.body.messages.map((m) => m.externalId);
    const p1 = await w.client.get(`${base}?limit=3`);
    expect(ids(p1)).toEqual(['m1', 'm2', 'm3']);
    const p2 = await w.client.get(`${base}?limit=3&cursor=${p1.body.nextCursor}`);
    expect(ids(p2)).toEqual(['m4']);
    expect(p2.body.nextCursor).toBeNull();

    const latest = await w.client.get(`${base}?latest=true&limit=3`);
    expect(ids(latest)).toEqual(['m2', 'm3', 'm4']);
    expect(latest.body.nextCursor).toBeNull();
    const older = await w.client.get(`${base}?limit=3&before=${latest.body.prevCursor}`);
    expect(ids(older)).toEqual(['m1']);
    expect(older.body.prevCursor).toBeNull();
    expect((await w.client.get(`${base}?cursor=bogus`)).status).toBe(400);
  });

  it('is read by the parties, the assigned mediator, ops and admin; not by another mediator or a stranger', async () => {
    const url = `/api/disputes/${disputeId}/history`;
    for (const reader of [w.client, w.freelancer, w.mediator, w.ops, w.admin]) {
      const res = await reader.get(url);
      expect(res.status, reader.user!.name).toBe(200);
      expect(res.body.messages).toHaveLength(4);
    }
    const other = await w.otherMediator.get(url);
    expect(other.status).toBe(403);
    expect(JSON.stringify(other.body)).not.toContain('says');
    expect((await w.stranger.get(url)).status).toBe(404);
    expect((await new ApiClient(server.url).get(url)).status).toBe(401);
  });

  it('is in the transcript and both exports, with historyHash over its canonical JSON', async () => {
    const t = await w.ops.get(`/api/ops/disputes/${disputeId}/transcript`);
    expect(t.status).toBe(200);
    expect(t.body.history.map((m: { externalId: string }) => m.externalId)).toEqual([
      'm1',
      'm2',
      'm3',
      'm4',
    ]);
    // Written out by hand: keys in sorted order, no spaces.
    const canonical = `[${t.body.history
      .map(
        (m: { externalId: string; authorId: string; body: string; sentAt: string }) =>
          `{"authorId":${JSON.stringify(m.authorId)},"body":${JSON.stringify(m.body)},"externalId":${JSON.stringify(m.externalId)},"sentAt":${JSON.stringify(m.sentAt)}}`,
      )
      .join(',')}]`;
    const expected = createHash('sha256').update(canonical).digest('hex');
    expect(t.body.historyHash).toBe(expected);

    const json = await w.ops.get(`/api/ops/disputes/${disputeId}/export?format=json`);
    expect(json.body.historyHash).toBe(expected);
    expect(json.body.history).toEqual(t.body.history);
    const html = (await w.ops.get(`/api/ops/disputes/${disputeId}/export?format=html`))
      .body as string;
    expect(html).toContain('Before the dispute');
    expect(html).toContain('says m3');
    expect(html).toContain(expected);
  });

  it('is empty, with the hash of [], for a contract without one', async () => {
    const contract = await w.admin.put(`/api/contracts/by-external/empty-${tag}`, {
      title: 'Quiet',
      clientExternalId: clientExt,
      freelancerExternalId: freelancerExt,
      escrowCents: 1_000,
      currency: 'USD',
    });
    const d = await fileDispute(w, w.client, contract.body.contract.id, 500);
    expect((await w.client.get(`/api/disputes/${d.id}/history`)).body.messages).toEqual([]);
    const t = await w.ops.get(`/api/ops/disputes/${d.id}/transcript`);
    expect(t.body.history).toEqual([]);
    expect(t.body.historyHash).toBe(createHash('sha256').update('[]').digest('hex'));
  });
});
