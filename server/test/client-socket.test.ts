import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dispute, Message } from '@dispute-room/shared';
import { io } from 'socket.io-client';
import { socketOptions } from '../../client/src/realtime/socketOptions.js';
import type { RunningServer } from '../src/server.js';
import type { ClientSocket } from './api-client.js';
import { startTestServer, stopTestServer } from './harness.js';
import { disputeInMediation, makeWorld, type World } from './world.js';

// The browser app's socket options, against the real server.
let server: RunningServer;
let w: World;
let d: Dispute;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  server = await startTestServer();
  w = await makeWorld(server);
  d = await disputeInMediation(w);
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await stopTestServer(server);
});

async function appSocket(): Promise<ClientSocket> {
  const s: ClientSocket = io(server.url, {
    ...socketOptions,
    transports: ['websocket'],
    forceNew: true,
    extraHeaders: { cookie: w.client.cookie! },
    // Only so the test need not wait out the browser's back-off.
    reconnectionDelay: 20,
    reconnectionDelayMax: 50,
  });
  sockets.push(s);
  const connected = new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('connect_error', reject);
  });
  s.connect();
  await connected;
  return s;
}

describe('the app socket', () => {
  it('sends a message again after the link drops before its ack, and it is stored once', async () => {
    const s = await appSocket();
    const sent: unknown[] = [];
    s.onAnyOutgoing((event: string, payload: unknown) => {
      if (event === 'message:send') sent.push(payload);
    });
    const payload = {
      disputeId: d.id,
      channel: 'joint' as const,
      body: 'sent across a dropped link',
      clientMsgId: 'across-a-drop',
    };
    const ack = s.emitWithAck('message:send', payload);
    // The packet goes out, then the connection closes: its ack cannot come back on it.
    s.io.engine.close();

    const answer = await ack;
    expect(answer.ok).toBe(true);
    expect(sent).toEqual([payload, payload]);
    const { messages } = (
      await w.client.get<{ messages: Message[] }>(`/api/disputes/${d.id}/messages?channel=joint`)
    ).body;
    const stored = messages.filter((m) => m.clientMsgId === payload.clientMsgId);
    expect(stored).toHaveLength(1);
    expect(answer.ok && answer.message.id).toBe(stored[0]!.id);
  });
});
