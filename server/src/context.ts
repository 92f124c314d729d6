import type { Connection } from 'mongoose';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { RedisClients } from './redis.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** What every domain module is built from: one per server instance. */
export interface Context {
  config: Config;
  log: Logger;
  conn: Connection;
  /** Required: sessions, rate limits, presence and the job queues are shared through it. */
  redis: RedisClients;
  /** Distinguishes this instance in logs and Redis keys. */
  instanceId: string;
  /**
   * FerretDB filters ranges and `$in` in Go after reading the collection; on PostgreSQL it
   * pushes equality on a field down to SQL, on SQLite only equality on `_id`.
   */
  flavor: 'mongodb' | 'ferretdb' | 'ferretdb-sqlite';
  clock: Clock;
}
