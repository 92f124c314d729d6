import { io, type Socket } from 'socket.io-client';
import { socketOptions } from '../client/src/realtime/socketOptions.ts';
import { emitLine, nowMs, onCommands } from './lib.ts';
import type { Seat } from './load.ts';

/**
 * Holds sockets the way the web client does (its reconnection options, a rejoin after
 * every connect with the seqs already seen), for the reconnect storm: how long after a
 * server restart each socket is connected, joined and caught up again.
 */

type JoinAck =
  | { ok: true; messages: { id: string; channel: string; seq: number }[] }
  | { ok: false; error: { code: string; message: string } };

interface Held {
  seat: Seat;
  socket: Socket;
  /** Highest seq seen per channel: what a rejoin asks to come after. */
  after: Record<string, number>;
  /** Every message id delivered to this socket, backfill and live, with how often. */
  seen: Map<string, number>;
  connects: number;
  joins: number;
  joinFailures: Record<string, number>;
  /** Since the last 'mark': when it connected again, when its rejoin was acknowledged. */
  reconnectedAt: number | null;
  rejoinedAt: number | null;
  caughtUpAt: number | null;
}

let held: Held[] = [];
/** The message each dispute must get during the storm (sent while the server was down). */
let expected = new Map<string, string>();

function take(h: Held, m: { id: string; channel: string; seq: number }) {
  h.seen.set(m.id, (h.seen.get(m.id) ?? 0) + 1);
  if (m.seq > (h.after[m.channel] ?? 0)) h.after[m.channel] = m.seq;
  if (h.caughtUpAt === null && expected.get(h.seat.disputeId) === m.id) h.caughtUpAt = nowMs();
}

function join(h: Held) {
  const payload = { disputeId: h.seat.disputeId, after: h.after };
  h.socket.emit('dispute:join', payload, (ack: JoinAck) => {
    if (!ack.ok) {
      h.joinFailures[ack.error.code] = (h.joinFailures[ack.error.code] ?? 0) + 1;
      // As the client's room does: try again shortly, on this connection.
      setTimeout(() => h.socket.connected && join(h), 500 + Math.random() * 1_000);
      return;
    }
    h.joins += 1;
    if (h.rejoinedAt === null && h.reconnectedAt !== null) h.rejoinedAt = nowMs();
    for (const m of ack.messages) take(h, m);
  });
}

function hold(url: string, seat: Seat): Promise<Held> {
  // Its reconnection timing as the client has it; no retry queue (joins are resent here).
  const { ackTimeout: _timeout, retries: _retries, ...options } = socketOptions;
  const socket = io(url, {
    ...options,
    // A token stands for the browser's session cookie.
    withCredentials: false,
    transports: ['websocket'],
    forceNew: true,
    auth: { token: seat.token },
  });
  const h: Held = {
    seat,
    socket,
    after: {},
    seen: new Map(),
    connects: 0,
    joins: 0,
    joinFailures: {},
    reconnectedAt: null,
    rejoinedAt: null,
    caughtUpAt: null,
  };
  socket.on('connect', () => {
    h.connects += 1;
    if (h.connects > 1 && h.reconnectedAt === null) h.reconnectedAt = nowMs();
    join(h);
  });
  socket.on('message:new', (p: { message: { id: string; channel: string; seq: number } }) =>
    take(h, p.message),
  );
  socket.connect();
  return new Promise((resolve, reject) => {
    const started = nowMs();
    const check = setInterval(() => {
      if (h.joins > 0) {
        clearInterval(check);
        resolve(h);
      } else if (nowMs() - started > 120_000) {
        clearInterval(check);
        reject(
          new Error(
            `socket for ${seat.disputeId} did not join within 120 s (connected: ${socket.connected}, refusals: ${JSON.stringify(h.joinFailures)})`,
          ),
        );
      }
    }, 20);
  });
}

onCommands(async (cmd) => {
  switch (cmd.mode) {
    case 'hold': {
      const { url, seats, count, concurrency } = cmd as {
        url: string;
        seats: Seat[];
        count: number;
        concurrency: number;
      };
      const t0 = nowMs();
      held = new Array<Held>(count);
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < count) {
            const i = next++;
            held[i] = await hold(url, seats[i % seats.length]!);
            if ((i + 1) % 1000 === 0) process.stderr.write(`  … ${i + 1} sockets joined\n`);
          }
        }),
      );
      emitLine({ held: count, ms: nowMs() - t0 });
      break;
    }
    case 'expect': {
      // From here on, time the comeback: what each socket must get is `messages`.
      const { messages } = cmd as { messages: Record<string, string> };
      expected = new Map(Object.entries(messages));
      for (const h of held) {
        h.reconnectedAt = h.rejoinedAt = h.caughtUpAt = null;
        h.connects = 1;
        h.joinFailures = {};
      }
      emitLine({ marked: held.length });
      break;
    }
    case 'await': {
      // Until every socket is back and caught up, or the deadline passes.
      const { deadline } = cmd as { deadline: number };
      let told = nowMs();
      while (
        nowMs() < deadline &&
        held.some((h) => h.caughtUpAt === null || h.rejoinedAt === null)
      ) {
        await new Promise((r) => setTimeout(r, 50));
        if (nowMs() - told >= 2_000) {
          told = nowMs();
          const back = held.filter((h) => h.caughtUpAt !== null && h.rejoinedAt !== null).length;
          process.stderr.write(`  … ${back} of ${held.length} sockets back and caught up\n`);
        }
      }
      const failures: Record<string, number> = {};
      for (const h of held)
        for (const [code, n] of Object.entries(h.joinFailures))
          failures[code] = (failures[code] ?? 0) + n;
      emitLine({
        sockets: held.length,
        reconnectedAt: held.map((h) => h.reconnectedAt),
        rejoinedAt: held.map((h) => h.rejoinedAt),
        caughtUpAt: held.map((h) => h.caughtUpAt),
        // The outage's message never delivered to the socket that should have it.
        lost: held.filter((h) => !h.seen.has(expected.get(h.seat.disputeId) ?? '')).length,
        // Deliveries of an id this socket had already had (the client drops them by id).
        duplicates: held.reduce(
          (n, h) => n + [...h.seen.values()].reduce((k, times) => k + times - 1, 0),
          0,
        ),
        joinFailures: failures,
      });
      break;
    }
    case 'exit':
      for (const h of held) h.socket.disconnect();
      process.exit(0);
  }
});
