import { freePort } from '../ports.js';
import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import { Redis } from 'ioredis';
import {
  readableChannels,
  writableChannels,
  type Channel,
  type Relation,
} from '@dispute-room/shared';
import { chainEntryOf, verifyChain } from '../../src/messages/chain.js';
import type { MessageDoc } from '../../src/messages/model.js';
import { adminClient, ADMIN, makeUser, type ApiClient } from '../api-client.js';
import { noStats, Participant, type SentRecord, type Stats } from './participant.js';
import { ServerProcess, sleep } from './procs.js';

export interface ClusterOptions {
  mongoUri: string;
  dbName: string;
  redisUrl: string;
  redisPrefix: string;
  /** More settings for both instances (e.g. a faster presence sweep). */
  env?: Record<string, string>;
}

/** What every server process of these tests runs with: its database, its Redis, no demo. */
export function processEnv(opts: Omit<ClusterOptions, 'env'>): Record<string, string> {
  return {
    MONGODB_URI: opts.mongoUri,
    MONGODB_DB: opts.dbName,
    REDIS_URL: opts.redisUrl,
    REDIS_PREFIX: opts.redisPrefix,
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    CLIENT_DIST: '/nonexistent',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  };
}

/** Two instances of one deployment (same database, same Redis prefix), on ports kept for restarts. */
export async function startCluster(opts: ClusterOptions): Promise<ServerProcess[]> {
  const env = {
    ...processEnv(opts),
    MESSAGE_LIMIT_PER_MIN: '1000000',
    SWEEP_INTERVAL_MS: '0',
    ...opts.env,
  };
  const ports = [await freePort(), await freePort()];
  return ports.map((port, i) => new ServerProcess(`instance-${'AB'[i]}`, port, env));
}

interface Party {
  api: ApiClient;
  relation: Relation;
}

/**
 * `count` disputes in mediation, each with its own client, freelancer and mediator, made through
 * the admin API of `url`; then one participant per person, alternating between the instances.
 */
export async function makeParticipants(
  url: string,
  instances: ServerProcess[],
  count = 3,
): Promise<Participant[]> {
  const admin = await adminClient(url);
  const out: Participant[] = [];
  let n = 0;
  for (let d = 0; d < count; d++) {
    const [client, freelancer, mediator] = await Promise.all([
      makeUser(admin, 'client', `Chaos Client ${d}`),
      makeUser(admin, 'freelancer', `Chaos Freelancer ${d}`),
      makeUser(admin, 'mediator', `Chaos Mediator ${d}`),
    ]);
    const contract = await admin.post('/api/contracts', {
      title: `Chaos job ${d}`,
      clientId: client.user!.id,
      freelancerId: freelancer.user!.id,
      escrowCents: 100_000,
      currency: 'USD',
    });
    if (contract.status !== 201) throw new Error(JSON.stringify(contract.body));
    const filed = await client.post('/api/disputes', {
      contractId: contract.body.contract.id,
      reason: 'quality',
      description: 'The delivered pages do not match the agreed design.',
      claimCents: 40_000,
    });
    if (filed.status !== 201) throw new Error(JSON.stringify(filed.body));
    const disputeId: string = filed.body.dispute.id;
    await freelancer.post(`/api/disputes/${disputeId}/respond`, { accept: false });
    const assigned = await mediator.post(`/api/disputes/${disputeId}/assign`);
    if (assigned.status !== 200 || assigned.body.dispute.state !== 'mediation')
      throw new Error(`assign failed: ${assigned.status} ${JSON.stringify(assigned.body)}`);
    const parties: Party[] = [
      { api: client, relation: 'client' },
      { api: freelancer, relation: 'freelancer' },
      { api: mediator, relation: 'assigned_mediator' },
    ];
    for (const { api, relation } of parties) {
      const token = await api.post('/api/auth/tokens', { name: 'chaos' });
      if (token.status !== 201) throw new Error(JSON.stringify(token.body));
      const instance = instances[n % instances.length]!;
      n += 1;
      out.push(
        new Participant(
          `${relation}${d}@${instance.name}`,
          api.user!.id,
          disputeId,
          instance.url,
          token.body.token,
          readableChannels(relation),
          writableChannels(relation),
        ),
      );
    }
  }
  return out;
}

export interface TrafficResult {
  records: SentRecord[];
  durationMs: number;
}

/**
 * `total` messages, dealt round-robin to the participants, each sending a few at a time into
 * a random channel it may write, every one with a unique clientMsgId, until each is acked.
 * `progress` is told the acked count after each ack (the fault injector watches it).
 */
export async function runTraffic(
  participants: Participant[],
  total: number,
  opts: {
    perParticipant?: number;
    deadlineMs?: number;
    progress?: (acked: number) => void;
    /** Awaited before each send starts (lets the fault injector keep up). */
    permit?: () => Promise<void>;
    /** A permit that found nothing left to send. */
    unpermit?: () => void;
  } = {},
): Promise<TrafficResult> {
  const started = Date.now();
  const deadline = started + (opts.deadlineMs ?? 240_000);
  const run = randomBytes(3).toString('hex');
  const queues = participants.map(() => [] as SentRecord[]);
  const records: SentRecord[] = [];
  for (let i = 0; i < total; i++) {
    const p = participants[i % participants.length]!;
    const channel = p.writable[Math.floor(Math.random() * p.writable.length)] as Channel;
    const record: SentRecord = {
      disputeId: p.disputeId,
      authorId: p.userId,
      clientMsgId: `chaos-${run}-${i}`,
      channel,
      acked: null,
    };
    queues[i % participants.length]!.push(record);
    records.push(record);
  }
  let acked = 0;
  await Promise.all(
    participants.map(async (p, i) => {
      const queue = queues[i]!;
      const workers = Array.from({ length: opts.perParticipant ?? 3 }, async () => {
        while (queue.length) {
          await opts.permit?.();
          const r = queue.shift();
          if (!r) return opts.unpermit?.();
          await p.send(r, deadline);
          acked += 1;
          opts.progress?.(acked);
        }
      });
      await Promise.all(workers);
    }),
  );
  return { records, durationMs: Date.now() - started };
}

/**
 * Acked count for the fault injector, which waits for `acked` to reach each moment. Senders are
 * held back only when they run more than `slack` messages past a fault that has not happened
 * yet (the restart before it took long), so every planned fault lands mid-traffic.
 */
export class Progress {
  acked = 0;
  started = 0;
  done = false;
  faults = 0;
  private waiters: { n: number; resolve: () => void }[] = [];
  private held: (() => void)[] = [];

  constructor(
    private readonly moments: number[] = [],
    private readonly slack = 20,
  ) {}

  permit = async (): Promise<void> => {
    for (;;) {
      const next = this.moments[this.faults];
      if (next === undefined || this.started < next + this.slack) break;
      await new Promise<void>((resolve) => this.held.push(resolve));
    }
    this.started += 1;
  };

  unpermit = (): void => {
    this.started -= 1;
  };

  /** A fault has been injected: senders held for it go on. */
  faulted(): void {
    this.faults += 1;
    for (const resolve of this.held.splice(0)) resolve();
  }

  update = (acked: number) => {
    this.acked = acked;
    this.waiters = this.waiters.filter((w) => (w.n <= acked ? (w.resolve(), false) : true));
  };

  finish() {
    this.done = true;
    for (const resolve of this.held.splice(0)) resolve();
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }

  reach(n: number): Promise<void> {
    if (this.done || this.acked >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}

/** `k` random moments spread over the run, as fractions of the messages acked. */
export function randomMoments(k: number): number[] {
  return Array.from({ length: k }, (_, i) => {
    const slot = 0.8 / k;
    return 0.1 + i * slot + Math.random() * slot * 0.8;
  });
}

/**
 * The end checks of every scenario, against the database and what each participant holds
 * after a final backfill. Returns a list of problems (empty when all is well).
 */
export async function verifyOutcome(
  db: Db,
  participants: Participant[],
  records: SentRecord[],
): Promise<{ problems: string[]; stored: number; channels: number }> {
  const problems: string[] = [];
  // Final backfill: each participant re-joins from what it holds and merges.
  await Promise.all(
    participants.map(async (p) => {
      const deadline = Date.now() + 30_000;
      while (!p.socket.connected && Date.now() < deadline) await sleep(100);
      if (!p.socket.connected) problems.push(`${p.name}: not connected for the final backfill`);
      await p.resync();
    }),
  );

  const disputeIds = [...new Set(participants.map((p) => p.disputeId))];
  const docs = await db
    .collection<MessageDoc>('messages')
    .find({ disputeId: { $in: disputeIds } })
    .toArray();

  // (1) each sent message exactly once, (2) every acked one stored as acked.
  const byIdem = new Map<string, MessageDoc[]>();
  for (const d of docs) byIdem.set(d.idemKey, [...(byIdem.get(d.idemKey) ?? []), d]);
  for (const r of records) {
    const key = `${r.disputeId}:${r.authorId}:${r.clientMsgId}`;
    const found = byIdem.get(key) ?? [];
    if (found.length !== 1) problems.push(`${key} stored ${found.length} times`);
    if (!r.acked) problems.push(`${key} never acked`);
    else if (found[0] && (found[0]._id !== r.acked.id || found[0].hash !== r.acked.hash))
      problems.push(`${key} acked as ${r.acked.id} but stored as ${found[0]._id}`);
  }
  const sentKeys = new Set(records.map((r) => `${r.disputeId}:${r.authorId}:${r.clientMsgId}`));
  const ours = docs.filter((d) => d.clientMsgId?.startsWith('chaos-'));
  if (ours.length !== records.length) problems.push(`${ours.length} stored of ${records.length}`);
  for (const d of ours) if (!sentKeys.has(d.idemKey)) problems.push(`unexpected ${d.idemKey}`);

  // (4) each channel gap-free from 1 and its hash chain intact.
  const byChannel = new Map<string, MessageDoc[]>();
  for (const d of docs) {
    const key = `${d.disputeId}:${d.channel}`;
    byChannel.set(key, [...(byChannel.get(key) ?? []), d]);
  }
  for (const [key, list] of byChannel) {
    list.sort((a, b) => a.seq - b.seq);
    const check = verifyChain(list[0]!.channel, list.map(chainEntryOf));
    if (!check.verified) problems.push(`${key}: chain broken at ${check.brokenAt}`);
  }

  // (3) every reader holds exactly 1..head of each channel it may read, nothing else.
  for (const p of participants) {
    if (p.conflicts.length) problems.push(`${p.name}: conflicting entries ${p.conflicts}`);
    if (p.leaks.length) problems.push(`${p.name}: received unreadable ${p.leaks}`);
    for (const c of p.held.keys())
      if (!p.readable.includes(c)) problems.push(`${p.name} holds ${c}`);
    for (const c of p.readable) {
      const stored = byChannel.get(`${p.disputeId}:${c}`) ?? [];
      const held = p.held.get(c) ?? new Map();
      const seqs = [...held.keys()].sort((a, b) => a - b);
      const ok =
        seqs.length === stored.length &&
        seqs.every((s, i) => s === i + 1 && held.get(s)!.id === stored[i]!._id);
      if (!ok)
        problems.push(
          `${p.name} ${c}: holds ${seqs.length} (contiguous ${p.contiguous(c)}) of ${stored.length}`,
        );
    }
  }
  return { problems, stored: docs.length, channels: byChannel.size };
}

export function totals(participants: Participant[]): Stats {
  const sum = noStats();
  for (const p of participants) {
    for (const k of [
      'attempts',
      'retries',
      'timeouts',
      'redelivered',
      'holes',
      'joins',
      'reconnects',
    ] as const)
      sum[k] += p.stats[k];
    for (const [code, n] of Object.entries(p.stats.errors))
      sum.errors[code] = (sum.errors[code] ?? 0) + n;
  }
  return sum;
}

/** Removes a test's keys from a shared Redis. */
export async function dropRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // best effort
  } finally {
    redis.disconnect();
  }
}
