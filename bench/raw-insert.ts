import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { WARMUP_MS, emitLine, nowMs, onCommands, summarize } from './lib.ts';

// The storage ceiling: the raw driver inserting message-sized documents with the same
// indexes and concurrency as the full path, into the same database.
onCommands(
  async (cmd: {
    uri: string;
    db: string;
    concurrency: number;
    durationMs: number;
    rate?: number;
  }) => {
    const client = new MongoClient(cmd.uri, { maxPoolSize: Math.max(10, cmd.concurrency) });
    await client.connect();
    const coll = client.db(cmd.db).collection('bench_raw_messages');
    await coll.createIndex({ idemKey: 1 }, { unique: true });
    await coll.createIndex({ disputeId: 1 });
    await coll.createIndex({ bucket: 1 });
    const latencies: number[] = [];
    const sampleFrom = nowMs() + WARMUP_MS;
    let inserted = 0;
    const deadline = nowMs() + cmd.durationMs;
    const one = async (worker: number, i: number) => {
      const t0 = nowMs();
      await coll.insertOne({
        _id: `${worker}_${i}_${randomUUID()}` as never,
        disputeId: `d${worker % 50}`,
        channel: 'joint',
        seq: i,
        kind: 'text',
        authorId: 'u1',
        text: `t:${t0}`,
        body: `t:${t0}`,
        idemKey: randomUUID(),
        createdAt: new Date(),
        hash: 'f'.repeat(64),
        prevHash: 'e'.repeat(64),
        bucket: `d${worker % 50}_j_b${Math.floor(i / 64)}`,
      });
      if (t0 >= sampleFrom) latencies.push(nowMs() - t0);
      inserted++;
    };
    if (cmd.rate) {
      // Open loop at a fixed rate, for the latency-at-half-load comparison.
      let i = 0;
      const pending: Promise<void>[] = [];
      const interval = 1000 / cmd.rate;
      const start = nowMs();
      while (nowMs() < deadline) {
        pending.push(one(0, i++));
        const wait = start + i * interval - nowMs();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      await Promise.all(pending);
    } else {
      await Promise.all(
        Array.from({ length: cmd.concurrency }, async (_, w) => {
          for (let i = 0; nowMs() < deadline; i++) await one(w, i);
        }),
      );
    }
    emitLine({
      inserted,
      perSec: (inserted / cmd.durationMs) * 1000,
      latency: summarize(latencies),
    });
    await client.db(cmd.db).collection('bench_raw_messages').drop();
    await client.close();
    process.exit(0);
  },
);
