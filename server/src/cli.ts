import type { Config } from './config.js';
import { DatabaseUnavailableError } from './db/errors.js';
import { openDatabase } from './db/open.js';
import { openRedis } from './db/open-redis.js';
import { createLogger, type Logger } from './logger.js';
import { startServer, type RunningServer } from './server.js';

/**
 * A maintenance command (`pnpm seed`, `pnpm reindex`): the domain of a server on no port, on
 * MONGODB_URI or the embedded database while the server is stopped (two embedded databases
 * must not share one data directory), stopped again when `work` is done.
 */
export async function runCommand(
  name: string,
  config: Config,
  work: (server: RunningServer, log: Logger) => Promise<void>,
): Promise<void> {
  // No sweeps, and no read models built behind the command's back (reindex builds them).
  const given = { ...config, PORT: 0, SWEEP_INTERVAL_MS: 0, READ_MODELS_AT_START: false };
  const log = createLogger(given.LOG_LEVEL);
  const giveUp = (reason: string) => {
    process.stderr.write(`${name} failed: ${reason}\n`);
    process.exit(1);
  };
  try {
    const { uri, embedded } = await openDatabase(given, log, giveUp);
    const { config: withRedis, embedded: embeddedRedis } = await openRedis(given, log, giveUp);
    const server = await startServer({ config: withRedis, mongoUri: uri, log });
    try {
      await work(server, log);
    } finally {
      await server.stop();
      await embeddedRedis?.stop();
      await embedded?.stop();
    }
  } catch (err) {
    const said = err instanceof DatabaseUnavailableError ? err.message : undefined;
    giveUp(said ?? (err instanceof Error ? (err.stack ?? err.message) : String(err)));
  }
}
