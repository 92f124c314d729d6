import { ConfigError, loadConfig, type Config } from './config.js';
import { DatabaseUnavailableError } from './db/errors.js';
import { RedisMissingError } from './db/embedded-redis.js';
import { openDatabase } from './db/open.js';
import { openRedis } from './db/open-redis.js';
import { createLogger } from './logger.js';
import { openDemoMarketplace } from './embed/demo-host.js';
import { openMail } from './mail/catcher.js';
import { printDemoCredentials, seedDemo } from './seed/demo.js';
import { seedsDemoAtStart } from './seed/seeding.js';
import { startServer } from './server.js';

async function main() {
  let given: Config;
  try {
    given = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(given.LOG_LEVEL);
  // An embedded database that cannot be brought back ends the process at once, non-zero, so
  // whatever supervises it restarts the whole server instead of leaving one that answers 503
  // forever (a graceful stop would only wait on writes that can no longer land).
  const {
    uri,
    embedded,
    handler: ferretdbHandler,
    summary: database,
  } = await openDatabase(given, log, () => process.exit(1));
  const { config: withRedis, embedded: embeddedRedis } = await openRedis(given, log, () =>
    process.exit(1),
  ).catch(async (err: unknown) => {
    await embedded?.stop();
    throw err;
  });
  const { config: withMail, catcher } = await openMail(withRedis, log).catch(
    async (err: unknown) => {
      await embeddedRedis?.stop();
      await embedded?.stop();
      throw err;
    },
  );
  const { config, demo } = await openDemoMarketplace(withMail, log).catch(async (err: unknown) => {
    await catcher?.stop();
    await embeddedRedis?.stop();
    await embedded?.stop();
    throw err;
  });

  const offset = config.CLOCK_OFFSET_MS;
  if (offset)
    log.warn({ offsetMs: offset }, 'CLOCK_OFFSET_MS is set: the server runs ahead of real time');
  const clock = offset ? { now: () => new Date(Date.now() + offset) } : undefined;
  const server = await startServer({ config, mongoUri: uri, log, clock, ferretdbHandler }).catch(
    async (err: unknown) => {
      await embedded?.stop();
      await embeddedRedis?.stop();
      await catcher?.stop();
      await demo?.stop();
      throw err;
    },
  );
  demo?.attach(server);
  if (seedsDemoAtStart(config, embedded !== null)) {
    const accounts = await seedDemo(server.domain, log);
    if (accounts) printDemoCredentials(accounts);
  }
  log.info(`the dispute room is listening on ${server.url}`);
  process.stdout.write(`\n  The dispute room is up: ${server.url}\n`);
  process.stdout.write(`  Data: ${database}\n`);
  if (catcher) process.stdout.write(`  Mail it sends (no SMTP_URL): ${catcher.webUrl}\n`);
  if (demo) {
    process.stdout.write(
      `  Demo marketplace with the room embedded (DEV ONLY, public sign-on secret): ${demo.url}\n`,
    );
  }
  process.stdout.write('\n');

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await server.stop();
    await embeddedRedis?.stop();
    await embedded?.stop();
    await catcher?.stop();
    await demo?.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof DatabaseUnavailableError || err instanceof RedisMissingError) {
    process.stderr.write(`cannot start: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
