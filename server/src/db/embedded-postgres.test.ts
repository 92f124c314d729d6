import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { childPids, ServerProcess } from '../../test/chaos/procs.js';
import { dropRedisPrefix } from '../../test/chaos/scenario.js';
import { DEMO_PASSWORD } from '../seed/demo.js';
import { findPostgresBinaries } from './embedded-postgres.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `pnpm start` as it runs with MONGODB_URI unset and the default FERRETDB_HANDLER (auto). */
async function embeddedServer(env: Record<string, string> = {}, dataDir?: string) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'private-pg-'));
  const redisPrefix = `private-pg:${randomBytes(4).toString('hex')}:`;
  const server = new ServerProcess('private-pg', await getPort(), {
    DATA_DIR: dir,
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: redisPrefix,
    SEED_DEMO: 'true',
    LOG_LEVEL: 'info',
    CLIENT_DIST: '/nonexistent',
    ...env,
  });
  cleanups.push(async () => {
    await server.dispose();
    if (!dataDir) rmSync(dir, { recursive: true, force: true });
    await dropRedisPrefix(inject('redisUrl'), redisPrefix);
  });
  await server.start();
  return { server, dataDir: dir };
}

/** A second server on the same DATA_DIR and port, after the first stopped. */
function sameDataServer(first: ServerProcess, dataDir: string): ServerProcess {
  const redisPrefix = `private-pg-again:${randomBytes(4).toString('hex')}:`;
  const server = new ServerProcess('again', first.port, {
    DATA_DIR: dataDir,
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: redisPrefix,
    SEED_DEMO: 'true',
    LOG_LEVEL: 'info',
    CLIENT_DIST: '/nonexistent',
  });
  cleanups.push(async () => {
    await server.dispose();
    await dropRedisPrefix(inject('redisUrl'), redisPrefix);
  });
  return server;
}

/** SIGTERM, as a process manager stops it; resolves with the exit code. */
async function stop(server: ServerProcess): Promise<number | string> {
  process.kill(server.pid!, 'SIGTERM');
  return server.exited();
}

const postmasters = (server: ServerProcess) => childPids(server.pid!, 'postgresql');
const ferrets = (server: ServerProcess) => childPids(server.pid!, 'ferretdb-');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'client@demo.test', password: DEMO_PASSWORD }),
  });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}

async function disputes(url: string, cookie: string): Promise<{ id: string; state: string }[]> {
  const res = await fetch(`${url}/api/disputes`, { headers: { cookie } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { disputes: { id: string; state: string }[] };
  return body.disputes.sort((a, b) => a.id.localeCompare(b.id));
}

const banner = (server: ServerProcess) => server.tail.find((l) => l.includes('  Data: '));

describe.runIf(findPostgresBinaries(join(tmpdir(), 'none')))(
  'the embedded FerretDB on a private PostgreSQL',
  () => {
    it('initialises it on first start, serves from it, and finds the same data after a restart', async () => {
      const { server, dataDir } = await embeddedServer();
      expect(banner(server)).toMatch(
        /Data: embedded FerretDB on a private PostgreSQL \d+ \(data in .*\/postgres\)/,
      );
      expect(server.tail.some((l) => l.includes('(first start)'))).toBe(true);
      expect(existsSync(join(dataDir, 'postgres', 'data', 'PG_VERSION'))).toBe(true);
      // Its cluster belongs to the account it runs as (postgres, when we are root), no one else.
      expect(statSync(join(dataDir, 'postgres', 'data')).mode & 0o077).toBe(0);
      const [postmaster] = postmasters(server);
      expect(postmaster).toBeDefined();

      const cookie = await login(server.url);
      const before = await disputes(server.url, cookie);
      expect(before).toHaveLength(5);
      const [ferret] = ferrets(server);
      expect(await stop(server)).toBe(0);
      // Stopped cleanly with it, FerretDB and PostgreSQL both.
      expect([postmaster!, ferret!].filter(isAlive)).toEqual([]);

      const again = sameDataServer(server, dataDir);
      await again.start();
      expect(again.tail.some((l) => l.includes('(first start)'))).toBe(false);
      // The same documents (ids and states), not a fresh seed.
      expect(await disputes(again.url, await login(again.url))).toEqual(before);
    }, 180_000);

    it('is restarted by the supervisor after kill -9, and health comes back by itself', async () => {
      const { server } = await embeddedServer();
      const cookie = await login(server.url);
      const before = await disputes(server.url, cookie);
      const [killed] = postmasters(server);
      process.kill(killed!, 'SIGKILL');

      await vi.waitFor(
        () => {
          const now = postmasters(server);
          expect(now).toHaveLength(1);
          expect(now[0]).not.toBe(killed);
        },
        { timeout: 60_000, interval: 100 },
      );
      await vi.waitFor(
        async () => {
          const res = await fetch(`${server.url}/api/health`);
          expect(await res.json()).toEqual({ ok: true, mongo: 'up', redis: 'up' });
          // Reads reach PostgreSQL again (health alone may be answered by FerretDB).
          expect(await disputes(server.url, cookie)).toEqual(before);
        },
        { timeout: 60_000, interval: 250 },
      );
      expect(server.running).toBe(true);
      expect(server.tail.some((l) => l.includes('private PostgreSQL restarted'))).toBe(true);
      // Writes land too: a new sign-in is a session written through FerretDB.
      expect(await disputes(server.url, await login(server.url))).toEqual(before);
    }, 180_000);
  },
);

describe('without PostgreSQL server binaries', () => {
  it('falls back to SQLite, saying how to install them, and stays there once it holds data', async () => {
    const { server, dataDir } = await embeddedServer({ POSTGRES_BIN_DIR: '/nonexistent/bin' });
    expect(banner(server)).toMatch(/Data: embedded FerretDB on SQLite/);
    const warning = server.tail.find((l) => l.includes('runs on SQLite'));
    expect(warning).toContain('POSTGRES_BIN_DIR=/nonexistent/bin');
    expect(warning).toContain('apt-get install -y postgresql');
    expect(postmasters(server)).toEqual([]);
    const before = await disputes(server.url, await login(server.url));
    expect(await stop(server)).toBe(0);

    // With the binaries back, the SQLite data is not left behind for an empty PostgreSQL.
    const again = sameDataServer(server, dataDir);
    await again.start();
    expect(banner(again)).toMatch(/Data: embedded FerretDB on SQLite/);
    expect(await disputes(again.url, await login(again.url))).toEqual(before);
  }, 180_000);
});
