import { freePort } from '../ports.js';
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { uniqueDbName } from '../harness.js';
import { adminClient, makeUser } from '../api-client.js';
import { registerHook, startReceiver } from '../webhook-receiver.js';
import { ServerProcess } from './procs.js';
import { dropRedisPrefix, processEnv } from './scenario.js';

/**
 * A webhook attempt is stored before the delivery counts it. Here the receiver kills the
 * server with SIGKILL while the first attempt's request is in flight, so the process dies
 * between those two writes; the restarted server must still deliver, each attempt once.
 */
describe('a webhook delivery whose instance is killed mid-attempt', () => {
  const dbName = uniqueDbName('hookkill');
  const redisPrefix = `hookkill:${randomBytes(4).toString('hex')}:`;
  let server: ServerProcess;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  const received: { delivery: string; event: string }[] = [];

  afterAll(async () => {
    await server?.dispose();
    await receiver?.close();
    const mongo = new MongoClient(inject('mongoUri'));
    await mongo
      .connect()
      .then(() => mongo.db(dbName).dropDatabase())
      .finally(() => mongo.close());
    await dropRedisPrefix(inject('redisUrl'), redisPrefix);
  });

  it(
    'is carried on by the restarted instance and delivered once',
    { timeout: 90_000 },
    async () => {
      const port = await freePort();
      server = new ServerProcess('hooks', port, {
        ...processEnv({
          mongoUri: inject('mongoUri'),
          dbName,
          redisUrl: inject('redisUrl'),
          redisPrefix,
        }),
        WEBHOOK_TIMEOUT_MS: '500',
        WEBHOOK_BACKOFF_MS: '100',
      });
      let killed: Promise<void> | null = null;
      receiver = await startReceiver((req, res) => {
        received.push({
          delivery: String(req.headers['x-dispute-room-delivery']),
          event: String(req.headers['x-dispute-room-event']),
        });
        // The first request never gets an answer: its sender dies first.
        if (!killed) killed = server.crash();
        else res.end();
      });

      await server.start();
      const admin = await adminClient(server.url);
      const hookId = await registerHook(admin, receiver.url, ['dispute.opened']);
      const client = await makeUser(admin, 'client');
      const freelancer = await makeUser(admin, 'freelancer');
      const contract = await admin.post('/api/contracts', {
        title: 'Logo',
        clientId: client.user!.id,
        freelancerId: freelancer.user!.id,
        escrowCents: 10_000,
        currency: 'USD',
      });
      const filed = await client.post('/api/disputes', {
        contractId: contract.body.contract.id,
        reason: 'quality',
        description: 'The logo is not what was agreed.',
        claimCents: 5_000,
      });
      expect(filed.status).toBe(201);

      await vi.waitFor(() => expect(killed).not.toBeNull(), { timeout: 15_000, interval: 50 });
      await killed;
      await server.start();
      const again = await adminClient(server.url);
      const deliveries = async () =>
        (await again.get(`/api/admin/webhooks/${hookId}/deliveries`)).body.deliveries as {
          id: string;
          status: string;
          attempts: { status: number | null; error: string | null }[];
        }[];
      await vi.waitFor(async () => expect((await deliveries())[0]?.status).toBe('delivered'), {
        timeout: 30_000,
        interval: 200,
      });
      const [delivery] = await deliveries();
      // The cut-off attempt counts as failed; the next one delivered; nothing more was sent.
      expect(delivery!.attempts).toEqual([
        expect.objectContaining({ status: null, error: expect.stringMatching(/^interrupted/) }),
        expect.objectContaining({ status: 200, error: null }),
      ]);
      expect(received).toEqual([
        { delivery: delivery!.id, event: 'dispute.opened' },
        { delivery: delivery!.id, event: 'dispute.opened' },
      ]);
    },
  );
});
