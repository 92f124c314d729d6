import { Redis } from 'ioredis';
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
  const make = (name: string) => {
    const client = new Redis(url, {
      connectionName: `dispute-room:${name}`,
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    client.on('error', (err: Error) => log.warn({ err: err.message, client: name }, 'redis error'));
    return client;
  };
  const main = make('main');
  const pub = make('pub');
  const sub = make('sub');
  await Promise.all([main.connect(), pub.connect(), sub.connect()]);
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
