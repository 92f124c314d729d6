import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbeddedFerret, type FerretHandler } from '@dispute-room/server/src/db/embedded.ts';
import { ensurePostgresDatabase } from '@dispute-room/server/src/db/postgres.ts';

/**
 * The same small workload on FerretDB's SQLite and PostgreSQL handlers, side by side:
 * concurrent inserts, primary-key reads, equality queries on a field, an aggregation.
 */
const PG_URL = process.env.FERRETDB_POSTGRESQL_URL ?? 'postgres://postgres@127.0.0.1:5432/ferretdb';

async function timed(label: string, ops: number, run: () => Promise<void>) {
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  return { label, ops, ms: Math.round(ms), perSec: Math.round((ops / ms) * 1000) };
}

async function pool<T>(items: T[], concurrency: number, task: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

export async function handlerWorkload(handler: FerretHandler, n = 2000) {
  if (handler === 'postgresql' && !ensurePostgresDatabase(PG_URL))
    throw new Error(`PostgreSQL at ${PG_URL} is not reachable`);
  const dataDir = mkdtempSync(join(tmpdir(), `bench-${handler}-`));
  const ferret = await startEmbeddedFerret({ handler, dataDir, postgresqlUrl: PG_URL });
  const client = new MongoClient(ferret.uri, { maxPoolSize: 32 });
  try {
    await client.connect();
    const db = client.db(`bench_${handler}_${Date.now()}`);
    const coll = db.collection<{ _id: string; disputeId: string; seq: number; body: string }>(
      'messages',
    );
    await coll.createIndex({ disputeId: 1 });
    const ids = Array.from({ length: n }, (_, i) => i);
    const rows = [
      await timed('insert (16 concurrent)', n, () =>
        pool(ids, 16, (i) =>
          coll.insertOne({
            _id: `d${i % 20}_j_${i}`,
            disputeId: `d${i % 20}`,
            seq: i,
            body: 'x'.repeat(200),
          }),
        ),
      ),
      await timed('find by _id (16 concurrent)', n, () =>
        pool(ids, 16, (i) => coll.findOne({ _id: `d${i % 20}_j_${i}` })),
      ),
      await timed('find by field equality', 100, () =>
        pool(ids.slice(0, 100), 4, (i) => coll.find({ disputeId: `d${i % 20}` }).toArray()),
      ),
      await timed('aggregate $match+$group', 20, () =>
        pool(ids.slice(0, 20), 2, () =>
          coll
            .aggregate([
              { $match: { seq: { $gte: 100 } } },
              { $group: { _id: '$disputeId', n: { $sum: 1 } } },
            ])
            .toArray(),
        ),
      ),
    ];
    await db.dropDatabase();
    return rows;
  } finally {
    await client.close();
    await ferret.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const handler of ['sqlite', 'postgresql'] as const) {
    console.log(`\n${handler}`);
    console.table(await handlerWorkload(handler));
  }
}
