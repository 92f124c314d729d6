import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

export const say = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summarize(latencies: number[]) {
  const s = [...latencies].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    n: s.length,
    p50: r(percentile(s, 50)),
    p95: r(percentile(s, 95)),
    p99: r(percentile(s, 99)),
  };
}

/** Latency samples start after this much of each traffic run (steady state), for every target. */
export const WARMUP_MS = 1_000;

export const nowMs = () => performance.timeOrigin + performance.now();

export interface Proc {
  child: ChildProcess;
  /** Resolves with the next JSON line the child prints on stdout. */
  next<T = unknown>(): Promise<T>;
  send(msg: unknown): void;
  stop(): Promise<void>;
}

/** Runs a TypeScript file in its own Node process (its own event loop), talking JSON lines. */
export function spawnTs(
  file: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Proc {
  return spawnNode([...nodeArgs, '--import', 'tsx', file], env);
}

const serverDir = join(import.meta.dirname, '..', 'server');
let built = false;

/**
 * The server as `pnpm start` runs it: the bundle `tsup` builds (made once per bench run), on
 * plain Node. Under tsx every module is transformed at boot and every stack trace is mapped
 * back to TypeScript, which a user's server does not pay.
 */
export function spawnServer(env: Record<string, string>, nodeArgs: string[] = []): Proc {
  if (process.env.BENCH_TSX) return spawnTs(join(serverDir, 'src', 'main.ts'), env, nodeArgs);
  if (!built) {
    say('building the server (tsup) to run it as pnpm start does');
    execFileSync('pnpm', ['--filter', '@dispute-room/server', 'build'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    built = true;
  }
  return spawnNode([...nodeArgs, join(serverDir, 'dist', 'main.js')], env);
}

function spawnNode(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const queue: unknown[] = [];
  const waiters: ((v: unknown) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('{')) return void process.stderr.write(`${line}\n`);
    const msg = JSON.parse(line) as unknown;
    const w = waiters.shift();
    if (w) w(msg);
    else queue.push(msg);
  });
  return {
    child,
    next<T>() {
      return new Promise<T>((resolve, reject) => {
        if (queue.length) return resolve(queue.shift() as T);
        const onExit = (code: number | null) =>
          reject(new Error(`${args.at(-1)} exited with ${code}`));
        child.once('exit', onExit);
        waiters.push((v) => {
          child.off('exit', onExit);
          resolve(v as T);
        });
      });
    },
    send(msg) {
      child.stdin!.write(`${JSON.stringify(msg)}\n`);
    },
    async stop() {
      // A child killed by a signal has no exit code, only a signal code.
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Reads JSON-line commands from stdin (in a child). */
export function onCommands(handler: (cmd: any) => Promise<void>) {
  createInterface({ input: process.stdin }).on('line', (line) => {
    void handler(JSON.parse(line)).catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
  });
}

export const emitLine = (msg: unknown) => process.stdout.write(`${JSON.stringify(msg)}\n`);

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

const CLOCK_TICKS_PER_SEC = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/**
 * CPU time (user + system) a process has used so far, in ms. On a shared 2-core machine this
 * is steadier than any rate: it says what a message costs the server, whatever else runs.
 */
export function cpuMsOf(pid: number): number {
  // Fields after the command name: state is the 3rd field, utime the 14th, stime the 15th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SEC) * 1000;
}

/** CPU time of every process whose command name is `comm` (all of PostgreSQL's backends, say), in ms. */
export function cpuMsOfCommand(comm: string): number {
  let ms = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name === comm) ms += cpuMsOf(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return ms;
}

/**
 * Connections the kernel dropped because a listener's accept queue was full, machine-wide
 * (TcpExt ListenOverflows in /proc/net/netstat): each comes back only after TCP's retransmit
 * backoff.
 */
export function listenOverflows(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const i = lines.findIndex((l) => l.startsWith('TcpExt:') && l.includes('ListenOverflows'));
  if (i < 0) return NaN;
  const names = lines[i]!.trim().split(/\s+/);
  const values = lines[i + 1]!.trim().split(/\s+/);
  return Number(values[names.indexOf('ListenOverflows')]);
}

/** CPU time the whole machine has spent busy (every core, /proc/stat), in ms. */
export function machineCpuMs(): number {
  const [, ...jiffies] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal: all but idle and iowait are work.
  const busy = jiffies.slice(0, 8).reduce((n, v, i) => (i === 3 || i === 4 ? n : n + Number(v)), 0);
  return (busy / CLOCK_TICKS_PER_SEC) * 1000;
}

/** Resolves once `url` answers its health check with 200; throws after `timeoutMs`. */
export async function untilHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not start within ${timeoutMs} ms`);
}

/**
 * Waits until no job queue has work waiting or running (delayed ones, such as reminders, do not
 * count): what a benchmark filed has been followed up, so its timing is not shared with that.
 * Answers how long it waited (ms).
 */
export async function untilQueuesIdle(admin: Api, timeoutMs = 600_000): Promise<number> {
  const t0 = nowMs();
  for (;;) {
    const { queues } = await admin.req<{
      queues: { name: string; counts: { waiting: number; active: number } }[];
    }>('GET', '/api/admin/queues');
    const busy = queues.filter((q) => q.counts.waiting + q.counts.active > 0);
    if (busy.length === 0) return nowMs() - t0;
    if (nowMs() - t0 > timeoutMs)
      throw new Error(`job queues still busy after ${timeoutMs} ms: ${busy.map((q) => q.name)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Minimal API client for setting up benchmark data as admin (cookie session). */
export class Api {
  cookie = '';
  token = '';
  constructor(readonly base: string) {}
  async req<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.base + path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('dr.sid='));
    if (set) this.cookie = set.split(';')[0]!;
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  async login(email: string, password: string): Promise<void> {
    await this.req('POST', '/api/auth/login', { email, password });
  }

  /** The whole response read, whatever its type and status (downloads, optional endpoints). */
  async raw(method: string, path: string): Promise<number> {
    const res = await fetch(this.base + path, {
      method,
      headers: this.cookie ? { cookie: this.cookie } : {},
    });
    await res.arrayBuffer();
    return res.status;
  }
}
