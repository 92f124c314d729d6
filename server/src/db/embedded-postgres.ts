import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { ChildHandle } from '../supervisor.js';
import { DatabaseUnavailableError } from './errors.js';

const run = promisify(execFile);

/** The one command that gets PostgreSQL's server binaries onto a Debian or Ubuntu machine. */
export const INSTALL_POSTGRES = 'sudo apt-get install -y postgresql';

/** Where Debian's packages put each major version's server binaries. */
export const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';

/** Only reached through its socket, in a directory no one else can enter: no TCP port to pick. */
const PORT = 5432;
const SOCKET = `.s.PGSQL.${PORT}`;
/** sun_path holds 108 bytes with its terminating NUL. */
const MAX_SOCKET_PATH = 107;

export interface PostgresBinaries {
  dir: string;
  /** Major version, as PG_VERSION in a data directory spells it ("15"). */
  major: string;
  /** What `postgres --version` says, for the log and the start banner. */
  version: string;
}

/** The binaries in `dir`, or null when it holds no runnable postgres and initdb. */
export function postgresBinariesIn(dir: string): PostgresBinaries | null {
  if (!existsSync(join(dir, 'postgres')) || !existsSync(join(dir, 'initdb'))) return null;
  try {
    const version = execFileSync(join(dir, 'postgres'), ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const major = /\(PostgreSQL\) (\d+)/.exec(version)?.[1];
    return major ? { dir, major, version: version.replace(/^postgres \(PostgreSQL\) /, '') } : null;
  } catch {
    return null;
  }
}

/**
 * The server binaries to run: `given` (POSTGRES_BIN_DIR) when set, otherwise Debian's — the
 * version that made `dataDir` when there is one (a newer major cannot open it), else the
 * newest installed. Null when there are none.
 */
export function findPostgresBinaries(dataDir: string, given?: string): PostgresBinaries | null {
  if (given) return postgresBinariesIn(given);
  let versions: string[];
  try {
    versions = readdirSync(DEBIAN_POSTGRES_ROOT).filter((v) => /^\d+(\.\d+)?$/.test(v));
  } catch {
    return null;
  }
  versions.sort((a, b) => Number(b) - Number(a));
  const made = readPgVersion(dataDir);
  if (made && versions.includes(made)) {
    return postgresBinariesIn(join(DEBIAN_POSTGRES_ROOT, made, 'bin'));
  }
  for (const v of versions) {
    const found = postgresBinariesIn(join(DEBIAN_POSTGRES_ROOT, v, 'bin'));
    if (found) return found;
  }
  return null;
}

function readPgVersion(dataDir: string): string | null {
  try {
    return readFileSync(join(dataDir, 'data', 'PG_VERSION'), 'utf8').trim();
  } catch {
    return null;
  }
}

/** Who PostgreSQL runs as: ourselves, or (as root, which it refuses) the `postgres` account. */
export interface PostgresUser {
  uid: number;
  gid: number;
  name: string;
}

function systemAccount(name: string): PostgresUser | null {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [user, , uid, gid] = line.split(':');
      if (user === name && uid && gid) return { name, uid: Number(uid), gid: Number(gid) };
    }
  } catch {
    // no passwd file to read: no such account
  }
  return null;
}

/** Null when we are not root (PostgreSQL runs as we do). */
export function postgresRunAs(): PostgresUser | null | 'missing' {
  if (process.getuid?.() !== 0) return null;
  return systemAccount('postgres') ?? 'missing';
}

/**
 * Whether `user` (without supplementary groups: spawning as another uid drops them) may pass
 * through `dir`.
 */
function canTraverse(dir: string, user: PostgresUser): boolean {
  const st = statSync(dir);
  if (st.uid === user.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === user.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

export interface EmbeddedPostgres extends ChildHandle {
  /** For FerretDB's -postgresql-url: the database on the private socket. */
  url: string;
  socketDir: string;
  binaries: PostgresBinaries;
}

export interface EmbeddedPostgresOptions {
  /** Holds `data` (the cluster) and `run` (its socket). */
  dataDir: string;
  binaries: PostgresBinaries;
  /** The `postgres` account when we run as root; null to run as ourselves. */
  runAs: PostgresUser | null;
  /** The database FerretDB uses (created by its launcher when missing). */
  database?: string;
  say?: (line: string) => void;
  onLog?: (line: string) => void;
}

/**
 * Makes `root` (and the directory it sits in) usable by the account PostgreSQL runs as:
 * its own, 0700. As root, DATA_DIR itself may be a private directory (mkdtemp makes 0700):
 * then only the postgres group is let through it, to search, not to list.
 */
export function preparePostgresDirs(root: string, runAs: PostgresUser | null): void {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  if (!runAs) return;
  const parent = dirname(resolve(root));
  if (!canTraverse(parent, runAs)) {
    const st = statSync(parent);
    if (st.uid === 0) {
      chownSync(parent, st.uid, runAs.gid);
      chmodSync(parent, (st.mode & 0o7777) | 0o010);
    }
  }
  for (let dir = parent; ; dir = dirname(dir)) {
    if (!canTraverse(dir, runAs)) {
      throw new DatabaseUnavailableError(
        `PostgreSQL runs as the "${runAs.name}" account (it refuses root), which cannot enter ${dir}: ` +
          `choose a DATA_DIR it can reach, run the server as a normal user, or set FERRETDB_HANDLER=sqlite`,
      );
    }
    if (dirname(dir) === dir) break;
  }
  chownSync(root, runAs.uid, runAs.gid);
}

/**
 * A socket directory whose socket path fits in sun_path, the same on every start (FerretDB
 * keeps its URL across a PostgreSQL restart).
 */
function socketDirFor(root: string, runAs: PostgresUser | null): string {
  let dir = join(root, 'run');
  if (join(dir, SOCKET).length > MAX_SOCKET_PATH) {
    // DATA_DIR is too deep for a unix socket: a directory in the temporary one, named after it.
    const key = createHash('sha256').update(resolve(root)).digest('hex').slice(0, 16);
    dir = join(tmpdir(), `dispute-room-pg-${key}`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const owner = runAs?.uid ?? process.getuid?.();
  if (!st.isDirectory() || (st.uid !== owner && st.uid !== process.getuid?.())) {
    throw new DatabaseUnavailableError(`${dir} is not a directory of ours for PostgreSQL's socket`);
  }
  chmodSync(dir, 0o700);
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  return dir;
}

/**
 * A postmaster left running by a server that was killed (its children outlive it) holds the
 * data directory's lock: end it first, fast shutdown then SIGKILL. Only a live process that
 * is a postgres is touched.
 */
async function endLeftover(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  const isPostgres = () => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
    } catch {
      return false;
    }
  };
  if (!isPostgres()) return;
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 15_000;
  while (isPostgres() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isPostgres()) process.kill(pid, 'SIGKILL');
}

/** initdb on first start: into a scratch directory renamed into place, so a half-made cluster never counts. */
async function initCluster(
  dataDir: string,
  opts: EmbeddedPostgresOptions,
  say: (line: string) => void,
): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  const scratch = `${dataDir}.init`;
  rmSync(scratch, { recursive: true, force: true });
  say(
    `Creating the private PostgreSQL ${opts.binaries.major} cluster in ${dataDir} (first start)…`,
  );
  const ids = opts.runAs ? { uid: opts.runAs.uid, gid: opts.runAs.gid } : {};
  try {
    await run(
      join(opts.binaries.dir, 'initdb'),
      [
        '-D',
        scratch,
        '-U',
        'postgres',
        // Nothing but its socket, in a 0700 directory of its own account, reaches it.
        '--auth=trust',
        '--encoding=UTF8',
        '--locale=C',
      ],
      { ...ids, cwd: '/', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' } },
    );
  } catch (err) {
    rmSync(scratch, { recursive: true, force: true });
    const stderr = (err as { stderr?: string }).stderr?.trim().split('\n').at(-1);
    throw new DatabaseUnavailableError(
      `initdb of the private PostgreSQL in ${dataDir} failed: ${stderr ?? (err as Error).message}`,
    );
  }
  renameSync(scratch, dataDir);
}

/**
 * A private PostgreSQL for the embedded FerretDB: its cluster under `dataDir/data` (made by
 * initdb on first start), reached only through a unix socket in `dataDir/run`, run as the
 * `postgres` account when we are root. Resolves once it accepts connections.
 */
export async function startEmbeddedPostgres(
  opts: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const say = opts.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  preparePostgresDirs(opts.dataDir, opts.runAs);
  const dataDir = join(opts.dataDir, 'data');
  await initCluster(dataDir, opts, say);
  await endLeftover(dataDir);
  const socketDir = socketDirFor(opts.dataDir, opts.runAs);

  const child = spawn(
    join(opts.binaries.dir, 'postgres'),
    [
      '-D',
      dataDir,
      '-k',
      socketDir,
      '-p',
      String(PORT),
      '-c',
      'listen_addresses=',
      '-c',
      'unix_socket_permissions=0700',
      // Its log is ours (stderr, to the server's log at debug level).
      '-c',
      'logging_collector=off',
      '-c',
      'lc_messages=C',
    ],
    {
      ...(opts.runAs ? { uid: opts.runAs.uid, gid: opts.runAs.gid } : {}),
      cwd: '/',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const tail: string[] = [];
  await new Promise<void>((ready, reject) => {
    // Crash recovery replays the WAL before it is ready: give it time.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the private PostgreSQL did not start within 60 s'));
    }, 60_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        opts.onLog?.(line);
        if (line.includes('database system is ready to accept connections')) {
          clearTimeout(timer);
          ready();
        }
      });
    }
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(
          `the private PostgreSQL exited at start (${code ?? signal}):\n${tail.join('\n')}`,
        ),
      );
    });
  });
  const database = opts.database ?? 'ferretdb';
  return {
    url: `postgres://postgres@/${database}?host=${encodeURIComponent(socketDir)}&port=${PORT}`,
    socketDir,
    binaries: opts.binaries,
    pid: child.pid ?? -1,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGINT is PostgreSQL's fast shutdown (pg_ctl stop -m fast): clients cut, a checkpoint, exit.
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
