import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedFerret, type FerretHandler } from '../src/db/embedded.js';
import { DatabaseUnavailableError } from '../src/db/errors.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    redisUrl: string;
    /** The PostgreSQL under the test FerretDB ('' when it runs on SQLite or MongoDB). */
    postgresqlUrl: string;
  }
}

// No TLS on loopback: it costs both ends CPU and protects nothing (pnpm start's private
// PostgreSQL is reached through its Unix socket, without TLS, too).
const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/dispute_room_test?sslmode=disable';

/**
 * One FerretDB for the whole run (each test file takes its own database on it),
 * unless TEST_MONGODB_URI points at a real MongoDB. Tests use FerretDB's PostgreSQL
 * handler, which measured faster than SQLite on every part of our workload (README).
 */
export default async function setup(project: TestProject) {
  const redisUrl = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  project.provide('redisUrl', redisUrl);

  project.provide('postgresqlUrl', '');
  if (process.env.TEST_MONGODB_URI) {
    project.provide('mongoUri', process.env.TEST_MONGODB_URI);
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'dispute-room-test-'));
  const handler = (process.env.TEST_FERRETDB_HANDLER ?? 'postgresql') as FerretHandler;
  const postgresqlUrl = process.env.TEST_FERRETDB_POSTGRESQL_URL ?? DEFAULT_PG_URL;
  // The launcher creates the test database when it is missing.
  const onPostgres =
    handler === 'postgresql'
      ? await startEmbeddedFerret({ handler, dataDir, postgresqlUrl }).catch((err: unknown) => {
          if (!(err instanceof DatabaseUnavailableError)) throw err;
          process.stderr.write(
            `WARNING: ${err.message}: tests fall back to FerretDB's SQLite handler.\n`,
          );
          return null;
        })
      : null;
  const ferret = onPostgres ?? (await startEmbeddedFerret({ handler: 'sqlite', dataDir }));
  project.provide('mongoUri', ferret.uri);
  if (onPostgres) project.provide('postgresqlUrl', postgresqlUrl);
  return async () => {
    await ferret.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
