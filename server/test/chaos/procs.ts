import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Real processes for the chaos tests: server instances and a private Redis, each in its own
 * process group so a SIGKILL takes everything it started (tsx's esbuild helper included).
 */

const serverDir = join(import.meta.dirname, '..', '..');

/** Last line of defence: if the test process exits without afterAll, take the groups along. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Child processes of `pid` whose command line contains `match`. */
export function childPids(pid: number, match: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return parent === pid && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(match);
      } catch {
        return false;
      }
    });
}

/** SIGKILLs the whole process group of `child` and waits until the leader is gone. */
async function killGroup(child: ChildProcess | null, signal: NodeJS.Signals = 'SIGKILL') {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
  await exited;
}

/** A tail of a process's output, shown when something fails. */
function tailOf(child: ChildProcess, tail: string[], max = 40) {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > max) tail.shift();
    });
  }
}

export async function waitHealthy(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not healthy within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** One server instance: `node --import tsx src/main.ts` on a fixed port, restartable. */
export class ServerProcess {
  private child: ChildProcess | null = null;
  private ended: Promise<number | string> | null = null;
  readonly tail: string[] = [];
  starts = 0;
  readonly url: string;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The pid of the running (or last) process. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Its exit code (or signal), once the process has ended. */
  exited(): Promise<number | string> {
    if (!this.ended) throw new Error(`${this.name} was never started`);
    return this.ended;
  }

  async start(timeoutMs = 90_000): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: serverDir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...(process.env.FERRETDB_CACHE_DIR
          ? { FERRETDB_CACHE_DIR: process.env.FERRETDB_CACHE_DIR }
          : {}),
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(this.port),
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = track(child);
    this.ended = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
    );
    this.starts += 1;
    tailOf(child, this.tail);
    const up = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} did not start:\n${this.tail.join('\n')}`)),
        timeoutMs,
      );
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.includes('The dispute room is up:')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(`${this.name} exited at start (${code ?? signal}):\n${this.tail.join('\n')}`),
        );
      });
    });
    try {
      await up;
    } catch (err) {
      await killGroup(child);
      throw err;
    }
    await waitHealthy(this.url);
  }

  /** The same instance (name, port) to be started with more or other variables. */
  withEnv(extra: Record<string, string>): ServerProcess {
    return new ServerProcess(this.name, this.port, { ...this.env, ...extra });
  }

  /** kill -9, no goodbye. */
  async crash(): Promise<void> {
    await killGroup(this.child, 'SIGKILL');
  }

  async restart(): Promise<void> {
    await this.crash();
    await this.start();
  }

  /** For afterAll: never leaves the group behind, whatever state it is in. */
  async dispose(): Promise<void> {
    await killGroup(this.child, 'SIGKILL');
    this.child = null;
  }
}

/** A throwaway redis-server on its own port (never the shared one on 6379). */
export class RedisProcess {
  private child: ChildProcess | null = null;
  readonly tail: string[] = [];
  readonly url: string;

  constructor(readonly port: number) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    this.child = track(child);
    tailOf(child, this.tail);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis did not start:\n${this.tail.join('\n')}`)),
        15_000,
      );
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis exited at start (${code}):\n${this.tail.join('\n')}`));
      });
    });
  }

  async crash(): Promise<void> {
    await killGroup(this.child, 'SIGKILL');
  }

  async dispose(): Promise<void> {
    await killGroup(this.child, 'SIGKILL');
    this.child = null;
  }
}
