import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.js';
import { startEmbeddedFerret, type EmbeddedFerret } from './db/embedded.js';
import { createLogger } from './logger.js';
import { repoRoot } from './paths.js';
import { startServer } from './server.js';

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL);

  let embedded: EmbeddedFerret | null = null;
  let mongoUri = config.MONGODB_URI;
  if (!mongoUri) {
    const dataDir = join(config.DATA_DIR ?? join(repoRoot(), '.data'), 'ferretdb');
    log.info(
      { handler: config.FERRETDB_HANDLER, dataDir },
      'MONGODB_URI not set: starting embedded FerretDB',
    );
    embedded = await startEmbeddedFerret({
      handler: config.FERRETDB_HANDLER,
      dataDir,
      postgresqlUrl: config.FERRETDB_POSTGRESQL_URL,
      say: (line) => log.info(line),
      onLog: (line) => log.debug({ ferretdb: line }),
    });
    mongoUri = embedded.uri;
  }

  const server = await startServer({ config, mongoUri, log }).catch(async (err: unknown) => {
    await embedded?.stop();
    throw err;
  });
  log.info(`the dispute room is listening on ${server.url}`);
  process.stdout.write(`\n  The dispute room is up: ${server.url}\n\n`);

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await server.stop();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
