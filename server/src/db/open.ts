import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { repoRoot } from '../paths.js';
import { superviseChild, type Supervised } from '../supervisor.js';
import { startEmbeddedFerret, type EmbeddedFerret } from './embedded.js';
import { DatabaseUnavailableError } from './errors.js';

export interface OpenedDatabase {
  uri: string;
  /** The supervised embedded FerretDB; null with MONGODB_URI. */
  embedded: Supervised<EmbeddedFerret> | null;
}

/**
 * MONGODB_URI when set; otherwise the embedded FerretDB with its data under DATA_DIR, kept
 * running: a crashed FerretDB is restarted on the same data and port (so the driver's own
 * reconnect finds it), and `onGiveUp` is called when it cannot come back.
 */
export async function openDatabase(
  config: Config,
  log: Logger,
  onGiveUp: (reason: string) => void,
): Promise<OpenedDatabase> {
  if (config.MONGODB_URI) return { uri: config.MONGODB_URI, embedded: null };
  const dataDir = join(config.DATA_DIR ?? join(repoRoot(), '.data'), 'ferretdb');
  log.info(
    { handler: config.FERRETDB_HANDLER, dataDir },
    'MONGODB_URI not set: starting embedded FerretDB',
  );
  let port = 0;
  const embedded = await superviseChild({
    name: 'embedded FerretDB',
    log,
    maxRestarts: config.EMBEDDED_RESTART_ATTEMPTS,
    onGiveUp,
    start: async () => {
      const ferret = await startEmbeddedFerret({
        handler: config.FERRETDB_HANDLER,
        dataDir,
        postgresqlUrl: config.FERRETDB_POSTGRESQL_URL,
        port,
        say: (line) => log.info(line),
        onLog: (line) => log.debug({ ferretdb: line }),
      });
      port = ferret.port;
      return ferret;
    },
  }).catch((err: unknown) => {
    // Which setting to fix, in the one line the operator gets.
    if (err instanceof DatabaseUnavailableError) {
      throw new DatabaseUnavailableError(`FERRETDB_POSTGRESQL_URL: ${err.message}`);
    }
    throw err;
  });
  return { uri: embedded.current.uri, embedded };
}
