import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedFerret, type FerretHandler } from '../src/db/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    redisUrl: string;
  }
}

/**
 * One FerretDB for the whole run (each test file takes its own database on it),
 * unless TEST_MONGODB_URI points at a real MongoDB.
 */
export default async function setup(project: TestProject) {
  const redisUrl = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  project.provide('redisUrl', redisUrl);

  if (process.env.TEST_MONGODB_URI) {
    project.provide('mongoUri', process.env.TEST_MONGODB_URI);
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'dispute-room-test-'));
  const handler = (process.env.TEST_FERRETDB_HANDLER ?? 'sqlite') as FerretHandler;
  const ferret = await startEmbeddedFerret({
    handler,
    dataDir,
    postgresqlUrl: process.env.TEST_FERRETDB_POSTGRESQL_URL,
  });
  project.provide('mongoUri', ferret.uri);
  return async () => {
    await ferret.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
