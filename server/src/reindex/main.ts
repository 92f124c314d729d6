import { runCommand } from '../cli.js';
import { loadConfig } from '../config.js';

// `pnpm reindex`: every read model rebuilt from the stored facts, by the same projections the
// live path uses. Run it with the servers stopped: a refresh that lands during a rebuild of
// the same day can be overwritten by it.
await runCommand('reindex', loadConfig(), async (server) => {
  const started = Date.now();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say('day buckets and keys of disputes (ops search, staff lists, mediation queue, mediators) …');
  say(`  ${await server.domain.store.reindexDays()} disputes`);
  say('words of ops text search …');
  say(`  ${await server.domain.words.rebuild()} disputes`);
  say('rebuilding the dashboard rollups …');
  const n = await server.domain.rollups.rebuild((done) => say(`  ${done} disputes`));
  say(`rollups: ${n} disputes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
