import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { repoRoot } from '../paths.js';
import { startEmbeddedFerret, type EmbeddedFerret } from './embedded.js';

/** MONGODB_URI when set; otherwise the embedded FerretDB with its data under DATA_DIR. */
export async function openDatabase(
  config: Config,
  log: Logger,
): Promise<{ uri: string; embedded: EmbeddedFerret | null }> {
  if (config.MONGODB_URI) return { uri: config.MONGODB_URI, embedded: null };
  const dataDir = join(config.DATA_DIR ?? join(repoRoot(), '.data'), 'ferretdb');
  log.info(
    { handler: config.FERRETDB_HANDLER, dataDir },
    'MONGODB_URI not set: starting embedded FerretDB',
  );
  const embedded = await startEmbeddedFerret({
    handler: config.FERRETDB_HANDLER,
    dataDir,
    postgresqlUrl: config.FERRETDB_POSTGRESQL_URL,
    say: (line) => log.info(line),
    onLog: (line) => log.debug({ ferretdb: line }),
  });
  return { uri: embedded.uri, embedded };
}
