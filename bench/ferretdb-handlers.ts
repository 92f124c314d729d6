import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GridFSBucket, MongoClient, type Db, type ObjectId } from 'mongodb';
import { startEmbeddedFerret, type FerretHandler } from '@dispute-room/server/src/db/embedded.ts';

/**
 * The same small workload on FerretDB's SQLite and PostgreSQL handlers, side by side:
 * concurrent inserts, primary-key reads, equality queries on a field, an aggregation.
 */
const PG_URL =
  process.env.FERRETDB_POSTGRESQL_URL ??
  'postgres://postgres@127.0.0.1:5432/ferretdb?sslmode=disable';

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

/** 100-byte range reads of one file while 32 MiB of files are stored (evidence downloads). */
async function gridfsRangeReads(db: Db) {
  const bucket = new GridFSBucket(db);
  const ids: ObjectId[] = [];
  for (let f = 0; f < 8; f++) {
    const upload = bucket.openUploadStream(`evidence-${f}.bin`);
    await pipeline(Readable.from([randomBytes(4 * 2 ** 20)]), upload);
    ids.push(upload.id);
  }
  return timed('GridFS 100-byte range read, 32 MiB stored', 5, async () => {
    for (let k = 0; k < 5; k++) {
      const start = 2 ** 20 + k * 1000;
      const stream = bucket.openDownloadStream(ids[k % ids.length]!, { start, end: start + 100 });
      for await (const _ of stream) void _;
    }
  });
}

/**
 * `stored` documents first (in batches, as group commit writes them), then the operations
 * timed against a collection of that size: scale matters, because a lookup that is not
 * served by an index grows with the collection.
 */
export async function handlerWorkload(handler: FerretHandler, stored = 20_000, lookups = 2_000) {
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
    const doc = (i: number) => ({
      _id: `d${i % 20}_j_${i}`,
      disputeId: `d${i % 20}`,
      seq: i,
      body: 'x'.repeat(200),
    });
    const batches = Array.from({ length: Math.ceil(stored / 64) }, (_, b) => b);
    const ids = Array.from({ length: lookups }, (_, k) => k);
    const rows = [
      await timed(`insertMany of 64 (4 concurrent), up to ${stored} docs`, stored, () =>
        pool(batches, 4, (b) =>
          coll.insertMany(
            Array.from({ length: Math.min(64, stored - b * 64) }, (_, k) => doc(b * 64 + k)),
          ),
        ),
      ),
      // The launcher indexes a new SQLite table's `_id` lookups within 2 s of its creation
      // (ferretdb/sqlite_lookup_indexes.go): time what follows in that steady state.
      await new Promise((r) => setTimeout(r, 2_500)).then(() =>
        timed('insertOne (16 concurrent)', lookups, () =>
          pool(ids, 16, (k) => coll.insertOne(doc(stored + k))),
        ),
      ),
      await timed(`find by _id in ${stored} (16 concurrent)`, lookups, () =>
        pool(ids, 16, (k) => coll.findOne({ _id: doc((k * 7919) % stored)._id })),
      ),
      await timed('find by field equality', 10, () =>
        pool(ids.slice(0, 10), 2, (k) => coll.find({ disputeId: `d${k % 20}` }).toArray()),
      ),
      await timed('aggregate $match+$group', 4, () =>
        pool(ids.slice(0, 4), 2, () =>
          coll
            .aggregate([
              { $match: { seq: { $gte: 100 } } },
              { $group: { _id: '$disputeId', n: { $sum: 1 } } },
            ])
            .toArray(),
        ),
      ),
      await gridfsRangeReads(db),
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
    console.table(await handlerWorkload(handler, Number(process.env.BENCH_STORED ?? 20_000)));
  }
}
