import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ServerProcess } from '../../test/chaos/procs.js';
import { dropRedisPrefix } from '../../test/chaos/scenario.js';
import { psql } from './postgres.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serverProcess(env: Record<string, string>): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'db-start-'));
  const server = new ServerProcess('db-start', await getPort(), {
    DATA_DIR: dataDir,
    SEED_DEMO: 'false',
    CLIENT_DIST: '/nonexistent',
    LOG_LEVEL: 'silent',
    ...env,
  });
  cleanups.push(async () => {
    await server.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return server;
}

/** Starts a server that must refuse to start; resolves with its exit code and output. */
async function refusedStart(env: Record<string, string>) {
  const server = await serverProcess(env);
  await expect(server.start()).rejects.toThrow(/exited at start/);
  return { code: await server.exited(), output: server.tail };
}

describe.runIf(inject('postgresqlUrl'))('FERRETDB_HANDLER=postgresql', () => {
  it('creates the database FERRETDB_POSTGRESQL_URL names when it does not exist', async () => {
    const name = `dr_created_${randomBytes(4).toString('hex')}`;
    const url = new URL(inject('postgresqlUrl'));
    url.pathname = `/${name}`;
    const exists = () =>
      psql(url.href, `SELECT count(*) FROM pg_database WHERE datname = '${name}'`, 'postgres');
    expect(exists()).toBe('0');
    cleanups.push(() => {
      psql(url.href, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, 'postgres');
    });

    const redisPrefix = `created:${randomBytes(4).toString('hex')}:`;
    cleanups.push(() => dropRedisPrefix(inject('redisUrl'), redisPrefix));
    const server = await serverProcess({
      FERRETDB_HANDLER: 'postgresql',
      FERRETDB_POSTGRESQL_URL: url.href,
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: redisPrefix,
    });
    await server.start();
    expect(exists()).toBe('1');
    const res = await fetch(`${server.url}/api/health`);
    expect(await res.json()).toEqual({ ok: true, mongo: 'up', redis: 'up' });
  }, 120_000);
});

describe('a database that cannot be reached at start', () => {
  // One line that says what, exit 2 (as for a bad configuration), and no stack trace.
  it.each([
    [
      'the embedded FerretDB on an unreachable PostgreSQL',
      {
        FERRETDB_HANDLER: 'postgresql',
        FERRETDB_POSTGRESQL_URL: 'postgres://postgres@127.0.0.1:1/ferretdb',
      },
      'cannot start: FERRETDB_POSTGRESQL_URL: PostgreSQL at 127.0.0.1:1 (user "postgres") cannot be used: connection refused',
    ],
    [
      'FERRETDB_HANDLER=postgresql without a URL or PostgreSQL server binaries',
      { FERRETDB_HANDLER: 'postgresql', POSTGRES_BIN_DIR: '/nonexistent/bin' },
      "cannot start: FERRETDB_HANDLER=postgresql without FERRETDB_POSTGRESQL_URL starts a private PostgreSQL: POSTGRES_BIN_DIR=/nonexistent/bin holds no runnable initdb and postgres (Debian's come with:  sudo apt-get install -y postgresql)",
    ],
    [
      'an unreachable MONGODB_URI',
      { MONGODB_URI: 'mongodb://someone:secret@127.0.0.1:1/' },
      /^cannot start: the database at mongodb:\/\/127\.0\.0\.1:1\/ cannot be reached: .*ECONNREFUSED 127\.0\.0\.1:1/,
    ],
    [
      'an unreachable REDIS_URL',
      { REDIS_URL: 'redis://:secret@127.0.0.1:1' },
      'cannot start: Redis at redis://127.0.0.1:1 cannot be used: connect ECONNREFUSED 127.0.0.1:1',
    ],
  ])(
    '%s',
    async (_what, env, line) => {
      const { code, output } = await refusedStart(env);
      expect(code).toBe(2);
      expect(output).toHaveLength(1);
      if (typeof line === 'string') expect(output[0]).toBe(line);
      else expect(output[0]).toMatch(line);
      expect(output[0]).not.toContain('secret');
    },
    60_000,
  );
});
