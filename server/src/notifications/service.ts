import { LRUCache } from 'lru-cache';
import {
  defaultPreferences,
  markReadBodySchema,
  notificationsQuerySchema,
  preferencesSchema,
  type Channel,
  type Notification,
  type NotificationKind,
  type NotificationPage,
  type Preferences,
  type User,
} from '@dispute-room/shared';
import type { Context } from '../context.js';
import { isDuplicateKey, upsertRacing } from '../db/mongo.js';
import type { EventBus } from '../events/bus.js';
import { parse } from '../http/errors.js';
import {
  notificationModels,
  type InboxDoc,
  type NotificationDoc,
  type NotificationKeyDoc,
  type PreferencesDoc,
} from './model.js';

const PREFERENCES_CACHE_MS = 30_000;

export interface NewNotification {
  userId: string;
  kind: NotificationKind;
  disputeId: string | null;
  channel?: Channel | null;
  title: string;
  body: string;
  url: string;
  /** Decides that this notification is made once, however often it is asked for. */
  key: string;
  /**
   * When what it tells of happened, if not now (a message's time): its `createdAt`, and so
   * the digest window it belongs to — the window its message is in, however late it is made.
   */
  at?: Date;
}

/** Longer than any attempt takes; shorter than the retries of a `facts` job add up to. */
const ABANDONED_CLAIM_MS = 10_000;

export const notificationId = (userId: string, seq: number) => `${userId}_${seq}`;

export function presentNotification(doc: NotificationDoc, inbox: InboxDoc | null): Notification {
  const readAt = doc.readAt ?? (inbox && doc.seq <= inbox.allReadSeq ? inbox.allReadAt : null);
  return {
    id: doc._id,
    kind: doc.kind,
    disputeId: doc.disputeId,
    title: doc.title,
    body: doc.body,
    url: doc.url,
    createdAt: doc.createdAt.toISOString(),
    readAt: readAt?.toISOString() ?? null,
  };
}

/**
 * Notifications stored per user: created once per key, read newest first by `_id` (no range
 * scans, no skip), counted unread without reading history. Publishes `notification.created`;
 * the socket and the mail follow from that event.
 */
export class NotificationService {
  readonly models: ReturnType<typeof notificationModels>;

  constructor(
    private readonly ctx: Context,
    private readonly deps: { events: EventBus },
  ) {
    this.models = notificationModels(ctx.conn);
  }

  /**
   * Every message notification reads the recipients' preferences: a short per-instance cache,
   * dropped here on a change (another instance sees it within PREFERENCES_CACHE_MS). A read
   * that a change overtakes answers its callers but is not kept (fetch): kept, it would hold
   * the old setting for the cache's lifetime — a digest window of the old length, say.
   */
  private readonly cachedPreferences = new LRUCache<string, Preferences>({
    max: 50_000,
    ttl: PREFERENCES_CACHE_MS,
    ignoreFetchAbort: true,
    fetchMethod: async (userId) => {
      const doc = await this.models.preferences.findById(userId).lean<PreferencesDoc>();
      return doc
        ? {
            email: doc.email,
            digestMinutes: doc.digestMinutes,
            quietHours: doc.quietHours ?? null,
            locale: doc.locale,
          }
        : { ...defaultPreferences };
    },
  });

  async preferences(userId: string): Promise<Preferences> {
    return (await this.cachedPreferences.fetch(userId)) ?? { ...defaultPreferences };
  }

  async setPreferences(user: User, body: unknown): Promise<Preferences> {
    const prefs = parse(preferencesSchema, body);
    await upsertRacing((upsert) =>
      this.models.preferences.replaceOne({ _id: user.id }, prefs, { upsert }),
    );
    this.cachedPreferences.delete(user.id);
    return prefs;
  }

  /** Sets only the language of a user's preferences (the rest stays as it was, or the defaults). */
  async setLocale(userId: string, locale: string): Promise<void> {
    const current = await this.preferences(userId);
    if (current.locale === locale) return;
    await upsertRacing((upsert) =>
      this.models.preferences.replaceOne({ _id: userId }, { ...current, locale }, { upsert }),
    );
    this.cachedPreferences.delete(userId);
  }

  /** Stores a notification unless its key was already used; null then. */
  async notify(input: NewNotification): Promise<NotificationDoc | null> {
    const at = this.ctx.clock.now();
    try {
      await this.models.keys.collection.insertOne({
        _id: input.key,
        notificationId: null,
        at,
      } as never);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const claimed = await this.models.keys.findById(input.key).lean<NotificationKeyDoc>();
      // Made already, or being made right now. A claim that stayed without its notification
      // for a while is an attempt that was cut short (a crash): this one finishes it.
      if (!claimed || claimed.notificationId) return null;
      if (at.getTime() - claimed.at.getTime() < ABANDONED_CLAIM_MS) return null;
    }
    const doc = await this.insertNext({
      userId: input.userId,
      kind: input.kind,
      disputeId: input.disputeId,
      channel: input.channel ?? null,
      title: input.title,
      body: input.body,
      url: input.url,
      createdAt: input.at ?? at,
      readAt: null,
    });
    await this.ctx.redis.main.incr(this.unreadKey(input.userId));
    await this.models.keys.updateOne({ _id: input.key }, { $set: { notificationId: doc._id } });
    this.deps.events.publish('notification.created', { notification: doc });
    return doc;
  }

  /**
   * Takes the user's next seq by inserting `<user>_<seq>` (on FerretDB only a unique insert is
   * atomic): from the inbox's hint, one further on each collision. The hint only moves forward.
   */
  private async insertNext(fields: Omit<NotificationDoc, '_id' | 'seq'>): Promise<NotificationDoc> {
    let seq = ((await this.inbox(fields.userId))?.seq ?? 0) + 1;
    for (;;) {
      const doc: NotificationDoc = { _id: notificationId(fields.userId, seq), seq, ...fields };
      try {
        await this.models.notifications.collection.insertOne(doc as never);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        seq++;
        continue;
      }
      // A user's first two notifications at once both create the inbox.
      await upsertRacing((upsert) =>
        this.models.inboxes.updateOne(
          { _id: fields.userId },
          { $max: { seq } },
          { upsert, setDefaultsOnInsert: true },
        ),
      );
      return doc;
    }
  }

  private unreadKey(userId: string): string {
    return `${this.ctx.config.REDIS_PREFIX}notifications:unread:${userId}`;
  }

  /** The head: the hint, walked forward over notifications stored after it was written. */
  private async head(userId: string, hint: number): Promise<number> {
    let seq = hint;
    while (await this.models.notifications.exists({ _id: notificationId(userId, seq + 1) })) seq++;
    return seq;
  }

  async byId(id: string): Promise<NotificationDoc | null> {
    return this.models.notifications.findById(id).lean<NotificationDoc>();
  }

  private inbox(userId: string): Promise<InboxDoc | null> {
    return this.models.inboxes.findById(userId).lean<InboxDoc>();
  }

  async list(user: User, query: unknown): Promise<NotificationPage> {
    const { cursor, limit } = parse(notificationsQuerySchema, query);
    const inbox = await this.inbox(user.id);
    if (!inbox) return { notifications: [], nextCursor: null, unreadCount: 0 };
    const head = await this.head(user.id, inbox.seq);
    const top = Math.min(head, (cursor ?? head + 1) - 1);
    const bottom = Math.max(1, top - limit + 1);
    const seqs = top < 1 ? [] : Array.from({ length: top - bottom + 1 }, (_, i) => top - i);
    const docs = await Promise.all(seqs.map((seq) => this.byId(notificationId(user.id, seq))));
    return {
      notifications: docs
        .filter((d): d is NotificationDoc => d !== null)
        .map((d) => presentNotification(d, inbox)),
      nextCursor: bottom > 1 ? String(bottom) : null,
      unreadCount: await this.unreadCount(user.id, inbox),
    };
  }

  /**
   * Kept in Redis (INCR and DECR are atomic; FerretDB's updates are not). Lost with Redis, it
   * is counted again once from this user's notifications after their last "read all".
   */
  async unreadCount(userId: string, known?: InboxDoc | null): Promise<number> {
    const key = this.unreadKey(userId);
    const kept = await this.ctx.redis.main.get(key);
    if (kept !== null) return Math.max(0, Number(kept));
    const inbox = known ?? (await this.inbox(userId));
    const unread = await this.models.notifications.countDocuments({
      userId,
      readAt: null,
      seq: { $gt: inbox?.allReadSeq ?? 0 },
    });
    await this.ctx.redis.main.set(key, unread, 'NX');
    return unread;
  }

  async markRead(user: User, body: unknown): Promise<void> {
    const input = parse(markReadBodySchema, body);
    const now = this.ctx.clock.now();
    if ('all' in input) {
      // A notification stored meanwhile (the head moved on) is looked at again.
      for (let attempt = 0; attempt < 10; attempt++) {
        const inbox = await this.inbox(user.id);
        if (!inbox) return;
        const head = await this.head(user.id, inbox.seq);
        await this.models.inboxes.updateOne(
          { _id: user.id },
          { $set: { seq: head, allReadSeq: head, allReadAt: now } },
        );
        if ((await this.head(user.id, head)) === head) {
          await this.ctx.redis.main.set(this.unreadKey(user.id), 0);
          return;
        }
      }
      return;
    }
    const inbox = await this.inbox(user.id);
    if (!inbox) return;
    const own = [...new Set(input.ids)]
      .map((id) => ({ id, seq: Number(id.slice(user.id.length + 1)) }))
      .filter(
        ({ id, seq }) =>
          id.startsWith(`${user.id}_`) && Number.isInteger(seq) && seq > inbox.allReadSeq,
      );
    let marked = 0;
    for (const { id } of own) {
      const res = await this.models.notifications.updateOne(
        { _id: id, readAt: null },
        { $set: { readAt: now } },
      );
      marked += res.modifiedCount;
    }
    if (marked > 0) {
      await this.unreadCount(user.id, inbox);
      await this.ctx.redis.main.decrby(this.unreadKey(user.id), marked);
    }
  }
}
