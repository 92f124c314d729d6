import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { repoRoot } from '../paths.js';
import { superviseChild, type Supervised } from '../supervisor.js';
import { startEmbeddedRedis, type EmbeddedRedis } from './embedded-redis.js';

/**
 * REDIS_URL when set; otherwise a private redis-server (data and append-only file under
 * DATA_DIR), supervised like the embedded database: restarted on the same port and data when
 * it dies, `onGiveUp` when it cannot come back. Returns the config with REDIS_URL filled in.
 */
export async function openRedis(
  config: Config,
  log: Logger,
  onGiveUp: (reason: string) => void,
): Promise<{ config: Config; embedded: Supervised<EmbeddedRedis> | null }> {
  if (config.REDIS_URL) return { config, embedded: null };
  const dataDir = join(config.DATA_DIR ?? join(repoRoot(), '.data'), 'redis');
  log.info({ dataDir }, 'REDIS_URL not set: starting a private redis-server');
  let port = 0;
  const embedded = await superviseChild({
    name: 'embedded Redis',
    log,
    maxRestarts: config.EMBEDDED_RESTART_ATTEMPTS,
    onGiveUp,
    start: async () => {
      const redis = await startEmbeddedRedis({
        dataDir,
        port,
        onLog: (line) => log.debug({ redis: line }),
      });
      port = redis.port;
      return redis;
    },
  });
  return { config: { ...config, REDIS_URL: embedded.current.url }, embedded };
}
