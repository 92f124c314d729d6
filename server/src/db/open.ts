import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { repoRoot } from '../paths.js';
import { superviseChild, type Supervised } from '../supervisor.js';
import { startEmbeddedFerret, type EmbeddedFerret, type FerretHandler } from './embedded.js';
import {
  DEBIAN_POSTGRES_ROOT,
  findPostgresBinaries,
  INSTALL_POSTGRES,
  postgresRunAs,
  preparePostgresDirs,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
  type PostgresBinaries,
  type PostgresUser,
} from './embedded-postgres.js';
import { DatabaseUnavailableError, withoutCredentials } from './errors.js';

export interface OpenedDatabase {
  uri: string;
  /**
   * The supervised embedded FerretDB; stopping it also stops the private PostgreSQL under it.
   * Null with MONGODB_URI.
   */
  embedded: Supervised<EmbeddedFerret> | null;
  /** The embedded FerretDB's backend; undefined with MONGODB_URI. */
  handler?: FerretHandler;
  /** The private PostgreSQL under the embedded FerretDB, when it runs on one. */
  postgres: Supervised<EmbeddedPostgres> | null;
  /** One line for the start banner: what holds the data. */
  summary: string;
}

/** Which backend the embedded FerretDB runs on, decided once at start. */
type Backend =
  | { handler: 'sqlite' }
  | { handler: 'postgresql'; url: string }
  | { handler: 'postgresql'; binaries: PostgresBinaries; runAs: PostgresUser | null };

function holdsSqliteData(ferretDir: string): boolean {
  try {
    return readdirSync(ferretDir).some((f) => f.endsWith('.sqlite'));
  } catch {
    return false;
  }
}

/**
 * FERRETDB_HANDLER=auto prefers a private PostgreSQL (the SQLite handler filters nearly every
 * query in Go after reading the whole collection, so its reads grow with history; README),
 * but never moves a store: a DATA_DIR that already holds SQLite data stays on SQLite, and a
 * private cluster whose binaries went away is an error, not a fresh empty SQLite.
 */
function chooseBackend(
  config: Config,
  dirs: { ferret: string; postgres: string },
  log: Logger,
): Backend {
  const wanted = config.FERRETDB_HANDLER;
  if (wanted === 'sqlite') return { handler: 'sqlite' };
  if (config.FERRETDB_POSTGRESQL_URL) {
    return { handler: 'postgresql', url: config.FERRETDB_POSTGRESQL_URL };
  }
  const cluster = existsSync(join(dirs.postgres, 'data', 'PG_VERSION'));
  if (wanted === 'auto' && !cluster && holdsSqliteData(dirs.ferret)) {
    log.warn(
      { dataDir: dirs.ferret },
      'DATA_DIR holds SQLite data from before the private PostgreSQL: staying on SQLite ' +
        '(FERRETDB_HANDLER=postgresql starts an empty PostgreSQL store beside it)',
    );
    return { handler: 'sqlite' };
  }
  const binaries = findPostgresBinaries(dirs.postgres, config.POSTGRES_BIN_DIR);
  const runAs = postgresRunAs();
  let problem: string | null = null;
  if (!binaries) {
    problem = config.POSTGRES_BIN_DIR
      ? `POSTGRES_BIN_DIR=${config.POSTGRES_BIN_DIR} holds no runnable initdb and postgres (Debian's come with:  ${INSTALL_POSTGRES})`
      : `PostgreSQL's server binaries are not installed (none in ${DEBIAN_POSTGRES_ROOT}/<version>/bin); install them with:  ${INSTALL_POSTGRES}`;
  } else if (runAs === 'missing') {
    problem =
      'the server runs as root, which PostgreSQL refuses, and there is no "postgres" account to run it as';
  } else {
    try {
      preparePostgresDirs(dirs.postgres, runAs);
      return { handler: 'postgresql', binaries, runAs };
    } catch (err) {
      if (!(err instanceof DatabaseUnavailableError)) throw err;
      problem = err.message;
    }
  }
  if (wanted === 'postgresql' || cluster) {
    throw new DatabaseUnavailableError(
      cluster && wanted === 'auto'
        ? `${dirs.postgres} holds the data in a private PostgreSQL, which cannot start: ${problem}`
        : `FERRETDB_HANDLER=postgresql without FERRETDB_POSTGRESQL_URL starts a private PostgreSQL: ${problem}`,
    );
  }
  log.warn(
    `The embedded FerretDB runs on SQLite, whose reads grow with the data stored: ${problem}`,
  );
  return { handler: 'sqlite' };
}

/**
 * MONGODB_URI when set; otherwise the embedded FerretDB with its data under DATA_DIR, on a
 * private PostgreSQL (DATA_DIR/postgres) or SQLite (DATA_DIR/ferretdb), kept running: a
 * crashed FerretDB or PostgreSQL is restarted on the same data and address (so the driver's
 * own reconnect finds it), and `onGiveUp` is called when one cannot come back.
 */
export async function openDatabase(
  config: Config,
  log: Logger,
  onGiveUp: (reason: string) => void,
): Promise<OpenedDatabase> {
  if (config.MONGODB_URI) {
    return {
      uri: config.MONGODB_URI,
      embedded: null,
      postgres: null,
      summary: `MongoDB at ${withoutCredentials(config.MONGODB_URI)}`,
    };
  }
  const root = config.DATA_DIR ?? join(repoRoot(), '.data');
  const dirs = { ferret: join(root, 'ferretdb'), postgres: join(root, 'postgres') };
  const backend = chooseBackend(config, dirs, log);

  let postgres: Supervised<EmbeddedPostgres> | null = null;
  if ('binaries' in backend) {
    log.info(
      { postgres: backend.binaries.dir, dataDir: dirs.postgres, runAs: backend.runAs?.name },
      `starting a private PostgreSQL ${backend.binaries.version}`,
    );
    postgres = await superviseChild({
      name: 'private PostgreSQL',
      log,
      maxRestarts: config.EMBEDDED_RESTART_ATTEMPTS,
      onGiveUp,
      start: () =>
        startEmbeddedPostgres({
          dataDir: dirs.postgres,
          binaries: backend.binaries,
          runAs: backend.runAs,
          say: (line) => log.info(line),
          onLog: (line) => log.debug({ postgres: line }),
        }),
    });
  }
  const postgresqlUrl = postgres
    ? postgres.current.url
    : 'url' in backend
      ? backend.url
      : undefined;

  log.info(
    { handler: backend.handler, dataDir: dirs.ferret },
    'MONGODB_URI not set: starting embedded FerretDB',
  );
  let port = 0;
  const ferret = await superviseChild({
    name: 'embedded FerretDB',
    log,
    maxRestarts: config.EMBEDDED_RESTART_ATTEMPTS,
    onGiveUp,
    start: async () => {
      const started = await startEmbeddedFerret({
        handler: backend.handler,
        dataDir: dirs.ferret,
        postgresqlUrl,
        port,
        say: (line) => log.info(line),
        onLog: (line) => log.debug({ ferretdb: line }),
      });
      port = started.port;
      return started;
    },
  }).catch(async (err: unknown) => {
    await postgres?.stop();
    // Which setting to fix, in the one line the operator gets.
    if (err instanceof DatabaseUnavailableError) {
      throw new DatabaseUnavailableError(
        `${postgres ? 'the private PostgreSQL' : 'FERRETDB_POSTGRESQL_URL'}: ${err.message}`,
      );
    }
    throw err;
  });

  const embedded: Supervised<EmbeddedFerret> = {
    get current() {
      return ferret.current;
    },
    // FerretDB first: its connections end before the database they lead to.
    async stop() {
      await ferret.stop();
      await postgres?.stop();
    },
  };
  const summary = postgres
    ? `embedded FerretDB on a private PostgreSQL ${postgres.current.binaries.major} (data in ${dirs.postgres})`
    : postgresqlUrl
      ? `embedded FerretDB on PostgreSQL at ${withoutCredentials(postgresqlUrl)}`
      : `embedded FerretDB on SQLite (data in ${dirs.ferret})`;
  return { uri: ferret.current.uri, embedded, handler: backend.handler, postgres, summary };
}
