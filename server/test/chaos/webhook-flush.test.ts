import { freePort } from '../ports.js';
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { uniqueDbName } from '../harness.js';
import { adminClient, makeUser, type ApiClient } from '../api-client.js';
import { registerHook, startReceiver } from '../webhook-receiver.js';
import { RedisProcess, ServerProcess } from './procs.js';
import { processEnv } from './scenario.js';

/**
 * The database is the outbox: dispute events are stored while their webhook cannot be
 * reached, the instance is killed, its Redis (every queued job) is flushed, and the instance
 * restarts. Every webhook delivery the events owe must still succeed, each exactly once.
 */
describe('webhooks through kill -9 and a flushed Redis', () => {
  const dbName = uniqueDbName('hookflush');
  let redis: RedisProcess;
  let server: ServerProcess;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

  afterAll(async () => {
    await server?.dispose();
    await redis?.dispose();
    await receiver?.close();
    const mongo = new MongoClient(inject('mongoUri'));
    await mongo
      .connect()
      .then(() => mongo.db(dbName).dropDatabase())
      .finally(() => mongo.close());
  });

  it('delivers everything owed, once each', { timeout: 120_000 }, async () => {
    redis = new RedisProcess(await freePort());
    await redis.start();
    server = new ServerProcess('hooks', await freePort(), {
      ...processEnv({
        mongoUri: inject('mongoUri'),
        dbName,
        redisUrl: redis.url,
        redisPrefix: 'flush:',
      }),
      WEBHOOK_MAX_ATTEMPTS: '50',
      // The receiver is down on purpose for a while: that must not switch the hook off here.
      WEBHOOK_DISABLE_AFTER_FAILURES: '100000',
      WEBHOOK_BACKOFF_MS: '100',
      WEBHOOK_BACKOFF_MAX_MS: '1000',
      OUTBOX_REPAIR_AGE_MS: '1000',
      OUTBOX_REPAIR_MS: '1000',
    });
    // Until `accepting`, the receiver is down for maintenance (503): nothing gets delivered.
    let accepting = false;
    const delivered = new Map<string, number>();
    receiver = await startReceiver((req, res) => {
      req.resume();
      if (!accepting) {
        res.statusCode = 503;
        return res.end();
      }
      const id = String(req.headers['x-dispute-room-delivery']);
      delivered.set(id, (delivered.get(id) ?? 0) + 1);
      res.end();
    });

    await server.start();
    const admin = await adminClient(server.url);
    const hookId = await registerHook(admin, receiver.url, [
      'dispute.opened',
      'dispute.state_changed',
      'dispute.resolved',
    ]);
    const [client, freelancer] = await Promise.all([
      makeUser(admin, 'client'),
      makeUser(admin, 'freelancer'),
    ]);
    // Eight disputes: half accepted (opened, state_changed, resolved), half rejected
    // (opened, state_changed): 20 deliveries owed.
    const file = async (i: number, by: ApiClient) => {
      const contract = await admin.post('/api/contracts', {
        title: `Job ${i}`,
        clientId: client.user!.id,
        freelancerId: freelancer.user!.id,
        escrowCents: 10_000,
        currency: 'USD',
      });
      const d = await by.post('/api/disputes', {
        contractId: contract.body.contract.id,
        reason: 'quality',
        description: 'Not what was agreed.',
        claimCents: 5_000,
      });
      await freelancer.post(`/api/disputes/${d.body.dispute.id}/respond`, { accept: i % 2 === 0 });
    };
    for (let i = 0; i < 8; i++) await file(i, client);

    await server.crash();
    const r = new Redis(redis.url);
    await r.flushall();
    expect(await r.dbsize()).toBe(0);
    r.disconnect();
    accepting = true;
    await server.start();

    const again = await adminClient(server.url);
    const deliveries = async () =>
      (await again.get(`/api/admin/webhooks/${hookId}/deliveries`)).body.deliveries as {
        id: string;
        status: string;
      }[];
    await vi.waitFor(
      async () => {
        const all = await deliveries();
        expect(all).toHaveLength(20);
        expect(all.every((d) => d.status === 'delivered')).toBe(true);
      },
      { timeout: 60_000, interval: 250 },
    );
    const ids = (await deliveries()).map((d) => d.id).sort();
    expect([...delivered.keys()].sort()).toEqual(ids);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    // Nothing is owed any more but the reminders of the disputes still in mediation (they
    // stay owed until their deadline comes).
    const mongo = new MongoClient(inject('mongoUri'));
    await mongo.connect();
    try {
      await vi.waitFor(
        async () =>
          expect(
            await mongo
              .db(dbName)
              .collection('outbox')
              .countDocuments({ queue: { $ne: 'reminders' } }),
          ).toBe(0),
        { timeout: 10_000, interval: 200 },
      );
    } finally {
      await mongo.close();
    }
  });
});
