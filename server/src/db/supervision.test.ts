import { randomBytes } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { childPids, ServerProcess } from '../../test/chaos/procs.js';
import { dropRedisPrefix } from '../../test/chaos/scenario.js';
import { DEMO_PASSWORD } from '../seed/demo.js';

/**
 * The server process on its embedded database (as `pnpm start` runs it), in a fresh data dir,
 * on the SQLite handler: FerretDB's own data directory is what these tests take away (the
 * private PostgreSQL's supervision is in embedded-postgres.test.ts).
 */
async function embeddedServer(env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'supervised-'));
  const redisPrefix = `supervised:${randomBytes(4).toString('hex')}:`;
  const server = new ServerProcess('embedded', await getPort(), {
    DATA_DIR: dataDir,
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: redisPrefix,
    SEED_DEMO: 'true',
    LOG_LEVEL: 'info',
    CLIENT_DIST: '/nonexistent',
    FERRETDB_HANDLER: 'sqlite',
    ...env,
  });
  cleanups.push(async () => {
    await server.dispose();
    rmSync(dataDir, { recursive: true, force: true });
    await dropRedisPrefix(inject('redisUrl'), redisPrefix);
  });
  await server.start();
  return { server, dataDir };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function ferretPid(server: ServerProcess): number {
  const pids = childPids(server.pid!, 'ferretdb-');
  expect(pids).toHaveLength(1);
  return pids[0]!;
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

async function disputeStates(url: string, cookie: string): Promise<string[]> {
  const res = await fetch(`${url}/api/disputes`, { headers: { cookie } });
  expect(res.status).toBe(200);
  const { disputes } = (await res.json()) as { disputes: { state: string }[] };
  return disputes.map((d) => d.state).sort();
}

describe('the embedded FerretDB under supervision', () => {
  it('is restarted on the same data after kill -9, and health comes back by itself', async () => {
    const { server } = await embeddedServer();
    const cookie = await login(server.url);
    const states = await disputeStates(server.url, cookie);
    expect(states).toHaveLength(5);

    const killed = ferretPid(server);
    process.kill(killed, 'SIGKILL');

    const replacement = await vi.waitFor(
      () => {
        const pids = childPids(server.pid!, 'ferretdb-');
        expect(pids).toHaveLength(1);
        expect(pids[0]).not.toBe(killed);
        return pids[0]!;
      },
      { timeout: 30_000, interval: 100 },
    );
    await vi.waitFor(
      async () => {
        const res = await fetch(`${server.url}/api/health`);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ ok: true, mongo: 'up', redis: 'up' });
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(server.running).toBe(true);
    expect(server.tail.some((l) => l.includes('embedded FerretDB restarted'))).toBe(true);
    // The same data: the session made before the crash still reads it, and so does a new login.
    expect(await disputeStates(server.url, cookie)).toEqual(states);
    expect(await disputeStates(server.url, await login(server.url))).toEqual(states);

    // Supervised again: a second crash is repaired too.
    process.kill(replacement, 'SIGKILL');
    await vi.waitFor(
      async () => {
        expect(childPids(server.pid!, 'ferretdb-')).not.toContain(replacement);
        expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(await disputeStates(server.url, cookie)).toEqual(states);
  }, 120_000);

  it('exits non-zero when the database cannot come back within its restart budget', async () => {
    const { server, dataDir } = await embeddedServer({ EMBEDDED_RESTART_ATTEMPTS: '2' });
    // The data directory becomes unusable (a file where the directory was): no restart can work.
    renameSync(join(dataDir, 'ferretdb'), join(dataDir, 'moved'));
    writeFileSync(join(dataDir, 'ferretdb'), 'not a directory');
    process.kill(ferretPid(server), 'SIGKILL');

    await vi.waitFor(() => expect(server.running).toBe(false), { timeout: 60_000, interval: 200 });
    expect(await server.exited()).toBe(1);
    const log = server.tail.join('\n');
    expect(log.match(/restarting embedded FerretDB/g)).toHaveLength(2);
    expect(log).toContain('embedded FerretDB is down: gave up after 2 restarts in a row');
  }, 120_000);
});
