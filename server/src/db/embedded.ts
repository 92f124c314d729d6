import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../paths.js';
import { DatabaseUnavailableError } from './errors.js';

/**
 * The embedded database: FerretDB v1 compiled from the Go module in `ferretdb/`,
 * run as a child process. The binary lives in a cache outside the repository,
 * keyed by the launcher's sources, so it is built once per machine and version.
 */

export type FerretHandler = 'sqlite' | 'postgresql';

interface Say {
  (line: string): void;
}

const defaultSay: Say = (line) => process.stderr.write(`${line}\n`);

function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return process.env.FERRETDB_CACHE_DIR ?? join(base, 'dispute-room');
}

function launcherDir(): string {
  return join(repoRoot(), 'ferretdb');
}

/**
 * Files of the FerretDB module replaced in our build, by their path in the module → ours, in
 * `ferretdb/`. Go refuses to overlay files in its module cache, so the launcher is built from
 * a staging copy whose dependencies are vendored, with these files put over the vendored ones.
 * Why each is replaced is said in the file.
 */
const OVERLAY: Record<string, string> = {
  'internal/util/resource/resource.go': 'overlay/resource.go',
};
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';

/** Runs `go` in `cwd` and resolves when it succeeds; the last lines of stderr otherwise. */
function runGo(args: string[], cwd: string, onLine?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const go = spawn('go', args, { cwd, stdio: ['ignore', 'inherit', 'pipe'] });
    const tail: string[] = [];
    createInterface({ input: go.stderr }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      onLine?.(line);
    });
    go.on('error', (err) =>
      reject(new Error(`cannot run "go": ${err.message}. Install Go 1.24+ to build FerretDB.`)),
    );
    go.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(`go ${args[0]} for FerretDB failed (exit ${code}):\n${tail.join('\n')}`),
          ),
    );
  });
}

/** The launcher's own files: its Go sources and module files (not the overlay's directory). */
const launcherFiles = () =>
  readdirSync(launcherDir()).filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum');

/** A copy of the launcher with its dependencies vendored and the overlay applied. */
async function stageSources(staging: string): Promise<void> {
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const f of launcherFiles()) copyFileSync(join(launcherDir(), f), join(staging, f));
  await runGo(['mod', 'vendor'], staging);
  for (const [inModule, ours] of Object.entries(OVERLAY))
    copyFileSync(join(launcherDir(), ours), join(staging, 'vendor', FERRETDB_MODULE, inModule));
}

export function ferretBinaryPath(): string {
  const dir = launcherDir();
  const hash = createHash('sha256');
  // Every Go source of the launcher, its overlay and its module files: any change makes a new
  // binary.
  const sources = [...launcherFiles(), ...Object.values(OVERLAY)].sort();
  for (const f of sources) hash.update(f).update(readFileSync(join(dir, f)));
  return join(cacheDir(), `ferretdb-${hash.digest('hex').slice(0, 16)}`);
}

/** Builds the launcher unless the cached binary for these sources already exists. */
export async function ensureFerretBinary(say: Say = defaultSay): Promise<string> {
  const bin = ferretBinaryPath();
  if (existsSync(bin)) return bin;
  mkdirSync(cacheDir(), { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  say(`Building embedded FerretDB into ${bin} (first run only; a few minutes)…`);
  const started = Date.now();
  const staging = `${bin}.${process.pid}.src`;
  let compiled = 0;
  const ticker = setInterval(
    () => say(`  … still building FerretDB (${Math.round((Date.now() - started) / 1000)} s)`),
    15_000,
  );
  try {
    await stageSources(staging);
    // `go build -v` names each package as it compiles it: that is our progress.
    await runGo(['build', '-v', '-trimpath', '-mod=vendor', '-o', tmp, '.'], staging, (line) => {
      if (!line.startsWith('#')) compiled += 1;
      if (compiled % 25 === 0) say(`  … ${compiled} packages compiled (${line})`);
    });
  } finally {
    clearInterval(ticker);
    rmSync(staging, { recursive: true, force: true });
  }
  renameSync(tmp, bin);
  say(`Built FerretDB in ${Math.round((Date.now() - started) / 1000)} s.`);
  return bin;
}

export interface EmbeddedFerret {
  uri: string;
  /** The port it listens on: a restart given this port keeps the clients' address. */
  port: number;
  pid: number;
  /** Settles when the process ends, whether stopped or not. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  handler: FerretHandler;
  /** SQLite handler: directory holding one SQLite file per database. */
  dataDir: string;
  postgresqlUrl?: string;
  /** 0 (default) picks a free port; a fixed one lets a restarted database keep its address. */
  port?: number;
  /** Serves Go's profiler there (`host:port`), for benchmarks: `go tool pprof` reads it. */
  pprofAddr?: string;
  say?: Say;
  onLog?: (line: string) => void;
}

/** Starts FerretDB on a free loopback port and resolves once it accepts connections. */
export async function startEmbeddedFerret(opts: EmbeddedOptions): Promise<EmbeddedFerret> {
  const bin = await ensureFerretBinary(opts.say);
  mkdirSync(opts.dataDir, { recursive: true });
  const args = [
    '-listen',
    `127.0.0.1:${opts.port ?? 0}`,
    '-handler',
    opts.handler,
    '-data-dir',
    opts.dataDir,
  ];
  if (opts.postgresqlUrl) args.push('-postgresql-url', opts.postgresqlUrl);
  if (opts.pprofAddr) args.push('-pprof-addr', opts.pprofAddr);
  // stdin stays a pipe: the launcher exits when it closes, so a crashed parent leaves no orphan.
  const child: ChildProcessWithoutNullStreams = spawn(bin, args, { stdio: 'pipe' });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    opts.onLog?.(line);
  });

  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left behind holding the data and maybe the port a retry needs.
      child.kill('SIGKILL');
      reject(new Error('FerretDB did not start within 30 s'));
    }, 30_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^listening (\S+)/.exec(line);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    // A binary that cannot be run (removed from the cache, say) fails this start, not the server.
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      // Exit 2: the launcher's backend cannot be used, said in its last line.
      const said = stderrTail.at(-1)?.replace(/^ferretdb-launcher: /, '');
      reject(
        code === 2 && said
          ? new DatabaseUnavailableError(said)
          : new Error(`FerretDB exited at start (${code ?? signal}):\n${stderrTail.join('\n')}`),
      );
    });
  });

  return {
    uri,
    port: Number(new URL(uri).port),
    pid: child.pid ?? -1,
    exited,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
