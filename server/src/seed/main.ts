import { loadConfig } from '../config.js';
import { DatabaseUnavailableError } from '../db/errors.js';
import { openDatabase } from '../db/open.js';
import { openRedis } from '../db/open-redis.js';
import { createLogger } from '../logger.js';
import { startServer } from '../server.js';
import { printDemoCredentials, seedDemo } from './demo.js';
import { seedCommandAllowed } from './seeding.js';

// `pnpm seed`: the demo data set into an empty database (MONGODB_URI, or the embedded one
// while the server is stopped — two embedded databases must not share one data directory).
async function run() {
  const given = { ...loadConfig(), PORT: 0, SWEEP_INTERVAL_MS: 0 };
  if (!seedCommandAllowed(given)) {
    process.stderr.write(
      'NODE_ENV=production: the demo accounts have public passwords; set SEED_DEMO=true to seed them anyway.\n',
    );
    process.exit(2);
  }
  const log = createLogger(given.LOG_LEVEL);
  const giveUp = (reason: string) => {
    process.stderr.write(`seeding failed: ${reason}\n`);
    process.exit(1);
  };
  const { uri, embedded } = await openDatabase(given, log, giveUp);
  const { config, embedded: embeddedRedis } = await openRedis(given, log, giveUp);
  const server = await startServer({ config, mongoUri: uri, log });
  try {
    const accounts = await seedDemo(server.domain, log);
    if (accounts) printDemoCredentials(accounts);
    else process.stdout.write('The database already has users: nothing seeded.\n');
  } finally {
    await server.stop();
    await embeddedRedis?.stop();
    await embedded?.stop();
  }
}

run().catch((err: unknown) => {
  const said = err instanceof DatabaseUnavailableError ? err.message : undefined;
  process.stderr.write(
    `seeding failed: ${said ?? (err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`,
  );
  process.exit(1);
});
