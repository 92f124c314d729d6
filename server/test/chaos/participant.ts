import { io as connectSocket } from 'socket.io-client';
import type { Channel, JoinResult, Message } from '@dispute-room/shared';
import type { ClientSocket } from '../api-client.js';
import { sleep } from './procs.js';

export interface Stats {
  attempts: number;
  /** Attempts after the first one of a message. */
  retries: number;
  timeouts: number;
  errors: Record<string, number>;
  /** Live deliveries of an entry the participant already held (merged away, as a client does). */
  redelivered: number;
  /** Holes seen in a channel's seq, each answered by a backfill join. */
  holes: number;
  joins: number;
  reconnects: number;
}

export function noStats(): Stats {
  return {
    attempts: 0,
    retries: 0,
    timeouts: 0,
    errors: {},
    redelivered: 0,
    holes: 0,
    joins: 0,
    reconnects: 0,
  };
}

export interface SentRecord {
  disputeId: string;
  authorId: string;
  clientMsgId: string;
  channel: Channel;
  /** The message the server acked, when one was. */
  acked: Message | null;
}

/**
 * A scripted participant: one socket with reconnection on, re-joining after every
 * reconnect with `after` = the last seq it holds without a hole, merging what it gets
 * by seq, and sending each message until it is acked (same clientMsgId every time).
 */
export class Participant {
  socket!: ClientSocket;
  /** channel → seq → message, as received (live or backfilled). */
  readonly held = new Map<Channel, Map<number, Message>>();
  /** Same seq received with a different id or hash: must never happen. */
  readonly conflicts: string[] = [];
  /** Entries of channels this participant may not read: must never happen. */
  readonly leaks: string[] = [];
  readonly stats: Stats = noStats();
  private syncing: Promise<void> | null = null;
  private syncAgain = false;
  private holeTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    readonly name: string,
    readonly userId: string,
    readonly disputeId: string,
    readonly url: string,
    private readonly token: string,
    readonly readable: readonly Channel[],
    readonly writable: readonly Channel[],
    private readonly ackTimeoutMs = 3_000,
  ) {}

  connect(): void {
    const socket: ClientSocket = connectSocket(this.url, {
      path: '/socket.io',
      transports: ['websocket'],
      forceNew: true,
      reconnection: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 1_000,
      randomizationFactor: 0.3,
      timeout: 5_000,
      auth: { token: this.token },
    });
    this.socket = socket;
    let first = true;
    socket.on('connect', () => {
      if (!first) this.stats.reconnects += 1;
      first = false;
      void this.resync();
    });
    socket.on('message:new', ({ message }) => this.receive(message));
    // Socket.IO does not retry by itself after a refused handshake or a server-side
    // disconnect; a real client does, after a pause (and each one is counted).
    socket.on('connect_error', (err) => {
      if (socket.active || this.closed) return;
      this.count(`connect:${err.message}`);
      setTimeout(() => !this.closed && socket.connect(), 300);
    });
    socket.on('disconnect', (reason) => {
      if (socket.active || this.closed) return;
      this.count(`disconnect:${reason}`);
      setTimeout(() => !this.closed && socket.connect(), 300);
    });
  }

  private count(what: string): void {
    this.stats.errors[what] = (this.stats.errors[what] ?? 0) + 1;
  }

  /** The last seq of `channel` held with nothing missing below it. */
  contiguous(channel: Channel): number {
    const m = this.held.get(channel);
    let n = 0;
    while (m?.has(n + 1)) n += 1;
    return n;
  }

  private receive(message: Message): void {
    if (message.disputeId !== this.disputeId) return;
    if (!this.readable.includes(message.channel)) {
      this.leaks.push(`${message.channel}#${message.seq}`);
      return;
    }
    let m = this.held.get(message.channel);
    if (!m) this.held.set(message.channel, (m = new Map()));
    const known = m.get(message.seq);
    if (known) {
      if (known.id !== message.id || known.hash !== message.hash) {
        this.conflicts.push(`${message.channel}#${message.seq}: ${known.id} vs ${message.id}`);
      } else this.stats.redelivered += 1;
      return;
    }
    m.set(message.seq, message);
    if (message.seq > this.contiguous(message.channel) + 1) this.noteHole();
  }

  /** Entries of different instances may arrive a moment out of order: backfill only if a hole stays. */
  private noteHole(): void {
    if (this.holeTimer) return;
    this.holeTimer = setTimeout(() => {
      this.holeTimer = null;
      const open = this.readable.some((c) => {
        const m = this.held.get(c);
        return m !== undefined && m.size > this.contiguous(c);
      });
      if (open && !this.closed) {
        this.stats.holes += 1;
        void this.resync();
      }
    }, 300);
  }

  /** Joins (again) and pages until no channel has more; one run at a time. */
  resync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.syncAgain = false;
          await this.joinUntilComplete();
        } while (this.syncAgain && !this.closed);
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  private async joinUntilComplete(): Promise<void> {
    for (let round = 0; !this.closed; round++) {
      if (!this.socket.connected) return; // the next 'connect' syncs
      const after: Partial<Record<Channel, number>> = {};
      for (const c of this.readable) after[c] = this.contiguous(c);
      this.stats.joins += 1;
      let answer;
      try {
        answer = await this.socket
          .timeout(5_000)
          .emitWithAck('dispute:join', { disputeId: this.disputeId, after });
      } catch {
        continue; // timed out: the socket is probably reconnecting
      }
      if (!answer.ok) {
        this.count(`join:${answer.error.code}`);
        await sleep(200);
        continue;
      }
      const result = answer as unknown as JoinResult;
      for (const m of result.messages) this.receive(m);
      if (!Object.values(result.hasMore).some(Boolean)) return;
    }
  }

  private async connected(timeoutMs: number): Promise<void> {
    if (this.socket.connected) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.socket.once('connect', done);
    });
  }

  /** Sends until acked, retrying with the same clientMsgId; gives up only at `deadline`. */
  async send(record: SentRecord, deadline: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > deadline) throw new Error(`${this.name}: ${record.clientMsgId} never acked`);
      await this.connected(2_000);
      this.stats.attempts += 1;
      if (attempt > 0) this.stats.retries += 1;
      try {
        const answer = await this.socket.timeout(this.ackTimeoutMs).emitWithAck('message:send', {
          disputeId: record.disputeId,
          channel: record.channel,
          body: `chaos ${record.clientMsgId} from ${this.name}`,
          clientMsgId: record.clientMsgId,
        });
        if (answer.ok) {
          record.acked = answer.message;
          this.receive(answer.message);
          return;
        }
        this.count(answer.error.code);
      } catch {
        this.stats.timeouts += 1;
      }
      await sleep(50 + Math.random() * 150);
    }
  }

  close(): void {
    this.closed = true;
    if (this.holeTimer) clearTimeout(this.holeTimer);
    this.socket?.disconnect();
  }
}
