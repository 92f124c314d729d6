import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { childPids } from '../test/chaos/procs.js';
import { findPostgresBinaries } from './db/embedded-postgres.js';
import { DEMO_PASSWORD } from './seed/demo.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function startMain(dataDir: string, path = process.env.PATH) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: join(import.meta.dirname, '..'),
    env: {
      PATH: path,
      HOME: process.env.HOME,
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 90_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /The dispute room is up: (\S+)/.exec(line);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
  });
  return { child, url };
}

async function stopMain(child: ReturnType<typeof spawn>): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  return exited;
}

async function demoDisputes(url: string): Promise<string[]> {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'client@demo.test', password: DEMO_PASSWORD }),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  const list = await fetch(`${url}/api/disputes`, { headers: { cookie } });
  const { disputes } = (await list.json()) as { disputes: { state: string }[] };
  return disputes.map((d) => d.state).sort();
}

describe('the server process on its embedded defaults', () => {
  it(
    'starts FerretDB and Redis, seeds a demo once, keeps data across restarts and stops everything on SIGTERM',
    { timeout: 120_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'main-'));
      const first = startMain(dataDir);
      try {
        const url = await first.url;
        const res = await fetch(`${url}/api/health`);
        expect(await res.json()).toEqual({ ok: true, mongo: 'up', redis: 'up' });
        const states = ['arbitration', 'mediation', 'open', 'resolved', 'withdrawn'];
        expect(await demoDisputes(url)).toEqual(states);

        const ferretPids = childPids(first.child.pid!, 'ferretdb-');
        const redisPids = childPids(first.child.pid!, 'redis-server');
        // The private PostgreSQL under FerretDB, where Debian's server binaries are installed.
        const postgresPids = childPids(first.child.pid!, '/bin/postgres');
        expect(ferretPids.length).toBe(1);
        expect(redisPids.length).toBe(1);
        expect(postgresPids.length).toBe(findPostgresBinaries(join(dataDir, 'postgres')) ? 1 : 0);
        expect(await stopMain(first.child)).toBe(0);
        expect([...ferretPids, ...redisPids, ...postgresPids].some(isAlive)).toBe(false);

        // Same data directory: the data is still there and nothing is seeded twice.
        const second = startMain(dataDir);
        try {
          expect(await demoDisputes(await second.url)).toEqual(states);
        } finally {
          expect(await stopMain(second.child)).toBe(0);
        }
      } finally {
        if (first.child.exitCode === null) first.child.kill('SIGKILL');
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );

  it(
    'without REDIS_URL or a redis-server to start, says in one line how to install one',
    { timeout: 60_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'main-'));
      try {
        const { child, url } = startMain(dataDir, '/nonexistent');
        url.catch(() => undefined); // it never comes up: that is the point
        let stderr = '';
        child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
        const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
        expect(code).toBe(2);
        expect(stderr).toContain('apt-get install -y redis-server');
        expect(stderr).not.toMatch(/\n\s+at /);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
