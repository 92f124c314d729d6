import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  Api,
  cpuMsOf,
  cpuMsOfCommand,
  listenOverflows,
  machineCpuMs,
  nowMs,
  say,
  spawnTs,
  summarize,
  type Proc,
} from './lib.ts';
import type { Seat } from './load.ts';

/**
 * The reconnect storm: `sockets` sockets joined to their disputes on one instance, whose
 * server process is then killed (kill -9) and started again on the same port. While it is
 * down one message per dispute is sent through a second instance; each socket must
 * reconnect (with the web client's jittered backoff), rejoin, and get that message in its
 * rejoin's backfill. Measures how long until the last one has, and what was lost or came twice.
 */

export interface StormOptions {
  sockets: number;
  disputes: number;
  /** All caught up within this long after the restarted server answers. */
  targetMs: number;
  makeDisputes(n: number, tag: string): Promise<Seat[][]>;
  /** Resolves once the follow-up jobs of the filings are done (ms waited). */
  settle(): Promise<number>;
  /** A server instance; `port` fixed for the one that is restarted. */
  startApp(port?: number): Promise<{ proc: Proc; url: string }>;
  /** FerretDB's process, for the split of the machine's CPU time during the storm. */
  ferretPid: number;
  procs: Proc[];
}

interface Storm {
  sockets: number;
  reconnectedAt: (number | null)[];
  rejoinedAt: (number | null)[];
  caughtUpAt: (number | null)[];
  lost: number;
  duplicates: number;
  joinFailures: Record<string, number>;
}

const here = import.meta.dirname;
const CORES = availableParallelism();

export async function stormBench(opts: StormOptions) {
  const a = await opts.startApp();
  opts.procs.push(a.proc);
  const port = Number(new URL(a.url).port);
  say(`storm: ${opts.disputes} disputes × 3 participants`);
  const groups = await opts.makeDisputes(opts.disputes, 'storm');
  const seats = groups.flat();
  // Filing them queued their follow-ups (rollups, search words, notifications, webhooks): the
  // storm is timed after those, not sharing the machine with the setup's backlog.
  const settledMs = await opts.settle();
  say(`storm: the filings' follow-up jobs done after ${Math.round(settledMs)} ms`);
  // Two generators: one process holds 5,000 sockets but spends its only core on them.
  const holders = [spawnTs(join(here, 'storm-load.ts')), spawnTs(join(here, 'storm-load.ts'))];
  opts.procs.push(...holders);
  say(`storm: ${opts.sockets} sockets connecting and joining`);
  const t0 = nowMs();
  holders.forEach((h, i) =>
    h.send({
      mode: 'hold',
      url: a.url,
      // Every seat in both halves: sockets of one dispute sit in both processes.
      seats: i ? [...seats].reverse() : seats,
      count: Math.floor(opts.sockets / 2) + (i === 0 ? opts.sockets % 2 : 0),
      concurrency: 100,
    }),
  );
  await Promise.all(holders.map((h) => h.next()));
  const holdMs = nowMs() - t0;
  say(
    `storm: all joined in ${Math.round(holdMs)} ms (${Math.round((opts.sockets / holdMs) * 1000)}/s)`,
  );

  // The instance that stays up, for the messages sent during the outage.
  const b = await opts.startApp();
  opts.procs.push(b.proc);
  const senders = groups.map((g) => {
    const api = new Api(b.url);
    api.token = g[0]!.token;
    return { api, disputeId: g[0]!.disputeId };
  });

  say('storm: kill -9 of the server holding them');
  const killedAt = nowMs();
  a.proc.child.kill('SIGKILL');
  await new Promise((r) => a.proc.child.once('exit', r));
  const messages: Record<string, string> = {};
  await Promise.all(
    senders.map(async ({ api, disputeId }) => {
      const { message } = await api.req<{ message: { id: string } }>(
        'POST',
        `/api/disputes/${disputeId}/messages`,
        { channel: 'joint', body: 'sent while the server was down', clientMsgId: randomUUID() },
      );
      messages[disputeId] = message.id;
    }),
  );
  for (const h of holders) h.send({ mode: 'expect', messages });
  await Promise.all(holders.map((h) => h.next()));
  const outageMs = nowMs() - killedAt;

  say(`storm: ${senders.length} messages sent through the other instance; starting it again`);
  const restartAt = nowMs();
  const again = await opts.startApp(port);
  opts.procs.push(again.proc);
  const upAt = nowMs();
  // Where the machine's time goes while they come back: the restarted server, the
  // generators (the clients' side), FerretDB, PostgreSQL under it, Redis, the other instance
  // (which answers every cross-instance question a join asks), and whatever else ran.
  const cpu = () => ({
    machine: machineCpuMs(),
    server: cpuMsOf(again.proc.child.pid!),
    generators: holders.reduce((n, h) => n + cpuMsOf(h.child.pid!), 0),
    ferretdb: cpuMsOf(opts.ferretPid),
    postgresql: cpuMsOfCommand('postgres'),
    redis: cpuMsOfCommand('redis-server'),
    otherInstance: cpuMsOf(b.proc.child.pid!),
  });
  const cpu0 = cpu();
  const overflows0 = listenOverflows();
  for (const h of holders) h.send({ mode: 'await', deadline: upAt + 60_000 });
  const parts = await Promise.all(holders.map((h) => h.next<Storm>()));
  const cpu1 = cpu();
  const acceptQueueOverflows = listenOverflows() - overflows0;
  const serverCpuMs = cpu1.server - cpu0.server;
  for (const h of holders) h.send({ mode: 'exit' });
  await b.proc.stop();

  const all = (k: 'reconnectedAt' | 'rejoinedAt' | 'caughtUpAt') =>
    parts
      .flatMap((p) => p[k])
      .filter((t): t is number => t !== null)
      .map((t) => t - upAt);
  const reconnected = all('reconnectedAt');
  const rejoined = all('rejoinedAt');
  const caughtUp = all('caughtUpAt');
  const last = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN);
  const everyone = caughtUp.length === opts.sockets && rejoined.length === opts.sockets;
  const joinFailures: Record<string, number> = {};
  for (const p of parts)
    for (const [code, n] of Object.entries(p.joinFailures))
      joinFailures[code] = (joinFailures[code] ?? 0) + n;
  const result = {
    sockets: opts.sockets,
    disputes: opts.disputes,
    initialJoin: { ms: holdMs, perSec: (opts.sockets / holdMs) * 1000 },
    outageMs,
    bootMs: upAt - restartAt,
    // Times from the restarted server answering its health check (ms).
    reconnected: { count: reconnected.length, ...summarize(reconnected), last: last(reconnected) },
    rejoined: { count: rejoined.length, ...summarize(rejoined), last: last(rejoined) },
    caughtUp: { count: caughtUp.length, ...summarize(caughtUp), last: last(caughtUp) },
    allCaughtUpMs: everyone ? last(caughtUp) : NaN,
    fromKillMs: everyone ? last(caughtUp) + (upAt - killedAt) : NaN,
    rejoinsPerSec: rejoined.length / ((last(rejoined) - Math.min(...rejoined)) / 1000),
    lost: parts.reduce((n, p) => n + p.lost, 0),
    duplicates: parts.reduce((n, p) => n + p.duplicates, 0),
    joinFailures,
    /** Handshakes the kernel dropped meanwhile for a full accept queue (machine-wide). */
    acceptQueueOverflows,
    serverCpuMsPerRejoin: serverCpuMs / Math.max(1, rejoined.length),
    /** CPU ms per rejoin, by process; `rest` is everything else the machine did meanwhile. */
    cpuMsPerRejoin: ((d) => {
      const per = (ms: number) => Math.round((ms / Math.max(1, rejoined.length)) * 100) / 100;
      const named = d.server + d.generators + d.ferretdb + d.postgresql + d.redis + d.otherInstance;
      return {
        server: per(d.server),
        generators: per(d.generators),
        ferretdb: per(d.ferretdb),
        postgresql: per(d.postgresql),
        redis: per(d.redis),
        otherInstance: per(d.otherInstance),
        rest: per(d.machine - named),
        machineBusyShare: Math.round((d.machine / (d.wallMs * CORES)) * 100) / 100,
      };
    })({
      machine: cpu1.machine - cpu0.machine,
      server: serverCpuMs,
      generators: cpu1.generators - cpu0.generators,
      ferretdb: cpu1.ferretdb - cpu0.ferretdb,
      postgresql: cpu1.postgresql - cpu0.postgresql,
      redis: cpu1.redis - cpu0.redis,
      otherInstance: cpu1.otherInstance - cpu0.otherInstance,
      wallMs: nowMs() - upAt,
    }),
    met: everyone && last(caughtUp) <= opts.targetMs,
  };
  result.met = result.met && result.lost === 0 && result.duplicates === 0;
  return result;
}
