import type { Model } from 'mongoose';
import {
  GENESIS_HASH,
  type Channel,
  type Message,
  type MessageKind,
  type SystemEvent,
} from '@dispute-room/shared';
import type { Context } from '../context.js';
import { isDuplicateKey } from '../db/mongo.js';
import { AppError } from '../http/errors.js';
import { chainHash, verifyChain, type ChainCheck } from './chain.js';
import {
  headKey,
  messageKey,
  messageModels,
  readKey,
  type HeadDoc,
  type MessageDoc,
  type ReadDoc,
} from './model.js';

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

function hasDuplicateWriteError(err: unknown): boolean {
  const writeErrors = (err as { writeErrors?: { code?: number }[] | { code?: number } })
    .writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return list.some((e) => e.code === 11000);
}

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

const HEAD_CACHE_MAX = 50_000;
/** Most entries one channel writes in one insert (group commit). */
const MAX_BATCH = 64;
/** How often coalesced head hints and read positions are written. */
const FLUSH_MS = 250;

interface Pending {
  entry: NewEntry;
  resolve: (result: { doc: MessageDoc; created: boolean }) => void;
  reject: (err: unknown) => void;
}

/**
 * Each channel of a dispute is an append-only log with a gap-free seq and a hash chain.
 * A seq is taken by inserting `_id = <dispute>_<channel>_<seq>`: the unique key decides
 * races between instances. Inside one instance a channel's appends queue up and are
 * written together (group commit: one ordered insertMany, each entry acked only once it
 * is stored). Idempotency rides on the unique `idemKey`.
 */
export class ChannelLog {
  readonly models: ReturnType<typeof messageModels>;
  private readonly heads = new Map<string, Head>();
  private readonly queues = new Map<string, Pending[]>();
  private readonly dirtyHeads = new Map<string, Head>();
  private readonly dirtyReads = new Map<
    string,
    { disputeId: string; channel: Channel; userId: string; seq: number }
  >();
  private readonly flusher: NodeJS.Timeout;

  constructor(private readonly ctx: Context) {
    this.models = messageModels(ctx.conn);
    this.flusher = setInterval(() => void this.flush(), FLUSH_MS);
    this.flusher.unref();
  }

  private get messages(): Model<MessageDoc> {
    return this.models.messages;
  }

  /** The true head: the stored hint, then forward over any entries written after it. */
  async loadHead(disputeId: string, channel: Channel): Promise<Head> {
    const hint = await this.models.heads.findById(headKey(disputeId, channel)).lean<HeadDoc>();
    let head: Head = hint ? { seq: hint.seq, hash: hint.hash } : { seq: 0, hash: GENESIS_HASH };
    const known = this.heads.get(headKey(disputeId, channel));
    if (known && known.seq > head.seq) head = known;
    for (;;) {
      const next = await this.messages
        .findById(messageKey(disputeId, channel, head.seq + 1), { hash: 1, seq: 1 })
        .lean<Pick<MessageDoc, 'seq' | 'hash'>>();
      if (!next) break;
      head = { seq: next.seq, hash: next.hash };
    }
    this.rememberHead(headKey(disputeId, channel), head);
    return head;
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
    if (this.heads.size >= HEAD_CACHE_MAX) this.heads.clear();
    this.heads.set(key, head);
  }

  append(entry: NewEntry): Promise<{ doc: MessageDoc; created: boolean }> {
    const key = headKey(entry.disputeId, entry.channel);
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue) return void queue.push({ entry, resolve, reject });
      this.queues.set(key, [{ entry, resolve, reject }]);
      void this.drain(key);
    });
  }

  /** Writes a channel's queued entries, a batch at a time, until the queue is empty. */
  private async drain(key: string): Promise<void> {
    const queue = this.queues.get(key)!;
    while (queue.length) {
      const batch = queue.splice(0, MAX_BATCH);
      try {
        await this.commit(key, batch);
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.queues.delete(key);
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
    };
    doc.hash = chainHash(prevHash, {
      disputeId: doc.disputeId,
      channel: doc.channel,
      seq,
      kind: doc.kind,
      authorId: doc.authorId,
      body: doc.text,
      evidenceSha256: doc.evidenceSha256,
      proposalId: doc.proposalId,
      event: doc.event,
      editOf: doc.editOf,
      createdAt: createdAt.toISOString(),
    });
    return doc;
  }

  private stored(key: string, doc: MessageDoc) {
    const head = { seq: doc.seq, hash: doc.hash };
    this.rememberHead(key, head);
    this.dirtyHeads.set(key, head);
  }

  /** One ordered insert for the whole batch; whatever it could not store goes one by one. */
  private async commit(key: string, batch: Pending[]): Promise<void> {
    const first = batch[0]!.entry;
    let rest = batch;
    if (batch.length > 1) {
      const head = this.heads.get(key) ?? (await this.loadHead(first.disputeId, first.channel));
      const docs: MessageDoc[] = [];
      let prev = head;
      for (const p of batch) {
        const doc = this.build(p.entry, prev.seq + 1, prev.hash);
        docs.push(doc);
        prev = { seq: doc.seq, hash: doc.hash };
      }
      let inserted = docs.length;
      try {
        await this.messages.collection.insertMany(docs as never[], { ordered: true });
      } catch (err) {
        if (!isDuplicateKey(err) && !hasDuplicateWriteError(err)) throw err;
        inserted = (err as { insertedCount?: number }).insertedCount ?? 0;
      }
      for (let i = 0; i < inserted; i++) {
        this.stored(key, docs[i]!);
        batch[i]!.resolve({ doc: docs[i]!, created: true });
      }
      rest = batch.slice(inserted);
    }
    for (const p of rest) {
      try {
        p.resolve(await this.appendOne(key, p.entry));
      } catch (err) {
        p.reject(err);
      }
    }
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
        const original = await this.messages.findOne({ idemKey: entry.idemKey }).lean<MessageDoc>();
        if (original) return { doc: original, created: false };
        head = await this.loadHead(entry.disputeId, entry.channel);
        continue;
      }
      this.stored(key, doc);
      return { doc, created: true };
    }
    throw new AppError('conflict', 'the channel is too busy, try again');
  }

  /**
   * Writes coalesced head hints and read positions. Hints may lag (and FerretDB updates
   * are not atomic): loadHead walks forward from whatever is stored.
   */
  async flush(): Promise<void> {
    const heads = [...this.dirtyHeads];
    const reads = [...this.dirtyReads.values()];
    this.dirtyHeads.clear();
    this.dirtyReads.clear();
    await Promise.all([
      ...heads.map(([key, head]) =>
        this.models.heads
          .updateOne(
            { _id: key, seq: { $lt: head.seq } },
            { $set: { seq: head.seq, hash: head.hash } },
            { upsert: true },
          )
          .catch((err: unknown) => {
            if (!isDuplicateKey(err)) this.ctx.log.warn({ err }, 'could not save channel head');
          }),
      ),
      ...reads.map((r) =>
        this.markRead(r.disputeId, r.channel, r.userId, r.seq).catch((err: unknown) =>
          this.ctx.log.warn({ err }, 'could not save read position'),
        ),
      ),
    ]);
  }

  /** An author has read what they wrote: recorded with the next flush. */
  noteOwnRead(disputeId: string, channel: Channel, userId: string, seq: number): void {
    const key = readKey(disputeId, channel, userId);
    const known = this.dirtyReads.get(key);
    if (!known || known.seq < seq) this.dirtyReads.set(key, { disputeId, channel, userId, seq });
  }

  async close(): Promise<void> {
    clearInterval(this.flusher);
    await this.flush();
  }

  async byId(id: string): Promise<MessageDoc | null> {
    return this.messages.findById(id).lean<MessageDoc>();
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
    let docs: MessageDoc[];
    if (this.ctx.flavor === 'mongodb') {
      docs = await this.messages.find({ _id: { $in: ids } }).lean<MessageDoc[]>();
    } else {
      // FerretDB reads the whole collection for anything but `{_id}`; many point reads are far cheaper.
      docs = [];
      for (let i = 0; i < ids.length; i += 32) {
        const chunk = await Promise.all(
          ids.slice(i, i + 32).map((id) => this.messages.findById(id).lean<MessageDoc>()),
        );
        for (const d of chunk) if (d) docs.push(d);
      }
    }
    return docs.sort((a, b) => a.seq - b.seq);
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

  async setBody(id: string, body: string, editedAt: Date): Promise<void> {
    await this.messages.updateOne({ _id: id }, { $set: { body, editedAt } });
  }

  /** Raises a user's read position (never lowers it). */
  async markRead(disputeId: string, channel: Channel, userId: string, seq: number): Promise<void> {
    const _id = readKey(disputeId, channel, userId);
    await this.models.reads
      .updateOne(
        { _id, seq: { $lt: seq } },
        { $set: { disputeId, channel, userId, seq } },
        { upsert: true },
      )
      .catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
  }

  /** Read positions of the given users in the given channels. */
  async reads(
    disputeId: string,
    channels: Channel[],
    userIds: string[],
  ): Promise<Partial<Record<Channel, Record<string, number>>>> {
    const pairs = channels.flatMap((channel) => userIds.map((userId) => ({ channel, userId })));
    const docs = await Promise.all(
      pairs.map(({ channel, userId }) =>
        this.models.reads
          .findById(readKey(disputeId, channel, userId), { seq: 1 })
          .lean<Pick<ReadDoc, 'seq'>>(),
      ),
    );
    const out: Partial<Record<Channel, Record<string, number>>> = {};
    pairs.forEach(({ channel, userId }, i) => {
      const seq = docs[i]?.seq ?? 0;
      (out[channel] ??= {})[userId] = seq;
    });
    return out;
  }

  /** Every entry of a channel in seq order (transcripts, verification). */
  async all(disputeId: string, channel: Channel): Promise<MessageDoc[]> {
    const stored = await this.messages.find({ disputeId, channel }).lean<MessageDoc[]>();
    return stored.sort((a, b) => a.seq - b.seq);
  }

  /** Recomputes one channel's chain from what is stored, behind any cache. */
  async verify(disputeId: string, channel: Channel): Promise<ChainCheck> {
    const entries = await this.all(disputeId, channel);
    const hint = await this.models.heads.findById(headKey(disputeId, channel)).lean<HeadDoc>();
    const check = verifyChain(
      channel,
      entries.map((m) => ({
        disputeId: m.disputeId,
        channel: m.channel,
        seq: m.seq,
        kind: m.kind,
        authorId: m.authorId,
        body: m.text,
        evidenceSha256: m.evidenceSha256,
        proposalId: m.proposalId,
        event: m.event,
        editOf: m.editOf,
        createdAt: m.createdAt.toISOString(),
        hash: m.hash,
        prevHash: m.prevHash,
      })),
    );
    // A removed last entry leaves no hole in the chain: the recorded head still names it.
    if (check.verified && hint && hint.seq > entries.length) {
      return { ...check, verified: false, brokenAt: entries.length + 1 };
    }
    return check;
  }
}
