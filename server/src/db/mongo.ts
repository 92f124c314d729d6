import mongoose, { type Connection } from 'mongoose';
import { DatabaseUnavailableError, withoutCredentials } from './errors.js';

// Filters are built from zod-validated values only (ids match a strict pattern), so no
// caller-supplied object ever reaches a query as an operator.
mongoose.set('strictQuery', true);
// Mongoose captures a stack trace on every query only to name the first execution when one
// is run twice (which we never do): building it was ~4 % of a join-heavy server's time.
mongoose.set('skipOriginalStackTraces', true);

export interface MongoOptions {
  uri: string;
  dbName: string;
}

/**
 * One connection per server instance (not the global mongoose), so that tests can
 * run several instances, each with its own pool, inside one process.
 */
export async function connectMongo({ uri, dbName }: MongoOptions): Promise<Connection> {
  const conn = mongoose.createConnection(uri, {
    dbName,
    // Fail fast during an outage instead of queueing commands behind the scenes.
    bufferCommands: false,
    serverSelectionTimeoutMS: 5_000,
    connectTimeoutMS: 5_000,
    socketTimeoutMS: 30_000,
    heartbeatFrequencyMS: 2_000,
    maxPoolSize: 50,
    minPoolSize: 2,
    autoIndex: false,
    autoCreate: true,
  });
  try {
    await conn.asPromise();
  } catch (err) {
    if (!(err instanceof mongoose.Error.MongooseServerSelectionError)) throw err;
    throw new DatabaseUnavailableError(
      `the database at ${withoutCredentials(uri)} cannot be reached: ${err.message}`,
    );
  }
  return conn;
}

/** Creates every model's indexes. Run once at start; cheap when they already exist. */
export async function ensureIndexes(conn: Connection): Promise<void> {
  for (const model of Object.values(conn.models)) {
    await model.createCollection().catch(() => undefined);
    await model.createIndexes();
  }
}

/** FerretDB answers buildInfo with `ferretdbVersion` (and `ferretdbFeatures`); MongoDB does not. */
export async function detectFlavor(conn: Connection): Promise<'mongodb' | 'ferretdb'> {
  const info = await conn.db!.admin().command({ buildInfo: 1 });
  return Object.keys(info).some((k) => k.startsWith('ferretdb')) ? 'ferretdb' : 'mongodb';
}

export async function pingMongo(conn: Connection, timeoutMs = 2_000): Promise<boolean> {
  const db = conn.db;
  if (!db || conn.readyState !== 1) return false;
  try {
    await Promise.race([
      db.command({ ping: 1 }),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs)),
    ]);
    return true;
  } catch {
    return false;
  }
}

/** E11000: the one atomic decision both FerretDB and MongoDB give us. */
export function isDuplicateKey(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    (err as { code: unknown }).code === 11000
  );
}

/**
 * An upsert two writers may race on. FerretDB's upsert is a read then an insert, so both can
 * try the insert and the loser gets E11000 (MongoDB can do the same); the loser's write is then
 * applied to the document the winner made. `write(upsert)` is the one write, both times.
 */
export async function upsertRacing(write: (upsert: boolean) => Promise<unknown>): Promise<void> {
  try {
    await write(true);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    await write(false);
  }
}

/** The write errors of an unordered bulk insert, one or many as the drivers report them. */
export function writeErrorsOf(err: unknown): { code?: number }[] {
  const raw = (err as { writeErrors?: { code?: number }[] | { code?: number } }).writeErrors;
  return Array.isArray(raw) ? raw : raw ? [raw] : [];
}

/**
 * Inserts those of `docs` whose unique keys are new (unordered: one duplicate does not stop
 * the rest); anything but duplicates fails. Returns how many were already there.
 */
export async function insertNew(
  collection: { insertMany(docs: never[], opts: { ordered: false }): Promise<unknown> },
  docs: object[],
): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    await collection.insertMany(docs as never[], { ordered: false });
    return 0;
  } catch (err) {
    const errors = writeErrorsOf(err);
    if (errors.length === 0 && isDuplicateKey(err)) return 1;
    if (errors.length === 0 || !errors.every((e) => e.code === 11000)) throw err;
    return errors.length;
  }
}

/**
 * Empties a collection for a rebuild: dropped and its indexes made again. FerretDB deletes
 * `{}` by listing every `_id` in one statement, which fails past 65,535 documents.
 */
export async function emptyCollection(model: {
  collection: { drop(): Promise<unknown> };
  createIndexes(): Promise<unknown>;
}): Promise<void> {
  await model.collection.drop().catch((err: unknown) => {
    // Nothing to drop is what we wanted.
    if ((err as { codeName?: string }).codeName !== 'NamespaceNotFound') throw err;
  });
  await model.createIndexes();
}
