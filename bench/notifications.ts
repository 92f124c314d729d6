import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { MongoClient, type Db } from 'mongodb';
import { disputeDocs, writeDisputes } from './history.ts';
import { cpuMsOf, machineCpuMs, say, spawnTs, type Proc } from './lib.ts';
import type { Call } from './notifications-load.ts';

/**
 * Notifications part of `pnpm bench` (BENCH_ONLY=notifications), against an SMTP sink in its
 * own process: (a) a burst of filings, each a `dispute_filed` notification for its respondent
 * mailed at once; (b) a digest run: users with one unread-message notification each in a
 * digest window, whose digest jobs are all made due at once. People and their API tokens are
 * written straight into the database (argon2 and the password check would dominate setup),
 * and so are (b)'s disputes; (a)'s contracts and filings and (b)'s messages go through the
 * API, so every notification and digest is the one the live path makes.
 */
export interface NotificationsBenchOptions {
  mongoUri: string;
  /** A database of its own: the counts it polls are this part's alone. */
  db: string;
  redisUrl: string;
  adminEmail: string;
  filings: number;
  digestUsers: number;
  /** FerretDB's process, for where the machine's time goes. */
  ferretPid: number;
  /** Starts a server process on `db` with these variables added. */
  startApp: (extra: Record<string, string>) => Promise<{ proc: Proc; url: string }>;
  procs: Proc[];
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A bearer token as the server stores one (`drt_<id>_<secret>`): the document and the token. */
function tokenFor(userId: string) {
  const id = hex(8);
  const secret = randomBytes(32).toString('base64url');
  const doc = {
    _id: id,
    userId,
    name: 'bench',
    secretHash: createHash('sha256').update(secret).digest('hex'),
    createdAt: new Date(),
    lastUsedAt: null,
  };
  return { doc, token: `drt_${id}_${secret}` };
}

async function insertAll(db: Db, collection: string, docs: object[]) {
  for (let i = 0; i < docs.length; i += 1_000)
    await db.collection(collection).insertMany(docs.slice(i, i + 1_000) as never[]);
}

interface Person {
  id: string;
  token: string;
}

/** `n` users of a role; tokens only for those who make requests. */
async function people(db: Db, role: string, n: number, tag: string, withTokens: boolean) {
  const docs = Array.from({ length: n }, (_, i) => ({
    _id: hex(12),
    email: `${tag}-${role}-${i}@bench.test`,
    name: `${role[0]!.toUpperCase()}${role.slice(1)} ${tag} ${i}`,
    role,
    timezone: 'UTC',
    passwordHash: 'none: never signs in',
    createdAt: new Date(),
  }));
  await insertAll(db, 'users', docs);
  const tokens = docs.map((d) => (withTokens ? tokenFor(d._id) : null));
  await insertAll(
    db,
    'tokens',
    tokens.flatMap((t) => (t ? [t.doc] : [])),
  );
  const out: Person[] = docs.map((d, i) => ({ id: d._id, token: tokens[i]?.token ?? '' }));
  return out;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function notificationsBench(o: NotificationsBenchOptions) {
  const sink = spawnTs(join(import.meta.dirname, 'mail-sink.ts'));
  o.procs.push(sink);
  const { port } = await sink.next<{ port: number }>();
  const prefix = `bench:${hex(4)}:notify:`;
  const app = await o.startApp({
    REDIS_PREFIX: prefix,
    SMTP_URL: `smtp://127.0.0.1:${port}`,
  });
  o.procs.push(app.proc);
  const pid = app.proc.child.pid!;
  const load = spawnTs(join(import.meta.dirname, 'notifications-load.ts'));
  o.procs.push(load);
  const mongo = await MongoClient.connect(o.mongoUri);
  const db = mongo.db(o.db);
  const redis = new URL(o.redisUrl);
  const mailQueue = new Queue('mail', {
    connection: { host: redis.hostname, port: Number(redis.port) || 6379 },
    prefix: `${prefix}bull`,
  });
  // Where the machine's time goes: the server, FerretDB, the SMTP sink, the load generator,
  // and the rest (PostgreSQL under FerretDB, Redis).
  const cpu = () => ({
    machine: machineCpuMs(),
    server: cpuMsOf(pid),
    ferretdb: cpuMsOf(o.ferretPid),
    sink: cpuMsOf(sink.child.pid!),
    load: cpuMsOf(load.child.pid!),
  });
  const perUnit = (a: ReturnType<typeof cpu>, b: ReturnType<typeof cpu>, n: number) => {
    const d = (k: keyof typeof a) => (b[k] - a[k]) / n;
    const split = {
      server: d('server'),
      ferretdb: d('ferretdb'),
      sink: d('sink'),
      load: d('load'),
    };
    const rest = d('machine') - split.server - split.ferretdb - split.sink - split.load;
    return { ...split, rest, total: d('machine') };
  };
  try {
    const admin = await db.collection('users').findOne({ email: o.adminEmail });
    const { doc, token: adminToken } = tokenFor(String(admin!._id));
    await insertAll(db, 'tokens', [doc]);
    const run = async (calls: Call[], concurrency: number, pick?: string) => {
      load.send({ url: app.url, calls, concurrency, pick });
      const r = await load.next<{
        ok: number;
        failed: number;
        firstFailures: string[];
        ms: number;
        picked: string[];
      }>();
      if (r.failed) throw new Error(`${r.failed} requests failed: ${r.firstFailures.join('; ')}`);
      return r;
    };
    const contracts = (pairs: [Person, Person][]) =>
      run(
        pairs.map(([c, f], i) => ({
          method: 'POST',
          path: '/api/contracts',
          token: adminToken,
          body: {
            title: `Bench job ${i}`,
            clientId: c.id,
            freelancerId: f.id,
            escrowCents: 100_000,
            currency: 'USD',
          },
        })),
        20,
        'contract.id',
      ).then((r) => r.picked);
    const filings = (pairs: [Person, Person][], contractIds: string[]): Call[] =>
      pairs.map(([c], i) => ({
        method: 'POST',
        path: '/api/disputes',
        token: c.token,
        body: {
          contractId: contractIds[i],
          reason: 'quality',
          description: 'The delivered work does not match the brief.',
          claimCents: 40_000,
        },
      }));
    const count = (collection: string, filter: object = {}) =>
      db.collection(collection).countDocuments(filter);

    // (a) filings at once: each a notification for its respondent and an immediate mail.
    say(`notifications (a): ${o.filings} disputes filed at once, each mailed to its respondent`);
    const clients = await people(db, 'client', o.filings, 'burst', true);
    const freelancers = await people(db, 'freelancer', o.filings, 'burst', false);
    const pairs = clients.map((c, i) => [c, freelancers[i]!] as [Person, Person]);
    const contractIds = await contracts(pairs);
    sink.send({ mode: 'reset' });
    await sink.next();
    const cpu0 = cpu();
    const t0 = performance.now();
    const filed = run(filings(pairs, contractIds), 100);
    let notifiedMs = 0;
    await until('the filings’ notifications', async () => {
      const n = await count('notifications', { kind: 'dispute_filed' });
      if (n >= o.filings) notifiedMs = performance.now() - t0;
      return n >= o.filings;
    });
    const { ms: filingMs } = await filed;
    sink.send({ mode: 'until', count: o.filings });
    await sink.next();
    const mailedMs = performance.now() - t0;
    const burstCpu = perUnit(cpu0, cpu(), o.filings);
    const burst = {
      filings: o.filings,
      filingMs,
      notifiedMs,
      mailedMs,
      notificationsPerSec: (o.filings / notifiedMs) * 1000,
      mailsPerSec: (o.filings / mailedMs) * 1000,
      serverCpuMsPerFiling: burstCpu.server,
      cpuMsPerFiling: burstCpu,
    };

    // (b) a digest run: each freelancer told of a client's message. One recipient per dispute:
    // a party who writes after a message has read it, so it would not be in their digest.
    say(`notifications (b): ${o.digestUsers} users with an unread message in a digest window`);
    const dc = await people(db, 'client', Math.ceil(o.digestUsers / 50), 'digest', true);
    const df = await people(db, 'freelancer', o.digestUsers, 'digest', false);
    await insertAll(
      db,
      'preferences',
      df.map((p) => ({
        _id: p.id,
        // A day-long digest window for the messages.
        email: 'digest',
        digestMinutes: 1440,
        quietHours: null,
        locale: 'en',
      })),
    );
    // Their disputes are written straight into the database, as the scale bench writes a
    // history (filing 10,000 through the API is an hour of this machine, and not what this
    // part measures): open, each with its 20 earlier messages and chain heads. Numbers above
    // those filed live in (a).
    const digestPairs = df.map((f, i) => [dc[i % dc.length]!, f] as [Person, Person]);
    const now = Date.now();
    const docs = digestPairs.map(([c, f], i) =>
      disputeDocs(i, { clients: [], freelancers: [], mediators: [] }, now, {
        parties: { clientId: c.id, freelancerId: f.id },
        open: true,
        numberFrom: 1_000_000,
      }),
    );
    for (let i = 0; i < docs.length; i += 500) await writeDisputes(db, docs.slice(i, i + 500));
    const disputeIds = docs.map((d) => d.dispute._id);
    say(`  writing ${o.digestUsers} messages`);
    await run(
      digestPairs.map(([c], i) => ({
        method: 'POST',
        path: `/api/disputes/${disputeIds[i]}/messages`,
        token: c.token,
        body: { channel: 'joint', body: 'A question about the brief.', clientMsgId: 'm1' },
      })),
      50,
    );
    await until('every digest owed', async () => (await count('digests')) >= o.digestUsers);
    await until(
      'every digest job waiting',
      async () => (await mailQueue.getDelayedCount()) >= o.digestUsers,
    );
    sink.send({ mode: 'reset' });
    await sink.next();
    const cpu1 = cpu();
    const t1 = performance.now();
    await mailQueue.promoteJobs();
    sink.send({ mode: 'until', count: o.digestUsers });
    const arrived = await sink.next<{ bytes: number }>();
    const digestMs = performance.now() - t1;
    const digestCpu = perUnit(cpu1, cpu(), o.digestUsers);
    const digest = {
      recipients: o.digestUsers,
      ms: digestMs,
      mailsPerSec: (o.digestUsers / digestMs) * 1000,
      serverCpuMsPerRecipient: digestCpu.server,
      cpuMsPerRecipient: digestCpu,
      meanMailBytes: arrived.bytes / o.digestUsers,
    };
    return { burst, digest };
  } finally {
    await mailQueue.close();
    await mongo.close();
    await app.proc.stop();
  }
}
