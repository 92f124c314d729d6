import { runCommand } from '../cli.js';
import { loadConfig } from '../config.js';
import { printDemoCredentials, seedDemo } from './demo.js';
import { seedCommandAllowed } from './seeding.js';

// `pnpm seed`: the demo data set into an empty database.
const config = loadConfig();
if (!seedCommandAllowed(config)) {
  process.stderr.write(
    'NODE_ENV=production: the demo accounts have public passwords; set SEED_DEMO=true to seed them anyway.\n',
  );
  process.exit(2);
}
await runCommand('seeding', config, async (server, log) => {
  const accounts = await seedDemo(server.domain, log);
  if (accounts) printDemoCredentials(accounts);
  else process.stdout.write('The database already has users: nothing seeded.\n');
});
