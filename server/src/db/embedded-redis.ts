import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import getPort from 'get-port';
import type { ChildHandle } from '../supervisor.js';

/** The one command that gets a redis-server onto a Debian or Ubuntu machine. */
export const INSTALL_REDIS = 'sudo apt-get install -y redis-server';

export class RedisMissingError extends Error {
  constructor() {
    super(
      `REDIS_URL is not set and no redis-server is installed to start a private one.\n` +
        `Install it with:  ${INSTALL_REDIS}\n(or point REDIS_URL at a Redis you run).`,
    );
  }
}

export interface EmbeddedRedis extends ChildHandle {
  url: string;
  port: number;
}

const PIDFILE = 'redis.pid';

/**
 * A redis-server left running by a server that was killed (its children outlive it) would
 * share the append-only file with the new one: end it first. Only a process that is a
 * redis-server is touched.
 */
function endLeftover(dataDir: string): void {
  const pidfile = join(dataDir, PIDFILE);
  if (!existsSync(pidfile)) return;
  const pid = Number(readFileSync(pidfile, 'utf8').trim());
  rmSync(pidfile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmd.includes('redis-server')) process.kill(pid, 'SIGKILL');
  } catch {
    // gone already (or not ours to read)
  }
}

/**
 * A private redis-server on a loopback port, its data and append-only file under `dataDir`,
 * for the embedded default (REDIS_URL unset). Resolves once it accepts connections.
 */
export async function startEmbeddedRedis(opts: {
  dataDir: string;
  /** 0 (default): a free port; a fixed one lets a restarted Redis keep its address. */
  port?: number;
  onLog?: (line: string) => void;
}): Promise<EmbeddedRedis> {
  mkdirSync(opts.dataDir, { recursive: true });
  endLeftover(opts.dataDir);
  const port = opts.port || (await getPort({ host: '127.0.0.1' }));
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      opts.dataDir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--pidfile',
      join(opts.dataDir, PIDFILE),
      '--daemonize',
      'no',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const tail: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('redis-server did not start within 15 s')),
      15_000,
    );
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err.code === 'ENOENT' ? new RedisMissingError() : err);
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        opts.onLog?.(line);
        if (line.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited at start (code ${code}):\n${tail.join('\n')}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
