import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GridFSBucket, MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { isDuplicateKey, upsertRacing } from '../src/db/mongo.js';
import { psql } from '../src/db/postgres.js';
import { uniqueDbName } from './harness.js';

/**
 * What the rest of the code relies on from the database, pinned against the
 * embedded FerretDB (and runnable against MongoDB via TEST_MONGODB_URI).
 */
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  client = new MongoClient(inject('mongoUri'), { maxPoolSize: 20 });
  await client.connect();
  db = client.db(uniqueDbName('compat'));
});

afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

describe('unique-key inserts decide races', () => {
  it('of concurrent inserts of one _id exactly one wins, the rest get E11000', async () => {
    const coll = db.collection<{ _id: string; by: number }>('race_id');
    for (let round = 0; round < 10; round++) {
      const _id = `dispute-1:joint:${round}`;
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, by) => coll.insertOne({ _id, by })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.every((r) => isDuplicateKey(r.reason))).toBe(true);
      expect(await coll.countDocuments({ _id })).toBe(1);
    }
  });

  it('a unique compound index rejects a second (a, b) pair, also under a race', async () => {
    const coll = db.collection('race_compound');
    await coll.createIndex({ disputeId: 1, userId: 1 }, { unique: true });
    await coll.insertOne({ disputeId: 'd1', userId: 'u1' });
    await coll.insertOne({ disputeId: 'd1', userId: 'u2' });
    await coll.insertOne({ disputeId: 'd2', userId: 'u1' });
    await expect(coll.insertOne({ disputeId: 'd1', userId: 'u1' })).rejects.toSatisfy(
      isDuplicateKey,
    );

    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => coll.insertOne({ disputeId: 'd3', userId: 'u9' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await coll.countDocuments({ disputeId: 'd3' })).toBe(1);
  });

  it('a unique single-field index also decides (used for idempotency keys)', async () => {
    const coll = db.collection('race_field');
    await coll.createIndex({ idemKey: 1 }, { unique: true });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        coll.insertOne({ _id: `m${i}` as never, idemKey: 'd1:u1:c1' }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});

describe('racing upserts', () => {
  it('concurrent first upserts of one _id: with upsertRacing none fails and the document is made', async () => {
    const coll = db.collection<{ _id: string; day: string }>('race_upsert');
    for (let round = 0; round < 10; round++) {
      const _id = `span-${round}`;
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () =>
          upsertRacing((upsert) => coll.replaceOne({ _id }, { day: '2026-12-02' }, { upsert })),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(await coll.findOne({ _id })).toMatchObject({ day: '2026-12-02' });
    }
  });
});

describe('queries and aggregation stages we use', () => {
  beforeAll(async () => {
    const coll = db.collection('disputes');
    await coll.insertMany(
      Array.from({ length: 30 }, (_, i) => ({
        _id: `d${String(i).padStart(2, '0')}` as never,
        state: ['open', 'mediation', 'resolved'][i % 3],
        kind: i % 2 ? 'settlement' : 'default',
        amount: i * 100,
        createdAt: new Date(Date.UTC(2026, 0, 1 + i)),
        title: `Logo design #${i}`,
      })),
    );
  });

  // FerretDB v1.24.2 computes only the FIRST accumulator of a $group stage (the others
  // come back 0), so our code uses exactly one accumulator per $group.
  it('$match + $group with one $sum (of a field, or of 1 for counts) + $sort', async () => {
    const coll = db.collection('disputes');
    const match = { $match: { state: { $in: ['open', 'resolved'] } } };
    const totals = await coll
      .aggregate([
        match,
        { $group: { _id: '$state', total: { $sum: '$amount' } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    const counts = await coll
      .aggregate([match, { $group: { _id: '$state', n: { $sum: 1 } } }, { $sort: { _id: -1 } }])
      .toArray();
    const sumOf = (is: number[]) => is.reduce((a, i) => a + i * 100, 0);
    expect(totals).toEqual([
      { _id: 'open', total: sumOf([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]) },
      { _id: 'resolved', total: sumOf([2, 5, 8, 11, 14, 17, 20, 23, 26, 29]) },
    ]);
    expect(counts).toEqual([
      { _id: 'resolved', n: 10 },
      { _id: 'open', n: 10 },
    ]);
  });

  it('$match on a date range, $project, $skip and $limit', async () => {
    const rows = await db
      .collection('disputes')
      .aggregate([
        {
          $match: {
            createdAt: {
              $gte: new Date(Date.UTC(2026, 0, 11)),
              $lt: new Date(Date.UTC(2026, 0, 21)),
            },
          },
        },
        { $sort: { createdAt: -1 } },
        { $skip: 2 },
        { $limit: 3 },
        { $project: { _id: 1, state: 1 } },
      ])
      .toArray();
    expect(rows.map((r) => r._id)).toEqual(['d17', 'd16', 'd15']);
    expect(Object.keys(rows[0] ?? {}).sort()).toEqual(['_id', 'state']);
  });

  it('escaped case-insensitive regex search and a range sort with limit', async () => {
    const found = await db
      .collection('disputes')
      .find({ title: { $regex: 'design #2\\d', $options: 'i' } })
      .sort({ _id: 1 })
      .toArray();
    expect(found.map((d) => d._id)).toEqual([
      'd20',
      'd21',
      'd22',
      'd23',
      'd24',
      'd25',
      'd26',
      'd27',
      'd28',
      'd29',
    ]);
  });

  it('$in over _id returns exactly the named documents', async () => {
    const found = await db
      .collection('disputes')
      .find({ _id: { $in: ['d01', 'd05', 'nope'] as never } })
      .toArray();
    expect(found.map((d) => d._id).sort()).toEqual(['d01', 'd05']);
  });
});

describe('GridFS', () => {
  it('round-trips bytes and their sha256 through upload and download', async () => {
    const bucket = new GridFSBucket(db, { bucketName: 'compat' });
    const bytes = randomBytes(1024 * 1024 + 123);
    const upload = bucket.openUploadStream('blob.bin', { chunkSizeBytes: 255 * 1024 });
    await pipeline(Readable.from([bytes]), upload);
    const chunks: Buffer[] = [];
    for await (const chunk of bucket.openDownloadStream(upload.id)) chunks.push(chunk as Buffer);
    const back = Buffer.concat(chunks);
    expect(back.length).toBe(bytes.length);
    expect(createHash('sha256').update(back).digest('hex')).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    );

    const ranged: Buffer[] = [];
    for await (const chunk of bucket.openDownloadStream(upload.id, {
      start: 300_000,
      end: 300_010,
    })) {
      ranged.push(chunk as Buffer);
    }
    expect(Buffer.concat(ranged)).toEqual(bytes.subarray(300_000, 300_010));
  });

  it('an aborted upload leaves no chunks behind', async () => {
    const bucket = new GridFSBucket(db, { bucketName: 'aborted' });
    const upload = bucket.openUploadStream('big.bin', { chunkSizeBytes: 64 * 1024 });
    await new Promise<void>((resolve, reject) =>
      upload.write(randomBytes(300 * 1024), (err) => (err ? reject(err) : resolve())),
    );
    await upload.abort();
    expect(await db.collection('aborted.chunks').countDocuments({ files_id: upload.id })).toBe(0);
    expect(await db.collection('aborted.files').countDocuments({ _id: upload.id })).toBe(0);
  });
});

describe('backend detection', () => {
  it('tells FerretDB from MongoDB by its buildInfo', async () => {
    const { detectFlavor } = await import('../src/db/mongo.js');
    const mongoose = (await import('mongoose')).default;
    const conn = await mongoose.createConnection(inject('mongoUri')).asPromise();
    try {
      const expected = process.env.TEST_MONGODB_URI ? 'mongodb' : 'ferretdb';
      expect(await detectFlavor(conn)).toBe(expected);
    } finally {
      await conn.close();
    }
  });
});

describe.runIf(inject('postgresqlUrl'))(
  'FerretDB on PostgreSQL: equality lookups can use an index',
  () => {
    // FerretDB pushes `{field: value}` down as `_jsonb->'field' @> value`, which the btrees it
    // builds cannot answer; the launcher gives each of them a GIN twin (ferretdb/lookup_indexes.go).
    it('a new collection and each single-field index get a GIN twin that the pushed-down filter uses', async () => {
      const coll = db.collection<{ _id: string; ref: string }>('lookup_probe');
      await coll.createIndex({ ref: 1 });
      await coll.insertMany(
        Array.from({ length: 500 }, (_, i) => ({ _id: `p${i}`, ref: `r${i % 50}` })),
      );
      const url = inject('postgresqlUrl');
      const table = psql(
        url,
        `SELECT _jsonb->>'table' FROM "${db.databaseName}"._ferretdb_database_metadata WHERE _jsonb->>'_id' = 'lookup_probe'`,
      );
      expect(table).toMatch(/^lookup_probe_/);
      const gin = psql(
        url,
        `SELECT string_agg(indexdef, ' | ' ORDER BY indexdef) FROM pg_indexes WHERE schemaname = '${db.databaseName}' AND tablename = '${table}' AND indexdef LIKE '%USING gin%'`,
      );
      expect(gin).toContain(`(_jsonb -> '_id'::text)`);
      expect(gin).toContain(`(_jsonb -> 'ref'::text)`);
      // No pending list: a lookup never scans entries waiting for a vacuum.
      expect(gin.split(' | ').every((def) => def.includes('WITH (fastupdate=off)'))).toBe(true);
      // The statement FerretDB sends for findOne({_id}), with the key bound (a custom plan).
      const plan = psql(
        url,
        `SET enable_seqscan = off; EXPLAIN SELECT _jsonb FROM "${db.databaseName}"."${table}" WHERE _jsonb->'_id' @> '"p7"'`,
      );
      expect(plan).toMatch(/Index Scan on \S+_gin/);
      expect(psql(url, 'SHOW plan_cache_mode')).toBe('force_custom_plan');
      expect(await coll.findOne({ _id: 'p7' })).toEqual({ _id: 'p7', ref: 'r7' });
    });

    it('a compound index gets one GIN over all its fields, so a filter on both reads only rows with both', async () => {
      const coll = db.collection<{ _id: string; word: string; day: string }>('lookup_pairs');
      await coll.createIndex({ word: 1, day: 1 });
      await coll.insertMany(
        Array.from({ length: 600 }, (_, i) => ({
          _id: `q${i}`,
          word: `w${i % 3}`,
          day: `d${i % 40}`,
        })),
      );
      const url = inject('postgresqlUrl');
      const table = psql(
        url,
        `SELECT _jsonb->>'table' FROM "${db.databaseName}"._ferretdb_database_metadata WHERE _jsonb->>'_id' = 'lookup_pairs'`,
      );
      const plan = psql(
        url,
        `SET enable_seqscan = off; EXPLAIN SELECT _jsonb FROM "${db.databaseName}"."${table}" WHERE _jsonb->'word' @> '"w1"' AND _jsonb->'day' @> '"d7"'`,
      );
      // Both conditions answered by the index itself (not one of them, then a filter).
      expect(plan).toMatch(/Bitmap Index Scan on \S+_ginc/);
      expect(plan).toMatch(/Index Cond: .*'word'.*'day'/);
      expect(await coll.countDocuments({ word: 'w1', day: 'd7' })).toBe(
        Array.from({ length: 600 }, (_, i) => i).filter((i) => i % 3 === 1 && i % 40 === 7).length,
      );
    });
  },
);
