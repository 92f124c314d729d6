import { Redis } from 'ioredis';
import { DatabaseUnavailableError, withoutCredentials } from './db/errors.js';
import type { Logger } from './logger.js';

export interface RedisClients {
  /** Commands: sessions, rate limits, presence. */
  main: Redis;
  /** The Socket.IO adapter's publisher and subscriber. */
  pub: Redis;
  sub: Redis;
  close(): Promise<void>;
}

/** ioredis reconnects and resubscribes by itself after a Redis restart. */
export async function connectRedis(url: string, log: Logger): Promise<RedisClients> {
  let lastError: Error | undefined;
  const make = (name: string, pipelined: boolean) => {
    const client = new Redis(url, {
      connectionName: `dispute-room:${name}`,
      // Commands issued in the same tick (rate-limit checks, adapter publishes under load)
      // leave in one write: one syscall instead of one per message.
      enableAutoPipelining: pipelined,
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    client.on('error', (err: Error) => {
      lastError = err;
      log.warn({ err: err.message, client: name }, 'redis error');
    });
    return client;
  };
  const main = make('main', true);
  const pub = make('pub', true);
  const sub = make('sub', false);
  try {
    await Promise.all([main.connect(), pub.connect(), sub.connect()]);
  } catch (err) {
    for (const client of [main, pub, sub]) client.disconnect();
    // "Connection is closed" says less than the socket error that closed it.
    const cause = lastError ?? (err instanceof Error ? err : new Error(String(err)));
    throw new DatabaseUnavailableError(
      `Redis at ${withoutCredentials(url)} cannot be used: ${cause.message}`,
    );
  }
  return {
    main,
    pub,
    sub,
    async close() {
      await Promise.allSettled([main.quit(), pub.quit(), sub.quit()]);
    },
  };
}

export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs)),
    ]);
    return true;
  } catch {
    return false;
  }
}

/**
 * The publisher handed to the Socket.IO Redis adapter. The adapter fires `publish()` without
 * awaiting or catching it (every broadcast, every serverSideEmit), so while Redis is away
 * ioredis rejects those calls (MaxRetriesPerRequestError) as unhandled rejections, which
 * crash Node: a Redis restart under traffic used to take every instance down (found by the
 * chaos test). Here a failed publish is logged and dropped instead; readers who miss a
 * broadcast backfill the gap by seq when they next join or see a hole.
 */
export function safePublisher(pub: Redis, log: Logger): Redis {
  const publish = (...args: Parameters<Redis['publish']>) =>
    pub.publish(...args).catch((err: unknown) => {
      log.warn({ err: err instanceof Error ? err.message : err }, 'redis publish failed');
      return 0;
    });
  return new Proxy(pub, {
    get(target, prop) {
      if (prop === 'publish') return publish;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' && prop !== 'constructor'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}
