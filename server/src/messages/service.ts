// Why one file of ~550 lines: ChannelLog is one mechanism (group commit, the heads every
// append and join walks from, read positions, the entry cache and what instances announce to
// each other), and its parts share private state that must change together; split, each piece
// would need the others' internals.
import { LRUCache } from 'lru-cache';
import type { Model } from 'mongoose';
import pMap from 'p-map';
import {
  GENESIS_HASH,
  type Channel,
  type Message,
  type MessageKind,
  type SystemEvent,
} from '@dispute-room/shared';
import type { Context } from '../context.js';
import type { EventBus } from '../events/bus.js';
import { isDuplicateKey, writeErrorsOf } from '../db/mongo.js';
import { AppError } from '../http/errors.js';
import { chainEntryOf, chainHash, verifyChain, type ChainCheck } from './chain.js';
import {
  BUCKET_SIZE,
  bucketKey,
  headKey,
  messageKey,
  messageModels,
  type HeadDoc,
  type MessageDoc,
} from './model.js';
import { ReadPositions, type ReadPosition } from './reads.js';

export interface NewEntry {
  disputeId: string;
  channel: Channel;
  kind: MessageKind;
  authorId: string | null;
  authorRole: string | null;
  body: string;
  idemKey: string;
  clientMsgId?: string | null;
  evidenceIds?: string[];
  evidenceSha256?: string[];
  proposalId?: string | null;
  event?: SystemEvent | null;
  editOf?: string | null;
}

interface Head {
  seq: number;
  hash: string;
}

/** What an instance announces every second: heads it stored entries up to, reads that moved. */
export interface LogAdvance {
  heads: { key: string; seq: number; hash: string }[];
  reads: ReadPosition[];
}

const hasDuplicateWriteError = (err: unknown) => writeErrorsOf(err).some((e) => e.code === 11000);

export function toMessage(doc: MessageDoc): Message {
  return {
    id: doc._id,
    disputeId: doc.disputeId,
    channel: doc.channel,
    seq: doc.seq,
    kind: doc.kind,
    authorId: doc.authorId,
    authorRole: doc.authorRole,
    body: doc.body,
    originalBody: doc.editedAt ? doc.text : null,
    evidenceIds: doc.evidenceIds,
    proposalId: doc.proposalId,
    event: doc.event,
    editOf: doc.editOf,
    clientMsgId: doc.clientMsgId,
    createdAt: doc.createdAt.toISOString(),
    editedAt: doc.editedAt?.toISOString() ?? null,
    hash: doc.hash,
    prevHash: doc.prevHash,
  };
}

const HEAD_CACHE_MAX = 100_000;
/** Most entries written in one insert (group commit). */
const MAX_BATCH = 256;
/** How often this instance tells the others which heads and read positions moved. */
const ANNOUNCE_MS = 1_000;
/** How often coalesced head hints and read positions are written to the database. */
const FLUSH_MS = 5_000;
/** Head hints written at once during a flush (message inserts keep their turn). */
const FLUSH_CONCURRENCY = 4;
/** Recent entries kept per instance, so backfill is served mostly from memory. */
const ENTRY_CACHE_MAX = 50_000;

interface Pending {
  entry: NewEntry;
  resolve: (result: { doc: MessageDoc; created: boolean }) => void;
  reject: (err: unknown) => void;
}

/**
 * Each channel of a dispute is an append-only log with a gap-free seq and a hash chain.
 * A seq is taken by inserting `_id = <dispute>_<channel>_<seq>`: the unique key decides
 * races between instances. Inside one instance appends queue up while an insert is running
 * and are then written together (group commit: one ordered insertMany across channels; each
 * entry acked only once it is stored). Idempotency rides on the unique `idemKey`.
 */
export class ChannelLog {
  readonly models: ReturnType<typeof messageModels>;
  readonly readPositions: ReadPositions;
  /**
   * Heads this instance has stored, read or been told of. Always a lower bound of the true
   * head (entries are never removed), so every use walks forward from it with a probe.
   */
  private readonly heads = new LRUCache<string, Head>({ max: HEAD_CACHE_MAX });
  /** Probes asked for but not yet sent, shared by everyone who asks before they leave. */
  private readonly queuedProbes = new Map<string, Promise<Head>>();
  private readonly pending: Pending[] = [];
  private committing = false;
  /** Heads stored since the last database flush, and since the last announcement. */
  private readonly dirtyHeads = new Map<string, Head>();
  private readonly unannounced = new Map<string, Head>();
  private readonly timers: NodeJS.Timeout[];
  private readonly entries = new LRUCache<string, MessageDoc>({ max: ENTRY_CACHE_MAX });

  constructor(
    private readonly ctx: Context,
    private readonly events: EventBus,
  ) {
    this.models = messageModels(ctx.conn);
    this.readPositions = new ReadPositions(this.models.reads, ctx.log);
    this.timers = [
      setInterval(() => this.announce(), ANNOUNCE_MS),
      setInterval(() => void this.flush(), FLUSH_MS),
    ];
    for (const t of this.timers) t.unref();
  }

  private get messages(): Model<MessageDoc> {
    return this.models.messages;
  }

  /**
   * The true head: from what this instance knows (else the stored hint), forward over any
   * entries written after it. Callers asking for the same channel before the probe leaves
   * share it; whoever asks later gets a new one, so a probe never starts before its caller
   * asked (a join subscribes first, then asks: nothing stored in between can be missed).
   */
  loadHead(disputeId: string, channel: Channel): Promise<Head> {
    const key = headKey(disputeId, channel);
    const queued = this.queuedProbes.get(key);
    if (queued) return queued;
    const probe = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      this.queuedProbes.delete(key);
      let head = this.heads.get(key);
      if (!head) {
        const hint = await this.models.heads.findById(key).lean<HeadDoc>();
        head = hint ? { seq: hint.seq, hash: hint.hash } : { seq: 0, hash: GENESIS_HASH };
      }
      head = await this.walk(disputeId, channel, head);
      this.rememberHead(key, head);
      return this.heads.get(key) ?? head;
    });
    this.queuedProbes.set(key, probe);
    return probe;
  }

  /**
   * Forward from a known head to the last stored entry. Seqs are gap-free, so "entry n
   * exists" holds up to the head and not after: gallop (+1, +2, +4 …) to the first miss, then
   * halve the interval. Usually one read (the next seq is not there); log₂ of the lag otherwise.
   */
  private async walk(disputeId: string, channel: Channel, from: Head): Promise<Head> {
    const at = (seq: number) =>
      this.messages
        .findById(messageKey(disputeId, channel, seq), { hash: 1, seq: 1 })
        .lean<Head>()
        .then((d) => (d ? { seq: d.seq, hash: d.hash } : null));
    let last = from;
    let step = 1;
    let missing: number;
    for (;;) {
      const hit = await at(last.seq + step);
      if (!hit) {
        missing = last.seq + step;
        break;
      }
      last = hit;
      step *= 2;
    }
    while (missing - last.seq > 1) {
      const mid = Math.floor((last.seq + missing) / 2);
      const hit = await at(mid);
      if (hit) last = hit;
      else missing = mid;
    }
    return last;
  }

  /** The head as this instance last saw it, or the stored one when it has not seen the channel. */
  async knownHead(disputeId: string, channel: Channel): Promise<number> {
    return (
      this.heads.get(headKey(disputeId, channel)) ?? (await this.loadHead(disputeId, channel))
    ).seq;
  }

  private rememberHead(key: string, head: Head) {
    const known = this.heads.get(key);
    if (known && known.seq >= head.seq) return;
    this.heads.set(key, head);
  }

  /** What other instances stored and read (their announcements). */
  learn(advance: LogAdvance): void {
    // It comes over Redis from another instance, perhaps of another version: take only
    // what has the expected shape.
    const heads = Array.isArray(advance?.heads) ? advance.heads : [];
    for (const h of heads) {
      if (typeof h?.key === 'string' && Number.isInteger(h.seq) && typeof h.hash === 'string')
        this.rememberHead(h.key, { seq: h.seq, hash: h.hash });
    }
    const reads = Array.isArray(advance?.reads) ? advance.reads : [];
    this.readPositions.learn(
      reads.filter(
        (r) =>
          typeof r?.disputeId === 'string' &&
          typeof r.channel === 'string' &&
          typeof r.userId === 'string' &&
          Number.isInteger(r.seq),
      ),
    );
  }

  append(entry: NewEntry): Promise<{ doc: MessageDoc; created: boolean }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      this.drain();
    });
  }

  /**
   * One insert at a time: whatever queued meanwhile goes in the next one, in arrival order
   * (so each channel's entries stay in order). Measured: one running insert with larger
   * batches costs the server less per message, and answers sooner, than several small ones.
   */
  private drain(): void {
    if (this.committing || this.pending.length === 0) return;
    const batch = this.pending.splice(0, MAX_BATCH);
    this.committing = true;
    void this.commit(batch).finally(() => {
      this.committing = false;
      this.drain();
    });
  }

  private build(entry: NewEntry, seq: number, prevHash: string): MessageDoc {
    const createdAt = this.ctx.clock.now();
    const doc: MessageDoc = {
      _id: messageKey(entry.disputeId, entry.channel, seq),
      disputeId: entry.disputeId,
      channel: entry.channel,
      seq,
      kind: entry.kind,
      authorId: entry.authorId,
      authorRole: entry.authorRole,
      text: entry.body,
      body: entry.body,
      evidenceIds: entry.evidenceIds ?? [],
      evidenceSha256: entry.evidenceSha256 ?? [],
      proposalId: entry.proposalId ?? null,
      event: entry.event ?? null,
      editOf: entry.editOf ?? null,
      clientMsgId: entry.clientMsgId ?? null,
      idemKey: entry.idemKey,
      createdAt,
      editedAt: null,
      prevHash,
      hash: '',
      bucket: bucketKey(entry.disputeId, entry.channel, seq),
    };
    doc.hash = chainHash(prevHash, chainEntryOf(doc));
    return doc;
  }

  private remember(doc: MessageDoc) {
    this.entries.set(doc._id, doc);
  }

  /** Another instance changed this entry (an edit): read it from the database next time. */
  forget(id: string): void {
    this.entries.delete(id);
  }

  private stored(key: string, doc: MessageDoc) {
    this.remember(doc);
    const head = { seq: doc.seq, hash: doc.hash };
    this.rememberHead(key, head);
    this.dirtyHeads.set(key, head);
    this.unannounced.set(key, head);
    this.events.publish('entry.appended', { entry: doc });
  }

  /**
   * Group commit: every queued entry, whatever its channel, in one ordered insert; each
   * channel's entries take consecutive seqs from its head. Whatever the insert could not
   * store (another instance took a seq, or an idempotency key repeats) goes one by one.
   */
  private async commit(batch: Pending[]): Promise<void> {
    const keyOf = (e: NewEntry) => headKey(e.disputeId, e.channel);
    let rest = batch;
    try {
      if (batch.length > 1) {
        const cold = [...new Map(batch.map((p) => [keyOf(p.entry), p.entry])).values()].filter(
          (e) => !this.heads.has(keyOf(e)),
        );
        await Promise.all(cold.map((e) => this.loadHead(e.disputeId, e.channel)));
        const next = new Map<string, Head>();
        const docs = batch.map((p) => {
          const key = keyOf(p.entry);
          const prev = next.get(key) ?? this.heads.get(key)!;
          const doc = this.build(p.entry, prev.seq + 1, prev.hash);
          next.set(key, { seq: doc.seq, hash: doc.hash });
          return doc;
        });
        let inserted = docs.length;
        try {
          await this.messages.collection.insertMany(docs as never[], { ordered: true });
        } catch (err) {
          if (!isDuplicateKey(err) && !hasDuplicateWriteError(err)) throw err;
          inserted = (err as { insertedCount?: number }).insertedCount ?? 0;
        }
        for (let i = 0; i < inserted; i++) {
          this.stored(keyOf(docs[i]!), docs[i]!);
          batch[i]!.resolve({ doc: docs[i]!, created: true });
        }
        rest = batch.slice(inserted);
      }
    } catch (err) {
      for (const p of rest) p.reject(err);
      return;
    }
    // Channels in parallel, each channel's entries in order.
    const byChannel = new Map<string, Pending[]>();
    for (const p of rest)
      byChannel.set(keyOf(p.entry), [...(byChannel.get(keyOf(p.entry)) ?? []), p]);
    await Promise.all(
      [...byChannel].map(async ([key, list]) => {
        for (const p of list) {
          try {
            p.resolve(await this.appendOne(key, p.entry));
          } catch (err) {
            p.reject(err);
          }
        }
      }),
    );
  }

  /** One entry, resolving races with other instances and repeated idempotency keys. */
  private async appendOne(
    key: string,
    entry: NewEntry,
  ): Promise<{ doc: MessageDoc; created: boolean }> {
    let head = this.heads.get(key) ?? (await this.loadHead(entry.disputeId, entry.channel));
    for (let attempt = 0; attempt < 200; attempt++) {
      const doc = this.build(entry, head.seq + 1, head.hash);
      try {
        await this.messages.collection.insertOne(doc as never);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const taken = await this.messages.findById(doc._id).lean<MessageDoc>();
        if (taken?.idemKey === entry.idemKey) return { doc: taken, created: false };
        if (taken) {
          // Another instance took this seq: move past it.
          head = { seq: taken.seq, hash: taken.hash };
          this.rememberHead(key, head);
          continue;
        }
        const original = await this.byIdemKey(entry.idemKey);
        if (original) return { doc: original, created: false };
        head = await this.loadHead(entry.disputeId, entry.channel);
        continue;
      }
      this.stored(key, doc);
      return { doc, created: true };
    }
    throw new AppError('conflict', 'the channel is too busy, try again');
  }

  /** Tells the other instances which heads and read positions moved here since last time. */
  announce(): void {
    const heads = [...this.unannounced].map(([key, head]) => ({ key, ...head }));
    this.unannounced.clear();
    const reads = this.readPositions.takeMoved();
    // Every ANNOUNCE_MS, for the other instances (see learn).
    if (heads.length || reads.length) this.events.publish('log.advanced', { heads, reads });
  }

  /**
   * Writes coalesced head hints and read positions, a few at a time. Hints may lag (and
   * FerretDB updates are not atomic): loadHead walks forward from whatever is stored.
   */
  async flush(): Promise<void> {
    const heads = [...this.dirtyHeads];
    this.dirtyHeads.clear();
    await Promise.all([
      pMap(
        heads,
        ([key, head]) =>
          this.models.heads
            .updateOne(
              { _id: key, seq: { $lt: head.seq } },
              { $set: { seq: head.seq, hash: head.hash } },
              { upsert: true },
            )
            .catch((err: unknown) => {
              if (!isDuplicateKey(err)) this.ctx.log.warn({ err }, 'could not save channel head');
            }),
        { concurrency: FLUSH_CONCURRENCY },
      ),
      this.readPositions.flush(),
    ]);
  }

  /** A user has read a channel up to seq (or wrote entry seq): recorded with the next flush. */
  raiseRead(disputeId: string, channel: Channel, userId: string, seq: number): void {
    this.readPositions.raise({ disputeId, channel, userId, seq });
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.announce();
    await this.flush();
  }

  async byId(id: string): Promise<MessageDoc | null> {
    return this.entries.get(id) ?? this.messages.findById(id).lean<MessageDoc>();
  }

  /** The entry stored under an idempotency key (its unique index), if any. */
  async byIdemKey(idemKey: string): Promise<MessageDoc | null> {
    return this.messages.findOne({ idemKey }).lean<MessageDoc>();
  }

  /** Entries seq from..to of one channel, by primary key (cheap on every backend). */
  async range(
    disputeId: string,
    channel: Channel,
    from: number,
    to: number,
  ): Promise<MessageDoc[]> {
    if (to < from) return [];
    const ids = Array.from({ length: to - from + 1 }, (_, i) =>
      messageKey(disputeId, channel, from + i),
    );
    const docs: MessageDoc[] = [];
    const missing: number[] = [];
    ids.forEach((id, i) => {
      const hit = this.entries.get(id);
      if (hit) docs.push(hit);
      else missing.push(from + i);
    });
    let fetched: MessageDoc[] = [];
    if (missing.length > 0 && this.ctx.flavor === 'mongodb') {
      const wanted = missing.map((seq) => messageKey(disputeId, channel, seq));
      fetched = await this.messages.find({ _id: { $in: wanted } }).lean<MessageDoc[]>();
    } else if (missing.length > 0) {
      const wanted = new Set(missing);
      if (this.ctx.flavor === 'ferretdb') {
        // FerretDB reads the whole collection for `$in` or a seq range; an equality on the
        // bucket is served by an index, so a page costs a few reads.
        const buckets = [...new Set(missing.map((seq) => bucketKey(disputeId, channel, seq)))];
        const found = await pMap(
          buckets,
          (bucket) => this.messages.find({ bucket }).lean<MessageDoc[]>(),
          { concurrency: 8 },
        );
        fetched = found.flat().filter((d) => wanted.has(d.seq));
        for (const d of fetched) wanted.delete(d.seq);
      }
      // On SQLite only `_id` reaches SQL (indexed by the launcher), and entries stored before
      // buckets existed have none: one primary-key read each.
      const older = await pMap(
        [...wanted],
        (seq) => this.messages.findById(messageKey(disputeId, channel, seq)).lean<MessageDoc>(),
        { concurrency: 32 },
      );
      for (const d of older) if (d) fetched.push(d);
    }
    for (const d of fetched) this.remember(d);
    return [...docs, ...fetched].sort((a, b) => a.seq - b.seq);
  }

  /** A page after `after`; hasMore says whether the channel goes on. */
  async page(
    disputeId: string,
    channel: Channel,
    after: number,
    limit: number,
  ): Promise<{ messages: MessageDoc[]; hasMore: boolean; head: number }> {
    const head = await this.loadHead(disputeId, channel);
    const to = Math.min(head.seq, after + limit);
    const messages = await this.range(disputeId, channel, after + 1, to);
    return { messages, hasMore: head.seq > to, head: head.seq };
  }

  /**
   * Entries stored from `since` on, after `after`, up to `limit`: what a reader missed in a
   * time window however far behind their read position is. A short lag is read whole (a
   * bucket or two); over a longer one the first entry is found by halving (after, head] —
   * seqs are stored in time order — in log₂ of the lag single-entry reads.
   */
  async pageSince(
    disputeId: string,
    channel: Channel,
    after: number,
    since: Date,
    limit: number,
  ): Promise<MessageDoc[]> {
    const head = await this.loadHead(disputeId, channel);
    if (head.seq - after <= BUCKET_SIZE)
      return (await this.range(disputeId, channel, after + 1, head.seq))
        .filter((m) => m.createdAt >= since)
        .slice(0, limit);
    let lo = after + 1;
    let hi = head.seq + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const [entry] = await this.range(disputeId, channel, mid, mid);
      if (entry && entry.createdAt < since) lo = mid + 1;
      else hi = mid;
    }
    return this.range(disputeId, channel, lo, Math.min(head.seq, lo + limit - 1));
  }

  async setBody(id: string, body: string, editedAt: Date): Promise<void> {
    this.entries.delete(id);
    await this.messages.updateOne({ _id: id }, { $set: { body, editedAt } });
    // Its visible body changed: other instances drop their copy.
    this.events.publish('entry.changed', { entryId: id });
  }

  /** Read positions of the given users in the given channels. */
  reads(
    disputeId: string,
    channels: Channel[],
    userIds: string[],
  ): Promise<Partial<Record<Channel, Record<string, number>>>> {
    return this.readPositions.of(disputeId, channels, userIds);
  }

  /** Every entry of a channel in seq order (transcripts, verification). */
  async all(disputeId: string, channel: Channel): Promise<MessageDoc[]> {
    const stored = await this.messages.find({ disputeId, channel }).lean<MessageDoc[]>();
    return stored.sort((a, b) => a.seq - b.seq);
  }

  /** Recomputes one channel's chain from what is stored, behind any cache. */
  async verify(disputeId: string, channel: Channel): Promise<ChainCheck> {
    const entries = await this.all(disputeId, channel);
    const key = headKey(disputeId, channel);
    const hint = await this.models.heads.findById(key).lean<HeadDoc>();
    const check = verifyChain(channel, entries.map(chainEntryOf));
    // A removed last entry leaves no hole in the chain, but the recorded head (or the head
    // this instance has seen, which may be newer than the periodic hint) still names it.
    const recorded = Math.max(hint?.seq ?? 0, this.heads.get(key)?.seq ?? 0);
    if (check.verified && recorded > entries.length) {
      return { ...check, verified: false, brokenAt: entries.length + 1 };
    }
    return check;
  }
}
