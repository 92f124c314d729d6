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

/**
 * Each channel of a dispute is an append-only log with a gap-free seq and a hash chain.
 * A seq is taken by inserting `_id = <dispute>_<channel>_<seq>`: the unique key decides
 * races between instances; within one instance appends to a channel are queued, so they
 * never race each other. Idempotency rides on the unique `idemKey`.
 */
export class ChannelLog {
  readonly models: ReturnType<typeof messageModels>;
  private readonly heads = new Map<string, Head>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly ctx: Context) {
    this.models = messageModels(ctx.conn);
  }

  private get messages(): Model<MessageDoc> {
    return this.models.messages;
  }

  /** Runs appends to one channel one after another inside this instance. */
  private serialize<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const settled = run.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return run;
  }

  /** The true head: the stored hint, then forward over any entries written after it. */
  async loadHead(disputeId: string, channel: Channel): Promise<Head> {
    const hint = await this.models.heads.findById(headKey(disputeId, channel)).lean<HeadDoc>();
    let head: Head = hint ? { seq: hint.seq, hash: hint.hash } : { seq: 0, hash: GENESIS_HASH };
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

  private rememberHead(key: string, head: Head) {
    const known = this.heads.get(key);
    if (known && known.seq >= head.seq) return;
    if (this.heads.size >= HEAD_CACHE_MAX) this.heads.clear();
    this.heads.set(key, head);
  }

  async append(entry: NewEntry): Promise<{ doc: MessageDoc; created: boolean }> {
    const key = headKey(entry.disputeId, entry.channel);
    return this.serialize(key, async () => {
      let head = this.heads.get(key) ?? (await this.loadHead(entry.disputeId, entry.channel));
      for (let attempt = 0; attempt < 200; attempt++) {
        const seq = head.seq + 1;
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
          prevHash: head.hash,
          hash: '',
        };
        doc.hash = chainHash(head.hash, {
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
          const original = await this.messages
            .findOne({ idemKey: entry.idemKey })
            .lean<MessageDoc>();
          if (original) return { doc: original, created: false };
          head = await this.loadHead(entry.disputeId, entry.channel);
          continue;
        }
        head = { seq, hash: doc.hash };
        this.rememberHead(key, head);
        this.saveHeadHint(key, head);
        return { doc, created: true };
      }
      throw new AppError('conflict', 'the channel is too busy, try again');
    });
  }

  /** The hint may lag (FerretDB updates are not atomic); loadHead walks forward from it. */
  private saveHeadHint(key: string, head: Head) {
    this.models.heads
      .updateOne(
        { _id: key, seq: { $lt: head.seq } },
        { $set: { seq: head.seq, hash: head.hash } },
        { upsert: true },
      )
      .catch((err: unknown) => {
        if (!isDuplicateKey(err)) this.ctx.log.warn({ err }, 'could not save channel head');
      });
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
