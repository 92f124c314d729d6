import { freePort } from '../ports.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedFerret, type EmbeddedFerret } from '../../src/db/embedded.js';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniqueDbName } from '../harness.js';
import type { Participant } from './participant.js';
import { RedisProcess, sleep, waitHealthy, type ServerProcess } from './procs.js';
import {
  dropRedisPrefix,
  makeParticipants,
  Progress,
  randomMoments,
  runTraffic,
  startCluster,
  totals,
  verifyOutcome,
} from './scenario.js';

/**
 * Reliability under faults, with real processes: two server instances killed with SIGKILL
 * and restarted mid-traffic (A), and the Redis they share restarted mid-traffic (B).
 * `pnpm test:chaos` runs it long (CHAOS_MESSAGES=1000); the regular suite runs it short.
 */
const MESSAGES = Number(process.env.CHAOS_MESSAGES ?? 150);
const KILLS = Number(process.env.CHAOS_KILLS ?? (MESSAGES >= 500 ? 5 : 2));
const LONG = MESSAGES >= 500;
/** Senders give up (and the test fails with their figures) well before the test times out. */
const TRAFFIC_DEADLINE_MS = LONG ? 420_000 : 75_000;
const debug = (line: string) => {
  if (process.env.CHAOS_DEBUG)
    process.stderr.write(`[chaos ${new Date().toISOString()}] ${line}\n`);
};

interface Owned {
  servers: ServerProcess[];
  participants: Participant[];
  redis: RedisProcess | null;
  dbName: string;
  redisUrl: string;
  redisPrefix: string;
}

function owned(): Owned {
  return {
    servers: [],
    participants: [],
    redis: null,
    dbName: uniqueDbName('chaos'),
    redisUrl: inject('redisUrl'),
    redisPrefix: `chaos:${randomBytes(4).toString('hex')}:`,
  };
}

/** Everything a scenario started goes, whatever happened. */
async function cleanup(o: Owned) {
  for (const p of o.participants) p.close();
  await Promise.allSettled(o.servers.map((s) => s.dispose()));
  const mongo = new MongoClient(inject('mongoUri'), { serverSelectionTimeoutMS: 5_000 });
  await mongo
    .connect()
    .then(() => mongo.db(o.dbName).dropDatabase())
    .catch(() => undefined)
    .finally(() => mongo.close());
  if (o.redis) await o.redis.dispose();
  else await dropRedisPrefix(o.redisUrl, o.redisPrefix);
}

async function check(o: Owned, records: Parameters<typeof verifyOutcome>[2]) {
  await Promise.all(o.servers.map((s) => waitHealthy(s.url)));
  const mongo = new MongoClient(inject('mongoUri'));
  await mongo.connect();
  try {
    return await verifyOutcome(mongo.db(o.dbName), o.participants, records);
  } finally {
    await mongo.close();
  }
}

/** While traffic runs: what each participant is doing (CHAOS_DEBUG=1), to see a stall. */
function watch(o: Owned, progress: Progress): () => void {
  const timer = setInterval(() => {
    debug(
      `acked ${progress.acked}; ` +
        o.participants
          .map((p) => `${p.name} ${p.socket.connected ? 'up' : 'DOWN'} ${JSON.stringify(p.stats)}`)
          .join('\n  ') +
        '\n' +
        o.servers
          .map((s) => `${s.name} running=${s.running}: ${s.tail.slice(-40).join('\n    ')}`)
          .join('\n'),
    );
  }, 5_000);
  return () => clearInterval(timer);
}

function report(label: string, o: Owned, extra: Record<string, unknown>) {
  const t = totals(o.participants);
  process.stdout.write(
    `[chaos] ${label}: ${JSON.stringify({
      messages: MESSAGES,
      ...extra,
      attempts: t.attempts,
      retries: t.retries,
      ackTimeouts: t.timeouts,
      errors: t.errors,
      reconnects: t.reconnects,
      joins: t.joins,
      holesBackfilled: t.holes,
      redelivered: t.redelivered,
    })}\n`,
  );
}

/** Two instances on this database and Redis, then every participant connected to them. */
async function bringUp(o: Owned, mongoUri: string): Promise<void> {
  o.servers = await startCluster({
    mongoUri,
    dbName: o.dbName,
    redisUrl: o.redisUrl,
    redisPrefix: o.redisPrefix,
  });
  // One at a time: the first creates the admin, and two tsx starts at once crawl on 2 cores.
  for (const s of o.servers) await s.start();
  o.participants = await makeParticipants(o.servers[0]!.url, o.servers);
  for (const p of o.participants) p.connect();
}

/**
 * The participants send `total` messages while `fault` plays out. The fault is awaited
 * even when the traffic fails, and a failed run still reports what the participants saw.
 */
async function trafficDuring(
  o: Owned,
  progress: Progress,
  total: number,
  fault: Promise<void>,
  label: string,
) {
  const unwatch = watch(o, progress);
  let traffic;
  try {
    traffic = await runTraffic(o.participants, total, {
      progress: progress.update,
      permit: progress.permit,
      unpermit: progress.unpermit,
      deadlineMs: TRAFFIC_DEADLINE_MS,
    });
  } finally {
    unwatch();
    progress.finish();
    await fault;
    if (!traffic) report(`${label} (failed)`, o, {});
  }
  return traffic;
}

describe('chaos: instances killed with SIGKILL mid-traffic', () => {
  const o = owned();
  afterAll(() => cleanup(o), 60_000);

  it(
    `stores ${MESSAGES} messages exactly once and every reader gets each once, through ${KILLS} kill -9`,
    async () => {
      const t0 = Date.now();
      await bringUp(o, inject('mongoUri'));
      debug('cluster up, participants ready');
      const setupMs = Date.now() - t0;

      const moments = randomMoments(KILLS).map((m) => Math.floor(m * MESSAGES));
      const progress = new Progress(moments, Math.max(10, Math.floor(MESSAGES * 0.04)));
      const kills: { victim: string; atAcked: number; downMs: number }[] = [];
      const chaos = (async () => {
        for (const moment of moments) {
          await progress.reach(moment);
          if (progress.done) return;
          const victim = o.servers[Math.floor(Math.random() * o.servers.length)]!;
          const atAcked = progress.acked;
          debug(`killing ${victim.name} at ${atAcked}`);
          const down = Date.now();
          await victim.crash();
          progress.faulted();
          await sleep(Math.random() * 300);
          await victim.start();
          kills.push({ victim: victim.name, atAcked, downMs: Date.now() - down });
          debug(`${victim.name} back`);
        }
      })();
      const traffic = await trafficDuring(o, progress, MESSAGES, chaos, 'kill -9');

      debug('traffic done');
      const verifyStart = Date.now();
      const outcome = await check(o, traffic.records);
      report('kill -9', o, {
        kills: kills.length,
        killLog: kills,
        setupMs,
        trafficMs: traffic.durationMs,
        verifyMs: Date.now() - verifyStart,
        storedEntries: outcome.stored,
        channels: outcome.channels,
      });
      expect(outcome.problems).toEqual([]);
      expect(kills.length).toBe(KILLS);
      expect(traffic.records.every((r) => r.acked)).toBe(true);
    },
    LONG ? 600_000 : 120_000,
  );
});

describe('chaos: the shared Redis restarted mid-traffic', () => {
  const o = owned();
  afterAll(() => cleanup(o), 60_000);

  it(
    'keeps serving and loses nothing when Redis goes away and comes back',
    async () => {
      const total = LONG ? MESSAGES : Math.min(MESSAGES, 90);
      o.redis = new RedisProcess(await freePort());
      await o.redis.start();
      o.redisUrl = o.redis.url;
      await bringUp(o, inject('mongoUri'));

      const moment = Math.floor(total * (0.25 + Math.random() * 0.3));
      const progress = new Progress([moment], Math.max(10, Math.floor(total * 0.04)));
      let redisDownMs = 0;
      const chaos = (async () => {
        await progress.reach(moment);
        if (progress.done) return;
        const down = Date.now();
        await o.redis!.crash();
        progress.faulted();
        await sleep(700 + Math.random() * 800);
        await o.redis!.start();
        redisDownMs = Date.now() - down;
      })();
      const traffic = await trafficDuring(o, progress, total, chaos, 'redis restart');
      const outcome = await check(o, traffic.records);
      report('redis restart', o, {
        messages: total,
        redisDownMs,
        trafficMs: traffic.durationMs,
        storedEntries: outcome.stored,
      });
      expect(redisDownMs).toBeGreaterThan(0);
      expect(outcome.problems).toEqual([]);
    },
    LONG ? 600_000 : 120_000,
  );
});

describe('chaos: the database stopped mid-traffic', () => {
  const o = owned();
  let ferret: EmbeddedFerret | null = null;
  const dataDir = mkdtempSync(join(tmpdir(), 'chaos-db-'));
  afterAll(async () => {
    await cleanup(o);
    await ferret?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it(
    'refuses sends with an error while the database is away (503 health), then resumes losing nothing',
    async () => {
      const total = LONG ? MESSAGES : 60;
      // Its own FerretDB, supervised here, so stopping it touches no other test.
      const port = await freePort();
      const startDb = async () => {
        ferret = await startEmbeddedFerret({ handler: 'sqlite', dataDir, port });
      };
      await startDb();
      const uri = ferret!.uri;
      await bringUp(o, uri);

      const progress = new Progress([Math.floor(total / 2)], 10);
      const health: number[] = [];
      let downMs = 0;
      const outage = (async () => {
        await progress.reach(Math.floor(total / 2));
        if (progress.done) return;
        const down = Date.now();
        await ferret!.stop();
        progress.faulted();
        // Each instance must notice the outage by itself: poll its health until 503.
        for (const s of o.servers) {
          const deadline = Date.now() + 20_000;
          let status = 0;
          while (Date.now() < deadline) {
            status = (await fetch(`${s.url}/api/health`)).status;
            if (status === 503) break;
            await sleep(100);
          }
          health.push(status);
        }
        // The outage itself lasts ~7 s under traffic (the fault, not a wait for a result):
        // longer than the driver's 5 s server selection, so waiting sends fail and are retried.
        await sleep(Math.max(1_000, 7_000 - (Date.now() - down)));
        await startDb();
        downMs = Date.now() - down;
      })();
      const traffic = await trafficDuring(o, progress, total, outage, 'database stop');
      await Promise.all(o.servers.map((s) => waitHealthy(s.url)));
      const mongo = new MongoClient(uri);
      await mongo.connect();
      let outcome;
      try {
        outcome = await verifyOutcome(mongo.db(o.dbName), o.participants, traffic.records);
      } finally {
        await mongo.close();
      }
      const t = totals(o.participants);
      report('database stop', o, {
        messages: total,
        downMs,
        health,
        storedEntries: outcome.stored,
      });
      expect(health).toEqual([503, 503]);
      // Sends during the outage were refused (an error answer or no ack), then retried.
      expect(t.retries).toBeGreaterThan(0);
      expect(outcome.problems).toEqual([]);
      expect(traffic.records.every((r) => r.acked)).toBe(true);
    },
    LONG ? 600_000 : 120_000,
  );
});

describe('chaos: deadlines swept by two instances while one is killed', () => {
  const o = owned();
  afterAll(() => cleanup(o), 60_000);

  it('fires each due deadline exactly once', async () => {
    const cluster = await startCluster({
      mongoUri: inject('mongoUri'),
      dbName: o.dbName,
      redisUrl: o.redisUrl,
      redisPrefix: o.redisPrefix,
    });
    o.servers = cluster;
    for (const s of cluster) await s.start();
    // Nine disputes in mediation, made at today's time.
    for (let i = 0; i < 3; i++)
      o.participants.push(...(await makeParticipants(cluster[0]!.url, cluster)));
    const disputeIds = [...new Set(o.participants.map((p) => p.disputeId))];
    await Promise.all(cluster.map((s) => s.dispose()));

    // The same two instances, 31 days later (mediation lasts 30), sweeping every 100 ms.
    const later = cluster.map((s) =>
      s.withEnv({ CLOCK_OFFSET_MS: String(31 * 86_400_000), SWEEP_INTERVAL_MS: '100' }),
    );
    o.servers = later;
    await Promise.all(later.map((s) => s.start()));
    await sleep(50 + Math.random() * 250);
    await later[0]!.crash();
    await later[0]!.start();

    const mongo = new MongoClient(inject('mongoUri'));
    await mongo.connect();
    try {
      const db = mongo.db(o.dbName);
      for (let i = 0; i < 300; i++) {
        const left = await db
          .collection('disputes')
          .countDocuments({ _id: { $in: disputeIds } as never, state: 'mediation' });
        if (left === 0) break;
        await sleep(100);
      }
      const events = await db
        .collection('dispute_events')
        .find({ disputeId: { $in: disputeIds }, type: 'deadline' })
        .toArray();
      const perDispute = disputeIds.map((id) => events.filter((e) => e.disputeId === id).length);
      const states = await db
        .collection('disputes')
        .find({ _id: { $in: disputeIds } as never })
        .toArray();
      process.stdout.write(
        `[chaos] sweepers under kill -9: ${JSON.stringify({ disputes: disputeIds.length, deadlineEvents: events.length })}\n`,
      );
      expect(perDispute).toEqual(disputeIds.map(() => 1));
      expect(states.map((d) => d.state)).toEqual(disputeIds.map(() => 'arbitration'));
    } finally {
      await mongo.close();
    }
  }, 180_000);
});
