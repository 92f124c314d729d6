import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, Message } from '@dispute-room/shared';
import type { RunningServer } from '../../src/server.js';
import { startTestServer, stopTestServer } from '../harness.js';
import { disputeInMediation, makeWorld, type World } from '../world.js';

const LIMIT = 3;
let server: RunningServer;
let w: World;

beforeAll(async () => {
  server = await startTestServer({ env: { MESSAGE_LIMIT_PER_MIN: String(LIMIT) } });
  w = await makeWorld(server);
});
afterAll(() => stopTestServer(server));

describe('a repeated clientMsgId over the send limit', () => {
  it('gets its original over REST and socket; a new message is still refused', async () => {
    const d = await disputeInMediation(w);
    const send = (clientMsgId: string, body = clientMsgId) =>
      w.client.post(`/api/disputes/${d.id}/messages`, { channel: 'joint', body, clientMsgId });
    const originals: Message[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const res = await send(`m${i}`);
      expect(res.status).toBe(201);
      originals.push(res.body.message);
    }
    const fresh = await send('new-one');
    expect(fresh.status).toBe(429);
    expect(fresh.body.error.code).toBe('rate_limited');

    const rest = await send('m0', 'another body');
    expect(rest.status).toBe(200);
    expect(rest.body.message).toEqual(originals[0]);

    const socket = await w.client.socket();
    try {
      const ack = await new Promise<Ack<{ message: Message }>>((resolve) =>
        socket.emit(
          'message:send',
          { disputeId: d.id, channel: 'joint', body: 'again', clientMsgId: 'm1' },
          resolve,
        ),
      );
      expect(ack).toEqual({ ok: true, message: originals[1] });
      const refused = await new Promise<Ack>((resolve) =>
        socket.emit(
          'message:send',
          { disputeId: d.id, channel: 'joint', body: 'new', clientMsgId: 'new-two' },
          resolve as never,
        ),
      );
      expect(refused).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    } finally {
      socket.disconnect();
    }
    const list = await w.client.get(`/api/disputes/${d.id}/messages?channel=joint`);
    const mine = list.body.messages.filter((m: Message) => m.authorId === w.client.user!.id);
    expect(mine.map((m: Message) => m.clientMsgId)).toEqual(['m0', 'm1', 'm2']);
  });
});
