import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@dispute-room/server/test/ports.ts';
import { MongoClient, type Db } from 'mongodb';
import { io as connectSocket } from 'socket.io-client';
import { startEmbeddedFerret } from '@dispute-room/server/src/db/embedded.ts';
import {
  MESSAGES_PER_DISPUTE,
  disputeDocs,
  seedPeople,
  writeDisputes,
  type Cast,
} from './history.ts';
import { Api, say, spawnServer, spawnTs, untilHealthy, type Proc } from './lib.ts';

/**
 * `pnpm bench:scale`: a synthetic history (BENCH_SCALE_PER_DAY disputes a day, 1,650) written straight into the database (the
 * documents, keys and buckets the live path writes), then every request a person makes, timed
 * at each size. BENCH_SCALE=10000,100000 (default; add 600000 for the year), BENCH_SCALE_HANDLERS
 * =postgresql,sqlite, BENCH_SCALE_REPEATS (20), BENCH_SCALE_KEEP=1 (keep the databases),
 * BENCH_SCALE_REUSE=<size>=<db>@<dir>,… (time again on kept ones). Prints a table per size and the growth ratio,
 * and writes bench/results.scale.json.
 */
const here = import.meta.dirname;
const SIZES = (process.env.BENCH_SCALE ?? '10000,100000').split(',').map(Number);
const HANDLERS = (process.env.BENCH_SCALE_HANDLERS ?? 'postgresql').split(',') as (
  'postgresql' | 'sqlite'
)[];
const REPEATS = Number(process.env.BENCH_SCALE_REPEATS ?? 20);
/** Keep each size's database (to profile it afterwards) instead of dropping it. */
const KEEP = process.env.BENCH_SCALE_KEEP === '1';
/**
 * Time again on databases a KEEP run left (`<size>=<database>@<data dir>`, comma-separated, as
 * it printed them): no writing, no reindex; the server of the current code on the same history.
 */
const REUSE = new Map(
  (process.env.BENCH_SCALE_REUSE ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const [size, rest] = entry.split('=') as [string, string];
      const [dbName, dataDir] = rest.split('@') as [string, string];
      return [Number(size), { dbName, dataDir }] as const;
    }),
);
const PG_URL =
  process.env.BENCH_POSTGRESQL_URL ??
  'postgres://postgres@127.0.0.1:5432/dispute_room_scale?sslmode=disable';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN = { email: 'scale-admin@example.test', password: 'scale-admin-walkthrough-7' };
const PASSWORD = 'scale-user-walkthrough-7';
const DAY = 86_400_000;

async function generate(db: Db, n: number, passwordHash: string): Promise<Cast> {
  const cast = await seedPeople(db, n, passwordHash);
  const now = Date.now();
  const started = performance.now();
  const BATCH = 500;
  for (let from = 0; from < n; from += BATCH) {
    await writeDisputes(
      db,
      Array.from({ length: Math.min(BATCH, n - from) }, (_, k) => disputeDocs(from + k, cast, now)),
    );
    if ((from / BATCH) % 20 === 0) {
      const rate = Math.round((from + BATCH) / ((performance.now() - started) / 1000));
      say(`  … ${Math.min(n, from + BATCH)} of ${n} disputes written (${rate}/s)`);
    }
  }
  return cast;
}

const serverEnv = (mongoUri: string, dbName: string) => ({
  NODE_ENV: 'production',
  SESSION_SECRET: 'bench-only-session-secret-not-for-production',
  MONGODB_URI: mongoUri,
  MONGODB_DB: dbName,
  REDIS_URL,
  REDIS_PREFIX: `scale:${dbName}:`,
  LOG_LEVEL: 'warn',
  SEED_DEMO: 'false',
  SWEEP_INTERVAL_MS: '0',
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  MESSAGE_LIMIT_PER_MIN: '1000000',
  JOIN_LIMIT_PER_MIN: '1000000',
  LOGIN_FAILURES_PER_ACCOUNT_IP: '1000000',
});

/**
 * The read models of the written history, by `pnpm reindex`: the same projection code the
 * live path runs after each event, so the documents are those a year of traffic would leave.
 */
async function reindex(mongoUri: string, dbName: string): Promise<void> {
  const proc = spawnTs(join(here, '..', 'server', 'src', 'reindex', 'main.ts'), {
    ...serverEnv(mongoUri, dbName),
    PORT: '0',
  });
  const code = await new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
  if (code !== 0) throw new Error(`pnpm reindex exited with ${code}`);
}

/** Every table under FerretDB vacuumed, with its planner statistics (`VACUUM (ANALYZE)`). */
async function vacuum(url: string): Promise<void> {
  const t = performance.now();
  await promisify(execFile)('psql', [url, '-qc', 'VACUUM (ANALYZE)'], { maxBuffer: 1 << 20 });
  say(`  VACUUM (ANALYZE) in ${Math.round((performance.now() - t) / 1000)} s`);
}

async function startServer(mongoUri: string, dbName: string): Promise<{ proc: Proc; url: string }> {
  const port = await freePort();
  const proc = spawnServer({ ...serverEnv(mongoUri, dbName), PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await untilHealthy(url, 120_000);
  return { proc, url };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** p50/p99 of `REPEATS` runs of one request a person makes (after one warm-up run). */
async function timeIt(run: (i: number) => Promise<unknown>) {
  await run(-1);
  const ms: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    await run(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: +pct(ms, 50).toFixed(1), p99: +pct(ms, 99).toFixed(1) };
}

async function measure(url: string, db: Db) {
  const admin = new Api(url);
  await admin.login(ADMIN.email, ADMIN.password);
  const client = new Api(url);
  await client.login('client-1@scale.test', PASSWORD);
  const mediator = new Api(url);
  await mediator.login('mediator-1@scale.test', PASSWORD);
  const ops = admin;
  const me = (await client.req('GET', '/api/auth/me')).user as { id: string };
  const freelancer = (await db
    .collection('users')
    .findOne({ email: 'freelancer-1@scale.test' })) as unknown as { _id: string };
  // Fresh contracts to file on, one per run.
  const contracts: string[] = [];
  for (let i = 0; i < REPEATS + 1; i++) {
    const { contract } = await admin.req('POST', '/api/contracts', {
      title: `Timed ${i}`,
      clientId: me.id,
      freelancerId: freelancer._id,
      escrowCents: 50_000,
      currency: 'USD',
    });
    contracts.push(contract.id);
  }
  const own = (await client.req('GET', '/api/disputes')).disputes as {
    id: string;
    state: string;
  }[];
  const active = own.find((d) => d.state === 'open' || d.state === 'mediation') ?? own[0]!;
  const closed = (await db.collection('disputes').findOne({ state: 'resolved' })) as unknown as {
    _id: string;
  };
  const firstPage = await ops.req('GET', '/api/ops/disputes?state=resolved&limit=25');
  const socket = connectSocket(url, {
    transports: ['websocket'],
    extraHeaders: { cookie: client.cookie! },
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const emit = (event: string, payload: unknown) =>
    new Promise<{ ok: boolean }>((resolve) =>
      (socket.emit as (e: string, p: unknown, cb: (a: { ok: boolean }) => void) => void)(
        event,
        payload,
        resolve,
      ),
    );
  const iso = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString();
  let filed = 0;
  const rows: Record<string, { p50: number; p99: number }> = {
    'sign in': await timeIt(() => new Api(url).login('client-2@scale.test', PASSWORD)),
    'file a dispute': await timeIt(() =>
      client.req('POST', '/api/disputes', {
        contractId: contracts[filed++]!,
        reason: 'quality',
        description: 'Timed filing.',
        claimCents: 1_000,
      }),
    ),
    // As the web client asks: the list 50 at a time (client/src/stores/disputes.ts).
    'list own disputes': await timeIt(() => client.req('GET', '/api/disputes?limit=50')),
    'join a dispute (first page)': await timeIt(async () => {
      const ack = await emit('dispute:join', { disputeId: active.id });
      if (!ack.ok) throw new Error(JSON.stringify(ack));
    }),
    send: await timeIt((i) =>
      client.req('POST', `/api/disputes/${active.id}/messages`, {
        channel: 'joint',
        body: `timed ${i}`,
        clientMsgId: `timed-${Date.now()}-${i}`,
      }),
    ),
    'mediator queue': await timeIt(() => mediator.req('GET', '/api/disputes?assigned=none')),
    // The queue page's own list: theirs in mediation.
    "a mediator's own disputes": await timeIt(() =>
      mediator.req('GET', '/api/disputes?assigned=me&state=mediation'),
    ),
    "a mediator's list, first page": await timeIt(() =>
      mediator.req('GET', '/api/disputes?limit=50'),
    ),
    "a mediator's list, a later page": await timeIt(async () => {
      const first = await mediator.req('GET', '/api/disputes?assigned=me&limit=50');
      if (!first.nextCursor) throw new Error('the measured mediator has no second page');
      await mediator.req(
        'GET',
        `/api/disputes?assigned=me&limit=50&cursor=${encodeURIComponent(first.nextCursor)}`,
      );
    }),
    'ops search (filters)': await timeIt(() =>
      ops.req('GET', '/api/ops/disputes?state=resolved&outcome=settlement&limit=25'),
    ),
    'ops search (text)': await timeIt(() =>
      ops.req('GET', '/api/ops/disputes?q=brief%2042&limit=25'),
    ),
    'ops search (a later page)': await timeIt(() =>
      ops.req(
        'GET',
        `/api/ops/disputes?state=resolved&limit=25&cursor=${encodeURIComponent(firstPage.nextCursor)}`,
      ),
    ),
    'dashboard, 90 days': await timeIt(() => ops.req('GET', `/api/ops/metrics?from=${iso(90)}`)),
    'dashboard, 365 days': await timeIt(() => ops.req('GET', `/api/ops/metrics?from=${iso(365)}`)),
    transcript: await timeIt(() => ops.req('GET', `/api/ops/disputes/${closed._id}/transcript`)),
    export: await timeIt(() =>
      ops.raw('GET', `/api/ops/disputes/${closed._id}/export?format=html`),
    ),
    notifications: await timeIt(() => client.raw('GET', '/api/notifications')),
  };
  socket.disconnect();
  return rows;
}

async function main() {
  const results: Record<string, Record<number, Record<string, { p50: number; p99: number }>>> = {};
  for (const handler of HANDLERS) {
    results[handler] = {};
    for (const n of SIZES) {
      const reuse = REUSE.get(n);
      const dataDir =
        reuse?.dataDir ??
        join(here, '..', '.data', `scale-${handler}-${n}-${Date.now().toString(36)}`);
      say(`\n${handler}: ${n} disputes (${n * MESSAGES_PER_DISPUTE} messages)`);
      const ferret = await startEmbeddedFerret({
        handler,
        dataDir,
        postgresqlUrl: handler === 'postgresql' ? PG_URL : undefined,
      });
      const dbName = reuse?.dbName ?? `scale_${n}_${Date.now().toString(36)}`;
      let server: { proc: Proc; url: string } | null = null;
      const mongo = new MongoClient(ferret.uri);
      try {
        await mongo.connect();
        const db = mongo.db(dbName);
        if (reuse) {
          say(`  reusing database ${dbName}; timing requests…`);
          server = await startServer(ferret.uri, dbName);
          results[handler][n] = await measure(server.url, db);
          console.table(results[handler][n]);
          continue;
        }
        // Start once on the empty database: the server creates its indexes; then write.
        // The real password hash of PASSWORD, made by the server, for every generated user.
        server = await startServer(ferret.uri, dbName);
        const admin = new Api(server.url);
        await admin.login(ADMIN.email, ADMIN.password);
        await admin.req('POST', '/api/users', {
          email: 'hash-donor@scale.test',
          name: 'Hash donor',
          role: 'client',
          password: PASSWORD,
        });
        await server.proc.stop();
        const donor = (await db
          .collection('users')
          .findOne({ email: 'hash-donor@scale.test' })) as unknown as { passwordHash: string };
        const t = performance.now();
        await generate(db, n, donor.passwordHash);
        say(`  written in ${Math.round((performance.now() - t) / 1000)} s; read models…`);
        const r = performance.now();
        await reindex(ferret.uri, dbName);
        // A year-old database has been vacuumed and has its planner statistics; one written a
        // minute ago has neither until autovacuum comes by, mid-run.
        if (handler === 'postgresql') await vacuum(PG_URL);
        say(
          `  read models built in ${Math.round((performance.now() - r) / 1000)} s; timing requests…`,
        );
        server = await startServer(ferret.uri, dbName);
        results[handler][n] = await measure(server.url, db);
        console.table(results[handler][n]);
      } finally {
        await server?.proc.stop();
        if (KEEP || reuse) say(`  kept: ${n}=${dbName}@${dataDir} (${handler})`);
        else
          await mongo
            .db(dbName)
            .dropDatabase()
            .catch(() => undefined);
        await mongo.close();
        await ferret.stop();
      }
    }
    const small = results[handler][SIZES[0]!]!;
    const large = results[handler][SIZES.at(-1)!]!;
    say(`\n${handler}: growth of p99 from ${SIZES[0]} to ${SIZES.at(-1)} disputes (target ≤ 2×)`);
    console.table(
      Object.fromEntries(
        Object.keys(small).map((k) => {
          const ratio = large[k]!.p99 / Math.max(1, small[k]!.p99);
          return [
            k,
            {
              [`p99 ${SIZES[0]}`]: small[k]!.p99,
              [`p99 ${SIZES.at(-1)}`]: large[k]!.p99,
              ratio: +ratio.toFixed(2),
              target: ratio <= 2 ? 'met' : 'NOT met',
            },
          ];
        }),
      ),
    );
    const dash = large['dashboard, 365 days']!.p99;
    say(
      `dashboard over 365 days at ${SIZES.at(-1)}: p99 ${dash} ms (target ≤ 500 ms: ${dash <= 500 ? 'met' : 'NOT met'})`,
    );
  }
  const at = new Date().toISOString();
  writeFileSync(
    join(here, 'results.scale.json'),
    JSON.stringify({ at, sizes: SIZES, results }, null, 2),
  );
  writeIntoReadme(at, results);
}

type Timings = Record<string, Record<number, Record<string, { p50: number; p99: number }>>>;

/**
 * The run's table, per handler, into the README between its scale-results markers (what is
 * written after the closing marker — earlier runs, how to read them — is left alone).
 */
function writeIntoReadme(at: string, results: Timings): void {
  const path = join(here, '..', 'README.md');
  const readme = readFileSync(path, 'utf8');
  const open = '<!-- scale-results -->';
  const close = '<!-- /scale-results -->';
  const start = readme.indexOf(open);
  if (start < 0) {
    say('README: no scale-results marker, table not written');
    return;
  }
  const end = readme.indexOf(close, start);
  const after = end < 0 ? readme.slice(start + open.length) : readme.slice(end + close.length);
  const first = SIZES[0]!;
  const last = SIZES.at(-1)!;
  const tables = Object.entries(results).map(([handler, bySize]) => {
    const requests = Object.keys(bySize[first] ?? {});
    const head = `| request | ${SIZES.map((n) => `p50 / p99 at ${n}`).join(' | ')} | growth of p99 | ≤ 2× |`;
    const rule = `|---|${SIZES.map(() => '---|').join('')}---|---|`;
    const rows = requests.map((k) => {
      const cells = SIZES.map(
        (n) => `${bySize[n]?.[k]?.p50 ?? '–'} / ${bySize[n]?.[k]?.p99 ?? '–'} ms`,
      );
      const ratio = (bySize[last]?.[k]?.p99 ?? NaN) / Math.max(1, bySize[first]?.[k]?.p99 ?? NaN);
      return `| ${k} | ${cells.join(' | ')} | ${ratio.toFixed(2)}× | ${ratio <= 2 ? 'met' : '**not met**'} |`;
    });
    const dash = bySize[last]?.['dashboard, 365 days']?.p99;
    return [
      `**${handler}**, dashboard over 365 days at ${last}: p99 ${dash} ms (≤ 500 ms: ${dash !== undefined && dash <= 500 ? 'met' : 'not met'}).`,
      '',
      head,
      rule,
      ...rows,
    ].join('\n');
  });
  const table = [
    `Latest \`pnpm bench:scale\` (written by the benchmark, ${at.slice(0, 16).replace('T', ' ')} UTC, sizes ${SIZES.join(', ')}, ${REPEATS} repeats):`,
    ...tables,
  ].join('\n\n');
  writeFileSync(path, `${readme.slice(0, start)}${open}\n${table}\n${close}${after}`);
  say('README: scale table written');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
