import type { Connection } from 'mongoose';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { RedisClients } from './redis.js';

/** What every domain module is built from: one per server instance. */
export interface Context {
  config: Config;
  log: Logger;
  conn: Connection;
  /** Absent in single-instance mode (no REDIS_URL). */
  redis: RedisClients | null;
  /** Distinguishes this instance in logs and Redis keys. */
  instanceId: string;
}
