import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../server.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';
import { fileDispute, makeWorld, newContract, type World } from '../../test/world.js';
import { backoffMs } from './webhooks.js';

let server: RunningServer;
let w: World;
let receiver: Server;
let url: string;
let answer = 500;
const received: string[] = [];

beforeAll(async () => {
  server = await startTestServer({
    env: {
      WEBHOOK_MAX_ATTEMPTS: '2',
      WEBHOOK_BACKOFF_MS: '20',
      WEBHOOK_DISABLE_AFTER_FAILURES: '3',
    },
  });
  w = await makeWorld(server);
  receiver = createServer((req, res) => {
    req.resume();
    received.push(String(req.headers['x-dispute-room-delivery']));
    res.statusCode = answer;
    res.end();
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await new Promise<void>((r) => receiver.close(() => r()));
  await stopTestServer(server);
});

describe('webhook failures', () => {
  it('backs off exponentially, capped, with jitter over the upper half', () => {
    expect(backoffMs(1_000, 60_000, 1, 0)).toBe(500);
    expect(backoffMs(1_000, 60_000, 1, 1)).toBe(1_000);
    expect(backoffMs(1_000, 60_000, 4, 1)).toBe(8_000);
    expect(backoffMs(1_000, 60_000, 4, 0.5)).toBe(6_000);
    expect(backoffMs(1_000, 60_000, 30, 1)).toBe(60_000);
  });

  it('dead-letters spent deliveries, switches a failing webhook off and tells its owner; an admin retries', async () => {
    const disabled: { webhookId: string; ownerId: string }[] = [];
    server.domain.events.on('webhook.disabled', (e) => void disabled.push(e));
    const hook = await w.admin.post('/api/admin/webhooks', {
      url,
      secret: 'whsec_0123456789abcdef',
      events: ['dispute.opened'],
    });
    const hookId = hook.body.webhook.id as string;
    // Two deliveries of two attempts each: the third failure in a row switches the hook off.
    await fileDispute(w, w.client, await newContract(w));
    await fileDispute(w, w.client, await newContract(w));
    const list = async () =>
      (await w.admin.get(`/api/admin/webhooks/${hookId}/deliveries`)).body.deliveries as {
        id: string;
        status: string;
        attempts: { status: number | null; error: string | null }[];
      }[];
    await vi.waitFor(
      async () => {
        const all = await list();
        expect(all).toHaveLength(2);
        expect(all.map((d) => d.status)).toEqual(['failed', 'failed']);
      },
      { timeout: 15_000, interval: 50 },
    );
    const [webhook] = (await w.admin.get('/api/admin/webhooks')).body.webhooks;
    expect(webhook).toMatchObject({ id: hookId, consecutiveFailures: 3 });
    expect(webhook.disabledAt).not.toBeNull();
    expect(disabled).toEqual([
      expect.objectContaining({ webhookId: hookId, ownerId: w.admin.user!.id }),
    ]);
    // The owner is told in the bell, once, with a link to the dead letters.
    const told = async () =>
      (
        (await w.admin.get('/api/notifications')).body.notifications as {
          kind: string;
          title: string;
          url: string;
        }[]
      ).filter((n) => n.kind === 'webhook_disabled');
    await vi.waitFor(async () => expect(await told()).toHaveLength(1), {
      timeout: 10_000,
      interval: 50,
    });
    expect((await told())[0]).toMatchObject({
      title: `Webhook switched off: ${url}`,
      url: '/admin/queues',
    });
    // Three requests reached the receiver; the fourth attempt found the hook switched off.
    expect(received).toHaveLength(3);
    const attempts = (await list()).flatMap((d) => d.attempts.map((a) => a.error));
    expect(attempts.sort()).toEqual(['HTTP 500', 'HTTP 500', 'HTTP 500', 'webhook disabled']);

    // The dead letters are in the admin's view of the queues, with their error.
    expect((await w.ops.get('/api/admin/queues')).status).toBe(403);
    const queues = (await w.admin.get('/api/admin/queues')).body.queues as {
      name: string;
      counts: { failed: number };
      failed: { id: string; failedReason: string; data: { deliveryId: string } }[];
    }[];
    const webhooks = queues.find((q) => q.name === 'webhooks')!;
    expect(webhooks.counts.failed).toBe(2);
    expect(webhooks.failed.map((j) => j.failedReason).join()).toMatch(/failed after 2 attempts/);

    // Switched back on, the receiver healthy again, one dead letter retried: delivered.
    answer = 200;
    expect((await w.admin.post(`/api/admin/webhooks/${hookId}/enable`)).body.webhook).toMatchObject(
      {
        disabledAt: null,
        consecutiveFailures: 0,
      },
    );
    const dead = webhooks.failed[0]!;
    expect((await w.ops.post('/api/admin/queues/webhooks/retry', { jobId: dead.id })).status).toBe(
      403,
    );
    expect(
      (await w.admin.post('/api/admin/queues/webhooks/retry', { jobId: 'no-such-job' })).status,
    ).toBe(404);
    expect((await w.admin.post('/api/admin/queues/nowhere/retry', { jobId: dead.id })).status).toBe(
      400,
    );
    expect(
      (await w.admin.post('/api/admin/queues/webhooks/retry', { jobId: dead.id })).status,
    ).toBe(204);
    await vi.waitFor(
      async () => {
        const retried = (await list()).find((d) => d.id === dead.data.deliveryId)!;
        expect(retried.status).toBe('delivered');
        expect(retried.attempts.at(-1)).toMatchObject({ status: 200, error: null });
      },
      { timeout: 15_000, interval: 50 },
    );
    // The other dead letter stays failed until someone retries it too.
    expect((await list()).filter((d) => d.status === 'failed')).toHaveLength(1);
  });
});
