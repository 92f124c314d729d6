import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { ClientSocket } from '../api-client.js';
import { disputeInMediation, makeWorld } from '../world.js';
import type { ServerProcess } from './procs.js';
import { startCluster } from './scenario.js';

/** After a kill -9 nobody says goodbye: the surviving instance must notice by itself. */
describe('presence after a crash', () => {
  const instances: ServerProcess[] = [];
  const sockets: ClientSocket[] = [];
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await Promise.all(instances.map((p) => p.dispose()));
  });

  it('shows a user offline soon after their instance is killed', async () => {
    const tag = randomBytes(4).toString('hex');
    const [a, b] = (await startCluster({
      mongoUri: inject('mongoUri'),
      dbName: `presence_${tag}`,
      redisUrl: inject('redisUrl'),
      redisPrefix: `presence:${tag}:`,
      env: { PRESENCE_SWEEP_MS: '300' },
    })) as [ServerProcess, ServerProcess];
    instances.push(a, b);
    await Promise.all([a.start(), b.start()]);
    const w = await makeWorld({ url: a.url } as never);
    const d = await disputeInMediation(w);

    const freelancer = await w.freelancer.socket({ url: a.url });
    const client = await w.client.socket({ url: b.url });
    sockets.push(freelancer, client);
    const join = (s: ClientSocket) =>
      new Promise<{ ok: boolean; presence?: Record<string, boolean> }>((resolve) =>
        (s.emit as (e: string, p: unknown, cb: (x: never) => void) => void)(
          'dispute:join',
          { disputeId: d.id },
          resolve,
        ),
      );
    await join(freelancer);
    const ack = await join(client);
    expect(ack.presence?.[w.freelancer.user!.id]).toBe(true);

    // What the freelancer believes about the client, from every presence event it gets.
    let clientOnline: boolean | null = null;
    freelancer.on('presence', (p) => {
      if (p.userId === w.client.user!.id) clientOnline = p.online;
    });
    const until = async (want: boolean) => {
      for (let i = 0; i < 100 && clientOnline !== want; i++)
        await new Promise((r) => setTimeout(r, 100));
      return clientOnline;
    };
    expect(await until(true)).toBe(true);
    await b.crash();
    expect(await until(false)).toBe(false);
  }, 120_000);
});
