import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { factOptions } from './processors.js';

/** A backlog of facts on the real Redis: the order one worker takes them in. */
describe('facts backlog order', () => {
  const url = new URL(inject('redisUrl'));
  const connection = { host: url.hostname, port: Number(url.port) || 6379 };
  const prefix = `test:${randomBytes(4).toString('hex')}:bull`;
  const queue = new Queue('facts', { connection, prefix });
  let worker: Worker | null = null;
  afterAll(async () => {
    await worker?.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('tells people first: notifications, then reminders, integrations, then staff read models', async () => {
    // Owed in the order a burst of filings owes them: every listener of each event in turn.
    const listeners = ['webhooks', 'rollups', 'search', 'reminders', 'notifications'];
    for (let event = 0; event < 4; event++)
      for (const name of listeners)
        await queue.add(
          name,
          { eventId: `e${event}` },
          { jobId: `e${event}.${name}`, ...factOptions(name) },
        );

    const taken: string[] = [];
    worker = new Worker(
      'facts',
      async (job) => {
        taken.push(job.name);
      },
      { connection, prefix, concurrency: 1 },
    );
    const deadline = Date.now() + 30_000;
    while (taken.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const order = ['notifications', 'reminders', 'webhooks', 'search', 'rollups'];
    expect(taken).toEqual(order.flatMap((name) => [name, name, name, name]));
  });
});
