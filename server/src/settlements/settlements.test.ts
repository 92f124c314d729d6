import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Dispute, Message } from '@dispute-room/shared';
import type { RunningServer } from '../server.js';
import { ApiClient } from '../../test/api-client.js';
import { backgroundSettled, startTestServer, stopTestServer } from '../../test/harness.js';
import { registerHook, startReceiver } from '../../test/webhook-receiver.js';
import { fileDispute, makeWorld, newContract, type World } from '../../test/world.js';

const HOUR = 3_600_000;
/** The server's clock: real time plus what a test moves it by. */
let offset = 0;
const clock = { now: () => new Date(Date.now() + offset) };

let server: RunningServer;
let w: World;
const received: { event: string; body: Record<string, unknown> }[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  server = await startTestServer({ clock });
  w = await makeWorld(server);
  receiver = await startReceiver((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({
        event: String(req.headers['x-dispute-room-event']),
        body: JSON.parse(body) as Record<string, unknown>,
      });
      res.end('ok');
    });
  });
  await registerHook(w.admin, receiver.url, ['dispute.resolved']);
});
afterAll(async () => {
  await stopTestServer(server);
  await receiver?.close();
});

/** A dispute on a new contract, settled at 30,000 to the client and 70,000 to the freelancer. */
async function settled(): Promise<Dispute> {
  const d = await fileDispute(w, w.client, await newContract(w));
  const offer = await w.client.post(`/api/disputes/${d.id}/proposals`, {
    clientCents: 30_000,
    freelancerCents: 70_000,
  });
  const res = await w.freelancer.post(
    `/api/disputes/${d.id}/proposals/${offer.body.proposal.id}/accept`,
  );
  expect(res.body.dispute.state).toBe('resolved');
  return res.body.dispute;
}

const report = (d: Dispute, body: unknown, as: ApiClient = w.admin) =>
  as.post(`/api/disputes/${d.id}/settlement`, body);
const events = (d: Dispute) =>
  server.ctx.conn.db!.collection('dispute_events').countDocuments({ disputeId: d.id });
const joint = async (as: ApiClient, d: Dispute, channel = 'joint') =>
  (await as.get(`/api/disputes/${d.id}/messages?channel=${channel}`)).body.messages as Message[];

describe('the payout of a resolved split', () => {
  it('is pending with the split and an idempotency key; the dispute.resolved webhook carries both', async () => {
    const d = await settled();
    expect(d.settlement).toMatchObject({
      status: 'pending',
      clientCents: 30_000,
      freelancerCents: 70_000,
      idempotencyKey: expect.stringContaining(d.id),
      reference: null,
    });
    expect((await w.client.get(`/api/disputes/${d.id}`)).body.dispute.settlement).toEqual(
      d.settlement,
    );
    await vi.waitFor(
      () =>
        expect(received.find((r) => (r.body.dispute as { id: string }).id === d.id)).toBeTruthy(),
      { timeout: 15_000, interval: 100 },
    );
    const hook = received.find((r) => (r.body.dispute as { id: string }).id === d.id)!;
    expect(hook.event).toBe('dispute.resolved');
    expect(hook.body.split).toEqual({
      clientCents: 30_000,
      freelancerCents: 70_000,
      currency: 'USD',
    });
    expect(hook.body.idempotencyKey).toBe(d.settlement!.idempotencyKey);
  });

  it('is null without a split (withdrawn), and there is nothing to confirm (409)', async () => {
    const d = await fileDispute(w, w.client, await newContract(w));
    const withdrawn = await w.client.post(`/api/disputes/${d.id}/withdraw`);
    expect(withdrawn.body.dispute.settlement).toBeNull();
    expect((await report(d, { status: 'paid', reference: 'tx-1' })).status).toBe(409);
    const open = await fileDispute(w, w.client, await newContract(w));
    expect((await report(open, { status: 'paid', reference: 'tx-1' })).status).toBe(409);
  });

  it('goes pending → failed → failed (another attempt) → paid; each repeat is a no-op; after paid a different report is 409', async () => {
    const d = await settled();
    const failed = await report(d, { status: 'failed', reference: 'attempt-1' });
    expect(failed.status).toBe(200);
    expect(failed.body.dispute.settlement).toMatchObject({
      status: 'failed',
      reference: 'attempt-1',
    });
    const n = await events(d);
    const repeat = await report(d, { status: 'failed', reference: 'attempt-1' });
    expect(repeat.status).toBe(200);
    expect(repeat.body.dispute.settlement).toEqual(failed.body.dispute.settlement);
    expect(await events(d)).toBe(n);

    const again = await report(d, { status: 'failed', reference: 'attempt-2' });
    expect(again.body.dispute.settlement).toMatchObject({
      status: 'failed',
      reference: 'attempt-2',
    });
    const paid = await report(d, { status: 'paid', reference: 'tx-42' });
    expect(paid.status).toBe(200);
    expect(paid.body.dispute.settlement).toMatchObject({ status: 'paid', reference: 'tx-42' });
    // Confirming it changes the payout, not when the dispute closed.
    expect(paid.body.dispute.closedAt).toBe(d.closedAt);
    expect(paid.body.dispute.state).toBe('resolved');

    const m = await events(d);
    const paidAgain = await report(d, { status: 'paid', reference: 'tx-42' });
    expect(paidAgain.status).toBe(200);
    expect(paidAgain.body.dispute.settlement).toEqual(paid.body.dispute.settlement);
    for (const other of [
      { status: 'failed', reference: 'tx-42' },
      { status: 'failed', reference: 'late' },
      { status: 'paid', reference: 'tx-43' },
    ]) {
      const res = await report(d, other);
      expect(res.status, JSON.stringify(other)).toBe(409);
      expect(res.body.error.code).toBe('conflict');
    }
    expect(await events(d)).toBe(m);
  });

  it('goes pending → paid directly, and the parties see the payment sent; a failure only staff see', async () => {
    const d = await settled();
    await report(d, { status: 'failed', reference: 'bounce-1' });
    expect((await joint(w.client, d)).some((m) => m.event?.type === 'settlement_failed')).toBe(
      false,
    );
    const internal = await joint(w.admin, d, 'internal');
    expect(internal.find((m) => m.event?.type === 'settlement_failed')?.body).toContain('bounce-1');

    const direct = await settled();
    expect((await report(direct, { status: 'paid', reference: 'tx-7' })).status).toBe(200);
    for (const party of [w.client, w.freelancer]) {
      const sent = (await joint(party, direct)).filter((m) => m.event?.type === 'settlement_paid');
      expect(sent).toHaveLength(1);
      expect(sent[0]!.body).toBe(
        'Payment sent: the marketplace has paid out the settlement. Client $300.00, freelancer $700.00.',
      );
    }
  });

  it('is reported by admins or integrations only, with a valid body; nothing changes otherwise', async () => {
    const d = await settled();
    const n = await events(d);
    expect((await report(d, { status: 'paid', reference: 'x' }, w.client)).status).toBe(403);
    expect((await report(d, { status: 'paid', reference: 'x' }, w.ops)).status).toBe(403);
    expect((await report(d, { status: 'paid', reference: 'x' }, w.stranger)).status).toBe(404);
    expect(
      (await report(d, { status: 'paid', reference: 'x' }, new ApiClient(server.url))).status,
    ).toBe(401);
    for (const bad of [
      { status: 'paid' },
      { status: 'paid', reference: '' },
      { status: 'paid', reference: 'x'.repeat(201) },
      { status: 'pending', reference: 'x' },
      { status: 'paid', reference: 'x', extra: 1 },
    ]) {
      expect((await report(d, bad)).status, JSON.stringify(bad)).toBe(400);
    }
    expect((await report(d, { status: 'paid', reference: 'x'.repeat(200) })).status).toBe(200);
    expect(await events(d)).toBe(n + 1);
  });

  it('still pending after 24 h: ops are notified once (kind settlement) and the dashboard lists it; a paid one is not', async () => {
    const late = await settled();
    const onTime = await settled();
    await report(onTime, { status: 'paid', reference: 'tx-on-time' });
    await backgroundSettled(server);
    const overdue = async () =>
      (await w.ops.get('/api/ops/settlements/overdue')).body.settlements as { disputeId: string }[];
    expect((await overdue()).map((s) => s.disputeId)).not.toContain(late.id);

    offset += 25 * HOUR;
    expect((await overdue()).map((s) => s.disputeId)).toContain(late.id);
    expect((await overdue()).map((s) => s.disputeId)).not.toContain(onTime.id);
    expect((await w.client.get('/api/ops/settlements/overdue')).status).toBe(403);

    // BullMQ's delays run on real time: the day is made to have passed by promoting the jobs.
    await server.domain.jobs.queue('reminders').promoteJobs();
    const notified = async () =>
      (
        (await w.ops.get('/api/notifications?limit=100')).body.notifications as {
          kind: string;
          disputeId: string;
        }[]
      ).filter((n) => n.kind === 'settlement');
    await vi.waitFor(
      async () => expect((await notified()).map((n) => n.disputeId)).toContain(late.id),
      { timeout: 15_000, interval: 100 },
    );
    expect((await notified()).map((n) => n.disputeId)).not.toContain(onTime.id);
    expect((await notified()).filter((n) => n.disputeId === late.id)).toHaveLength(1);
    // Parties are not told (it is the marketplace's and ops' business).
    const partyNotes = (await w.client.get('/api/notifications?limit=100')).body.notifications as {
      kind: string;
    }[];
    expect(partyNotes.some((n) => n.kind === 'settlement')).toBe(false);
  });
});
