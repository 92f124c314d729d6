import { io, type Socket } from 'socket.io-client';
import { emitLine, nowMs, onCommands, summarize } from './lib.ts';
import type { Seat } from './load.ts';

/**
 * Hostile socket payloads, from their own process: binary attachments, deep arrays, wide
 * objects, just under the server's message cap and far over it. JSON kinds are written as
 * raw Socket.IO packets (a client's encoder would overflow its own stack on them).
 */
const KINDS = [
  'buffer-900k',
  'buffer-60k',
  'deep-array-60k',
  'deep-array-900k',
  'wide-object-60k',
  'wide-array-60k',
  'long-string-60k',
] as const;
type Kind = (typeof KINDS)[number];

const deep = (bytes: number) => '['.repeat(bytes / 2) + ']'.repeat(bytes / 2);
const json: Partial<Record<Kind, string>> = {
  'deep-array-60k': deep(60_000),
  'deep-array-900k': deep(900_000),
  'wide-object-60k': JSON.stringify(
    Object.fromEntries(Array.from({ length: 6_000 }, (_, i) => [`k${i}`, i])),
  ),
  'wide-array-60k': `[${'0,'.repeat(29_999)}0]`,
  'long-string-60k': JSON.stringify({ disputeId: 'x'.repeat(60_000), channel: 'joint' }),
};
const binary: Partial<Record<Kind, Buffer>> = {
  'buffer-900k': Buffer.alloc(900_000, 7),
  'buffer-60k': Buffer.alloc(60_000, 7),
};

function connect(url: string, seat: Seat): Promise<Socket> {
  const socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: { token: seat.token },
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** One hostile sender: sends, waits for the answer (or the close), reconnects when closed. */
class Sender {
  private socket: Socket | null = null;
  private nextAck = 1_000_000;

  constructor(
    private readonly url: string,
    private readonly seat: Seat,
  ) {}

  async connected(): Promise<Socket> {
    this.socket ??= await connect(this.url, this.seat);
    return this.socket;
  }

  /** Resolves 'answered' with the server's ack, or 'closed' when it dropped the connection. */
  async send(kind: Kind): Promise<'answered' | 'closed'> {
    const s = await this.connected();
    const outcome = new Promise<'answered' | 'closed'>((resolve) => {
      const id = this.nextAck++;
      const onPacket = (packet: { type: string; data?: unknown }) => {
        if (packet.type === 'message' && String(packet.data).startsWith(`3${id}[`))
          done('answered');
      };
      const done = (how: 'answered' | 'closed') => {
        s.io.engine.off('packet', onPacket);
        s.off('disconnect', onClose);
        resolve(how);
      };
      const onClose = () => done('closed');
      s.io.engine.on('packet', onPacket);
      s.once('disconnect', onClose);
      const raw = json[kind];
      if (raw !== undefined) s.io.engine.write(`2${id}["typing",${raw}]`);
      else {
        // Binary attachments go through the client's encoder; the ack id is its own.
        s.emit('typing', binary[kind], () => done('answered'));
      }
    });
    const how = await outcome;
    if (how === 'closed') {
      s.close();
      this.socket = null;
    }
    return how;
  }

  close() {
    this.socket?.close();
  }
}

let ready: Sender[] = [];

onCommands(async (cmd) => {
  switch (cmd.mode) {
    case 'kinds':
      emitLine({ kinds: KINDS });
      break;
    case 'connect': {
      // `count` connected senders, so that the next 'each' measures payloads, not handshakes.
      const { url, seat, count } = cmd as { url: string; seat: Seat; count: number };
      ready = Array.from({ length: count }, () => new Sender(url, seat));
      for (const sender of ready) await sender.connected();
      emitLine({ connected: count });
      break;
    }
    case 'each': {
      // One payload of `kind` from each connected sender, one after another.
      const { kind } = cmd as { kind: Kind };
      const times: number[] = [];
      const outcomes: Record<string, number> = {};
      for (const sender of ready) {
        const t0 = nowMs();
        const how = await sender.send(kind);
        times.push(nowMs() - t0);
        outcomes[how] = (outcomes[how] ?? 0) + 1;
      }
      ready.forEach((s) => s.close());
      ready = [];
      emitLine({ kind, count: times.length, outcomes, roundTrip: summarize(times) });
      break;
    }
    case 'flood': {
      // `sockets` senders cycling through every kind, closed loop, for `durationMs`.
      const { url, seats, sockets, durationMs } = cmd as {
        url: string;
        seats: Seat[];
        sockets: number;
        durationMs: number;
      };
      const senders = Array.from(
        { length: sockets },
        (_, i) => new Sender(url, seats[i % seats.length]!),
      );
      const deadline = nowMs() + durationMs;
      let sent = 0;
      await Promise.all(
        senders.map(async (sender, i) => {
          for (let k = i; nowMs() < deadline; k++) {
            await sender.send(KINDS[k % KINDS.length]!);
            sent++;
          }
          sender.close();
        }),
      );
      emitLine({ sent });
      break;
    }
    case 'exit':
      process.exit(0);
  }
});
