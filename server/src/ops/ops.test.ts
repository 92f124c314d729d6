import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Dispute, Metrics, Transcript } from '@dispute-room/shared';
import type { RunningServer } from '../server.js';
import {
  backgroundSettled,
  startTestServer,
  stopTestServer,
  manualClock,
} from '../../test/harness.js';
import {
  disputeInMediation,
  fileDispute,
  makeWorld,
  newContract,
  type World,
} from '../../test/world.js';

const clock = manualClock('2026-03-02T10:00:00Z');
const at = (iso: string) => (clock.t = new Date(iso));

let server: RunningServer;
let w: World;

beforeAll(async () => {
  server = await startTestServer({ clock, env: { WEBHOOK_BACKOFF_MS: '50' } });
  w = await makeWorld(server);
});
afterAll(() => stopTestServer(server));

describe('metrics on a set of disputes with known answers', () => {
  const ids: Record<string, Dispute> = {};

  beforeAll(async () => {
    // Week 2026-W10
    at('2026-03-02T10:00:00Z');
    ids.accepted = await fileDispute(w, w.client, await newContract(w), 10_000);
    ids.settled = await fileDispute(w, w.client, await newContract(w), 10_000);
    at('2026-03-02T11:00:00Z');
    await w.freelancer.post(`/api/disputes/${ids.accepted.id}/respond`, { accept: true });
    at('2026-03-02T12:00:00Z');
    await w.freelancer.post(`/api/disputes/${ids.settled.id}/respond`, { accept: false });
    await w.mediator.post(`/api/disputes/${ids.settled.id}/assign`);
    at('2026-03-02T13:30:00Z');
    await w.mediator.post(`/api/disputes/${ids.settled.id}/messages`, {
      channel: 'caucus:client',
      body: 'hello',
      clientMsgId: 'm1',
    });
    at('2026-03-02T14:00:00Z');
    await w.mediator.post(`/api/disputes/${ids.settled.id}/messages`, {
      channel: 'joint',
      body: 'later',
      clientMsgId: 'm2',
    });
    const p = await w.mediator.post(`/api/disputes/${ids.settled.id}/proposals`, {
      clientCents: 50_000,
      freelancerCents: 50_000,
    });
    at('2026-03-03T12:00:00Z');
    await w.client.post(`/api/disputes/${ids.settled.id}/proposals/${p.body.proposal.id}/accept`);
    await w.freelancer.post(
      `/api/disputes/${ids.settled.id}/proposals/${p.body.proposal.id}/accept`,
    );
    await w.client.post(`/api/disputes/${ids.accepted.id}/feedback`, { rating: 5 });
    await w.freelancer.post(`/api/disputes/${ids.settled.id}/feedback`, { rating: 3 });
    // Week 2026-W11
    at('2026-03-09T09:00:00Z');
    ids.defaulted = await fileDispute(w, w.freelancer, await newContract(w), 20_000);
    ids.withdrawn = await fileDispute(w, w.client, await newContract(w), 20_000);
    at('2026-03-09T10:00:00Z');
    await w.client.post(`/api/disputes/${ids.withdrawn.id}/withdraw`);
    // Five business days later: 2026-03-16, week 2026-W12.
    at('2026-03-16T09:00:01Z');
    await server.domain.disputes.tick(clock.now());
  });

  it('computes every figure', async () => {
    // The figures come from rollups kept by background jobs: read once they have run.
    await backgroundSettled(server);
    const res = await w.ops.get(
      '/api/ops/metrics?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z',
    );
    expect(res.status).toBe(200);
    const m = res.body as Metrics;
    expect(m).toMatchObject({
      opened: 4,
      resolved: 3,
      byOutcome: { accepted_claim: 1, settlement: 1, default: 1, withdrawn: 1 },
      deadlineBreaches: 1,
      meanCsat: 4,
      medianFirstMediatorReplyMs: 90 * 60_000,
    });
    expect(m.selfResolvedShare).toBeCloseTo(2 / 3, 10);
    // Resolution times: 1 h, 26 h, 7 days (filed Monday 09:00, defaulted next Monday 09:00:01).
    expect(m.medianTimeToResolutionMs).toBe(26 * 3_600_000);
    expect(m.weekly).toEqual([
      { week: '2026-W10', opened: 2, resolved: 2 },
      { week: '2026-W11', opened: 2, resolved: 0 },
      { week: '2026-W12', opened: 0, resolved: 1 },
    ]);
    const narrow = (await w.ops.get('/api/ops/metrics?from=2026-03-09&to=2026-03-10'))
      .body as Metrics;
    expect(narrow).toMatchObject({
      opened: 2,
      resolved: 0,
      byOutcome: { withdrawn: 1 },
      selfResolvedShare: null,
    });
    expect((await w.client.get('/api/ops/metrics')).status).toBe(403);
    expect((await w.ops.get('/api/ops/metrics?from=yesterday')).status).toBe(400);
  });

  it('searches closed disputes by filter, text and pages with a cursor, newest first', async () => {
    const search = async (q: string) =>
      (await w.ops.get(`/api/ops/disputes?${q}`)).body as {
        disputes: Dispute[];
        nextCursor: string | null;
        mediators: { id: string; name: string }[];
      };
    const settled = await search('outcome=settlement');
    expect(settled.disputes.map((d) => d.id)).toEqual([ids.settled!.id]);
    // Mediators come by name with every page, so ops never see or paste a bare id.
    expect(settled.mediators).toContainEqual({
      id: w.mediator.user!.id,
      name: w.mediator.user!.name,
    });
    expect(
      (await search(`mediatorId=${w.mediator.user!.id}&state=resolved`)).disputes.map((d) => d.id),
    ).toEqual([ids.settled!.id]);
    expect(
      (await search(`q=${encodeURIComponent(ids.defaulted!.number)}`)).disputes.map((d) => d.id),
    ).toEqual([ids.defaulted!.id]);
    expect((await search('q=DELIVERED+PAGES')).disputes.length).toBeGreaterThanOrEqual(4);
    expect((await search('q=%5B.*')).disputes).toEqual([]);
    const inWeek11 = await search('from=2026-03-09T00:00:00Z&to=2026-03-10T00:00:00Z');
    expect(inWeek11.disputes.map((d) => d.id).sort()).toEqual(
      [ids.defaulted!.id, ids.withdrawn!.id].sort(),
    );

    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await search(
        `from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.disputes.length).toBeLessThanOrEqual(3);
      all.push(...page.disputes.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    // Newest closedAt (else createdAt) first.
    expect(all).toEqual([ids.defaulted!.id, ids.withdrawn!.id, ids.settled!.id, ids.accepted!.id]);
    expect((await w.ops.get('/api/ops/disputes?cursor=garbage')).status).toBe(400);
    // Every malformed cursor is the caller's mistake (400), never a server error: out-of-range
    // times, non-integer times, ids the id rule refuses, wrong arity, non-JSON.
    const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of [
      [1e300, 'x'],
      [-1, 'x'],
      [8.64e15 + 1, 'x'],
      [1.5, 'x'],
      [Date.now(), { $gt: '' }],
      [Date.now(), 'a/b'],
      [Date.now()],
      { at: 1, id: 'x' },
    ]) {
      const res = await w.ops.get(`/api/ops/disputes?cursor=${encode(bad)}`);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'validation_failed' } });
    }
    // A cursor from the far future or a `from` far in the past walks only the days that hold
    // disputes: answered at once, with the same pages.
    const far = await search(`cursor=${encode([8.64e15, 'zzzzzzzzzzzzzzzzzzzzzzzz'])}&limit=100`);
    expect(far.disputes.map((d) => d.id)).toEqual(
      (await search('limit=100')).disputes.map((d) => d.id),
    );
    expect((await search('from=1970-01-01T00:00:00Z&q=no+such+words')).disputes).toEqual([]);
    expect((await w.mediator.get('/api/ops/disputes')).status).toBe(403);
  });
});

describe('transcript, QA and export', () => {
  it('holds the whole record, verifies the chains and reports tampering by channel and seq', async () => {
    at('2026-05-04T10:00:00Z');
    const d = await disputeInMediation(w, await newContract(w));
    const sent = await w.client.post(`/api/disputes/${d.id}/messages`, {
      channel: 'joint',
      body: 'Please see <script>alert(1)</script>',
      clientMsgId: 't1',
    });
    await w.client.patch(`/api/disputes/${d.id}/messages/${sent.body.message.id}`, {
      body: 'Please see the brief',
    });
    await w.mediator.post(`/api/disputes/${d.id}/messages`, {
      channel: 'caucus:freelancer',
      body: 'between us',
      clientMsgId: 't2',
    });
    await w.mediator.post(`/api/disputes/${d.id}/messages`, {
      channel: 'internal',
      body: 'note to self',
      clientMsgId: 't3',
    });
    const form = new FormData();
    form.append('channel', 'caucus:freelancer');
    form.append('file', new Blob(['delivery log\n'], { type: 'text/plain' }), 'log.txt');
    const uploaded = await fetch(`${server.url}/api/disputes/${d.id}/evidence`, {
      method: 'POST',
      body: form,
      headers: { cookie: w.freelancer.cookie! },
    });
    expect(uploaded.status).toBe(201);
    await w.client.post(`/api/disputes/${d.id}/withdraw`);
    await w.freelancer.post(`/api/disputes/${d.id}/feedback`, { rating: 2, comment: 'slow' });
    expect(
      (
        await w.ops.post(`/api/disputes/${d.id}/messages`, {
          channel: 'joint',
          body: 'x',
          clientMsgId: 'o',
        })
      ).status,
    ).toBe(403);

    expect((await w.ops.post(`/api/ops/disputes/${d.id}/reviews`, { score: 101 })).status).toBe(
      400,
    );
    await w.ops.post(`/api/ops/disputes/${d.id}/reviews`, { score: 60, notes: 'late caucus' });
    const second = await w.ops.post(`/api/ops/disputes/${d.id}/reviews`, {
      score: 80,
      notes: 'fine after all',
    });
    expect(second.status).toBe(201);

    const t = (await w.ops.get(`/api/ops/disputes/${d.id}/transcript`)).body as Transcript;
    expect(t.chain).toEqual({ verified: true, broken: [] });
    expect(new Set(t.messages.map((m) => m.channel))).toEqual(
      new Set(['joint', 'caucus:freelancer', 'internal']),
    );
    for (const c of ['joint', 'caucus:freelancer', 'internal']) {
      const seqs = t.messages.filter((m) => m.channel === c).map((m) => m.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
    expect(t.audit.map((a) => a.type)).toEqual(['filed', 'responded', 'assigned', 'withdrawn']);
    expect(t.evidence).toMatchObject([
      {
        filename: 'log.txt',
        channel: 'caucus:freelancer',
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    expect(t.feedback).toMatchObject([
      { rating: 2, comment: 'slow', userId: w.freelancer.user!.id },
    ]);
    expect(t.reviews).toMatchObject([
      { score: 80, notes: 'fine after all', reviewerId: w.ops.user!.id },
    ]);
    expect(t.participants[w.mediator.user!.id]).toMatchObject({
      name: 'Mia Mediator',
      role: 'mediator',
    });
    expect((await w.client.get(`/api/ops/disputes/${d.id}/transcript`)).status).toBe(403);

    const html = await w.ops.get(`/api/ops/disputes/${d.id}/export?format=html`);
    expect(html.headers.get('content-disposition')).toMatch(
      /^attachment; filename=D-\d{6}-transcript\.html$/,
    );
    expect(html.body).toContain('Hash chains verified');
    expect(html.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.body).not.toContain('<script>alert(1)');
    expect(html.body).toContain('between us');
    expect(html.body).toContain(t.evidence[0]!.sha256);
    const json = await w.ops.get(`/api/ops/disputes/${d.id}/export?format=json`);
    expect(json.headers.get('content-disposition')).toMatch(
      /^attachment; filename=D-\d{6}-transcript\.json$/,
    );
    expect(json.body.chain.verified).toBe(true);
    expect(json.body.messages).toHaveLength(t.messages.length);

    // Behind the API's back: alter a caucus entry, then remove an internal one.
    const messages = server.domain.log.models.messages.collection;
    const caucus = t.messages.find((m) => m.channel === 'caucus:freelancer' && m.kind === 'text')!;
    await messages.updateOne({ _id: caucus.id } as never, {
      $set: { text: 'rewritten', body: 'rewritten' },
    });
    const internalFirst = t.messages.find((m) => m.channel === 'internal' && m.seq === 1)!;
    await messages.deleteOne({ _id: internalFirst.id } as never);
    const tampered = (await w.ops.get(`/api/ops/disputes/${d.id}/transcript`)).body as Transcript;
    expect(tampered.chain.verified).toBe(false);
    expect(tampered.chain.broken).toEqual([
      { channel: 'caucus:freelancer', seq: caucus.seq },
      { channel: 'internal', seq: 1 },
    ]);
    expect((await w.ops.get(`/api/ops/disputes/${d.id}/export?format=html`)).body).toContain(
      'Hash chain BROKEN',
    );
  });
});

describe('webhooks', () => {
  let receiver: Server;
  let url: string;
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  let failuresLeft = 2;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          res.statusCode = 500;
        }
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

  it('posts signed events, retries failures with backoff, and shows the attempts to admin', async () => {
    const secret = 'whsec_0123456789abcdef';
    expect(
      (await w.ops.post('/api/admin/webhooks', { url, secret, events: ['dispute.opened'] })).status,
    ).toBe(403);
    expect(
      (
        await w.admin.post('/api/admin/webhooks', {
          url: 'ftp://x',
          secret,
          events: ['dispute.opened'],
        })
      ).status,
    ).toBe(400);
    const created = await w.admin.post('/api/admin/webhooks', {
      url,
      secret,
      events: ['dispute.opened', 'dispute.resolved'],
    });
    expect(created.status).toBe(201);
    expect(created.body.webhook.secret).toBeUndefined();

    at(new Date().toISOString());
    const d = await fileDispute(w, w.client, await newContract(w), 1_000);
    // Jobs retry with a (short, in this test) backoff until the receiver takes it.
    await vi.waitFor(() => expect(received.length).toBe(3), { timeout: 15_000, interval: 50 });
    const last = received.at(-1)!;
    expect(last.headers['x-dispute-room-event']).toBe('dispute.opened');
    const [t, v1] = String(last.headers['x-dispute-room-signature'])
      .split(',')
      .map((p) => p.split('=')[1]);
    expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${last.body}`).digest('hex'));
    expect(JSON.parse(last.body)).toMatchObject({
      event: 'dispute.opened',
      dispute: { id: d.id, state: 'open' },
    });

    const listed = async () =>
      (await w.admin.get(`/api/admin/webhooks/${created.body.webhook.id}/deliveries`)).body
        .deliveries;
    // The receiver has answered; the delivery is marked right after.
    await vi.waitFor(async () => expect((await listed())[0]?.status).toBe('delivered'), {
      timeout: 5_000,
      interval: 50,
    });
    const deliveries = await listed();
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({
      status: 'delivered',
      event: 'dispute.opened',
      disputeId: d.id,
    });
    expect(deliveries[0].attempts.map((a: { status: number }) => a.status)).toEqual([
      500, 500, 200,
    ]);
    expect(
      (await w.ops.get(`/api/admin/webhooks/${created.body.webhook.id}/deliveries`)).status,
    ).toBe(403);

    // A state change the hook did not subscribe to sends nothing; resolution does.
    await w.freelancer.post(`/api/disputes/${d.id}/respond`, { accept: true });
    await vi.waitFor(() => expect(received.length).toBe(4), { timeout: 15_000, interval: 50 });
    expect(received.map((r) => JSON.parse(r.body).event)).toEqual([
      'dispute.opened',
      'dispute.opened',
      'dispute.opened',
      'dispute.resolved',
    ]);
  });

  it('carries on a delivery whose finished attempt was never counted (its instance died)', async () => {
    const hook = await w.admin.post('/api/admin/webhooks', {
      url,
      secret: 'whsec_0123456789abcdef',
      events: ['dispute.opened'],
    });
    const hookId = hook.body.webhook.id as string;
    const db = server.ctx.conn.db!;
    const deliveryId = `${hookId}:gone-instance:dispute.opened`;
    // As an instance leaves things when killed between storing attempt 1's result and
    // counting it on the delivery.
    await db.collection('webhook_deliveries').insertOne({
      _id: deliveryId,
      webhookId: hookId,
      event: 'dispute.opened',
      disputeId: 'gone-instance',
      payload: '{"event":"dispute.opened"}',
      status: 'pending',
      attemptCount: 0,
      createdAt: clock.now(),
    } as never);
    await db.collection('webhook_attempts').insertOne({
      _id: `${deliveryId}#1`,
      deliveryId,
      n: 1,
      at: clock.now(),
      status: 503,
      error: 'HTTP 503',
      ms: 12,
      done: true,
    } as never);
    const before = received.length;
    await server.domain.webhooks.enqueueDelivery(deliveryId);
    const delivered = async () =>
      (await w.admin.get(`/api/admin/webhooks/${hookId}/deliveries`)).body.deliveries[0];
    await vi.waitFor(async () => expect((await delivered()).status).toBe('delivered'), {
      timeout: 15_000,
      interval: 50,
    });
    const delivery = await delivered();
    expect(delivery).toMatchObject({ id: deliveryId, status: 'delivered' });
    expect(delivery.attempts.map((a: { status: number }) => a.status)).toEqual([503, 200]);
    expect(received.length - before).toBe(1);
  });
});
