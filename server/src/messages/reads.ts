import { LRUCache } from 'lru-cache';
import type { Model } from 'mongoose';
import pMap from 'p-map';
import type { Channel } from '@dispute-room/shared';
import { isDuplicateKey } from '../db/mongo.js';
import type { Logger } from '../logger.js';
import { readKey, type ReadDoc } from './model.js';

export interface ReadPosition {
  disputeId: string;
  channel: Channel;
  userId: string;
  seq: number;
}

/** Positions kept per instance; other instances' changes arrive within a flush. */
const CACHE_MAX = 200_000;
/** Bounds how stale a position can get if another instance's announcements are lost. */
const CACHE_TTL_MS = 60_000;
/** Writes at once during a flush, so message inserts never queue behind a burst of them. */
const FLUSH_CONCURRENCY = 4;

/**
 * Read positions (receipts and unread counts). Every join, list view and `dispute:updated`
 * needs several of them, so they are served from memory: a change is applied here at once,
 * announced to the other instances within a second (they raise the copies they hold) and
 * written to the database with the next flush (coalesced: one write per user and channel per
 * flush, never lowering a stored position). A crash loses at most one flush interval of
 * receipts (never messages); a graceful stop flushes.
 */
export class ReadPositions {
  private readonly known = new LRUCache<string, number>({ max: CACHE_MAX, ttl: CACHE_TTL_MS });
  private readonly loading = new Map<string, Promise<number>>();
  /** Moved since the last database flush, and since the last announcement. */
  private readonly dirty = new Map<string, ReadPosition>();
  private readonly moved = new Map<string, ReadPosition>();
  /** Being written by a running flush: not yet readable from the database. */
  private readonly saving = new Map<string, ReadPosition>();

  constructor(
    private readonly model: Model<ReadDoc>,
    private readonly log: Logger,
  ) {}

  /** A position moved on this instance (never lowered). */
  raise(p: ReadPosition): void {
    const key = readKey(p.disputeId, p.channel, p.userId);
    for (const pending of [this.dirty, this.moved]) {
      const known = pending.get(key);
      if (!known || known.seq < p.seq) pending.set(key, p);
    }
    // Not cached: a stored position may be higher; the next read takes the larger of the two.
    const cached = this.known.get(key);
    if (cached !== undefined && cached < p.seq) this.known.set(key, p.seq);
  }

  /** Positions another instance moved: raise the copies this instance holds. */
  learn(list: ReadPosition[]): void {
    for (const p of list) {
      const key = readKey(p.disputeId, p.channel, p.userId);
      const cached = this.known.get(key);
      if (cached !== undefined && cached < p.seq) this.known.set(key, p.seq);
    }
  }

  private async one(disputeId: string, channel: Channel, userId: string): Promise<number> {
    const key = readKey(disputeId, channel, userId);
    const cached = this.known.get(key);
    if (cached !== undefined) return cached;
    let load = this.loading.get(key);
    if (!load) {
      load = this.model
        .findById(key, { seq: 1 })
        .lean<Pick<ReadDoc, 'seq'>>()
        .then((doc) => {
          const seq = Math.max(
            doc?.seq ?? 0,
            this.dirty.get(key)?.seq ?? 0,
            this.saving.get(key)?.seq ?? 0,
          );
          this.known.set(key, Math.max(seq, this.known.get(key) ?? 0));
          return this.known.get(key)!;
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, load);
    }
    return load;
  }

  /** Read positions of the given users in the given channels. */
  async of(
    disputeId: string,
    channels: Channel[],
    userIds: string[],
  ): Promise<Partial<Record<Channel, Record<string, number>>>> {
    const pairs = channels.flatMap((channel) => userIds.map((userId) => ({ channel, userId })));
    const seqs = await Promise.all(pairs.map((p) => this.one(disputeId, p.channel, p.userId)));
    const out: Partial<Record<Channel, Record<string, number>>> = {};
    pairs.forEach(({ channel, userId }, i) => ((out[channel] ??= {})[userId] = seqs[i]!));
    return out;
  }

  /** What moved since the last call, to be announced to the other instances. */
  takeMoved(): ReadPosition[] {
    const moved = [...this.moved.values()];
    this.moved.clear();
    return moved;
  }

  /** Writes what moved since the last flush. */
  async flush(): Promise<void> {
    const unsaved = [...this.dirty];
    this.dirty.clear();
    for (const [key, p] of unsaved) this.saving.set(key, p);
    await pMap(
      unsaved,
      ([_id, p]) =>
        this.model
          .updateOne({ _id, seq: { $lt: p.seq } }, { $set: { ...p } }, { upsert: true })
          .catch((err: unknown) => {
            // Duplicate key: a higher position is already stored (the filter missed, the upsert collided).
            if (isDuplicateKey(err)) return;
            this.log.warn({ err }, 'could not save read position; will retry');
            const newer = this.dirty.get(_id);
            if (!newer || newer.seq < p.seq) this.dirty.set(_id, p);
          })
          .finally(() => {
            if (this.saving.get(_id) === p) this.saving.delete(_id);
          }),
      { concurrency: FLUSH_CONCURRENCY },
    );
  }
}
