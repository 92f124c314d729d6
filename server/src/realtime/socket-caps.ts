import type { Context } from '../context.js';
import type { IO } from './hub.js';

/**
 * How long a socket counts after its instance last vouched for it. Each instance renews its
 * sockets every third of this, so the sockets of an instance killed without a goodbye stop
 * counting within this much.
 */
export const SOCKET_LEASE_MS = 30_000;

/** The limits a socket counts against: always its user's, and its token's when it has one. */
export interface SocketOwners {
  userId: string;
  tokenId: string | null;
}

interface Cap {
  key: string;
  max: number;
  label: string;
}

/**
 * One sorted set per user and per token: socket id → lease expiry. Checking every cap and
 * taking a seat in all of them is one script, so concurrent handshakes on any number of
 * instances cannot overshoot.
 */
const ADMIT = `
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[1])
  if redis.call('ZCARD', key) >= tonumber(ARGV[3 + i]) then return i end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, ARGV[2], ARGV[3])
  redis.call('PEXPIRE', key, ARGV[4 + #KEYS])
end
return 0`;

type AdmitCommand = (numKeys: number, ...args: (string | number)[]) => Promise<number>;

/**
 * Caps the sockets of one user and of one token across all instances (SOCKETS_PER_USER,
 * SOCKETS_PER_TOKEN).
 */
export class SocketCaps {
  private readonly prefix: string;

  constructor(private readonly ctx: Context) {
    this.prefix = `${ctx.config.REDIS_PREFIX}sockets:`;
    ctx.redis.main.defineCommand('admitSocket', { lua: ADMIT });
  }

  private caps({ userId, tokenId }: SocketOwners): Cap[] {
    const { SOCKETS_PER_USER, SOCKETS_PER_TOKEN } = this.ctx.config;
    return [
      { key: `${this.prefix}user:${userId}`, max: SOCKETS_PER_USER, label: 'this user' },
      ...(tokenId
        ? [{ key: `${this.prefix}token:${tokenId}`, max: SOCKETS_PER_TOKEN, label: 'this token' }]
        : []),
    ];
  }

  /** Takes a seat for the socket; answers why not when one of its caps is full. */
  async admit(socketId: string, owners: SocketOwners): Promise<string | null> {
    const caps = this.caps(owners);
    let full: number;
    const now = Date.now();
    const admit = (this.ctx.redis.main as unknown as { admitSocket: AdmitCommand }).admitSocket;
    try {
      full = await admit.call(
        this.ctx.redis.main,
        caps.length,
        ...caps.map((c) => c.key),
        now,
        now + SOCKET_LEASE_MS,
        socketId,
        ...caps.map((c) => c.max),
        SOCKET_LEASE_MS,
      );
    } catch (err) {
      // A cap must not take the whole realtime side down with Redis; the next renewal
      // counts this socket.
      this.ctx.log.warn({ err }, 'socket caps unavailable; connection admitted');
      return null;
    }
    if (full === 0) return null;
    const cap = caps[full - 1]!;
    return `too many connections for ${cap.label} (at most ${cap.max})`;
  }

  release(socketId: string, owners: SocketOwners): void {
    for (const { key } of this.caps(owners)) {
      this.ctx.redis.main
        .zrem(key, socketId)
        .catch((err: unknown) => this.ctx.log.debug({ err }, 'socket seat not released'));
    }
  }

  /** Renews the leases of this instance's sockets; returns the stop function. */
  renewEvery(io: IO, owners: (socket: { id: string; data: unknown }) => SocketOwners | null) {
    const redis = this.ctx.redis.main;
    const timer = setInterval(() => {
      const expiry = Date.now() + SOCKET_LEASE_MS;
      const byKey = new Map<string, string[]>();
      for (const socket of io.of('/').sockets.values()) {
        const o = owners(socket);
        if (!o) continue;
        for (const { key } of this.caps(o)) {
          let ids = byKey.get(key);
          if (!ids) byKey.set(key, (ids = []));
          ids.push(socket.id);
        }
      }
      for (const [key, ids] of byKey) {
        redis
          .multi()
          .zadd(key, ...ids.flatMap((id) => [expiry, id]))
          .pexpire(key, SOCKET_LEASE_MS)
          .exec()
          .catch((err: unknown) => this.ctx.log.debug({ err }, 'socket leases not renewed'));
      }
    }, SOCKET_LEASE_MS / 3);
    timer.unref();
    return () => clearInterval(timer);
  }
}
