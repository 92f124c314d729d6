import { Schema, type Connection, type Model } from 'mongoose';
import type { Channel, NotificationKind, Preferences } from '@dispute-room/shared';

/** One notification of one user; `_id` = `<userId>_<seq>`, seq rising per user from 1. */
export interface NotificationDoc {
  _id: string;
  userId: string;
  seq: number;
  kind: NotificationKind;
  disputeId: string | null;
  /** The channel a `message` notification is about (what a reply by email writes into). */
  channel: Channel | null;
  title: string;
  body: string;
  url: string;
  createdAt: Date;
  readAt: Date | null;
  /** Set once its email (not a digest) was accepted by the SMTP server. */
  mailedAt?: Date | null;
}

/**
 * Per user: a hint of the last seq taken (a page starts there without reading history) and
 * what "read all" covered (`allReadSeq`), instead of touching every notification. The unread
 * count lives in Redis (see NotificationService.unreadCount).
 */
export interface InboxDoc {
  _id: string;
  seq: number;
  allReadSeq: number;
  allReadAt: Date | null;
}

/**
 * A unique key that decides a notification is owed once (e.g. `<user>:<dispute>:<window>`
 * for messages, `<event>:<user>` for dispute events); it points at the notification once made.
 */
export interface NotificationKeyDoc {
  _id: string;
  notificationId: string | null;
  at: Date;
}

export interface PreferencesDoc extends Preferences {
  _id: string;
}

/** A digest window of one user: `_id` = `<userId>.<window start ms>`, sent once. */
export interface DigestDoc {
  _id: string;
  userId: string;
  windowStart: Date;
  /** The window's length when it opened (absent on digests stored before it was kept). */
  digestMinutes?: number;
  /** Only on digests stored before their items were (see DigestItemDoc). */
  notificationIds?: string[];
  sentAt: Date | null;
  /**
   * The notifications it mailed, set with `sentAt`: an item that came in while it was being
   * sent is not among them, and goes on to a later digest (see MailService.placeInDigest).
   */
  mailed?: string[];
}

/** A digest window: where it starts and how long it is. */
export interface DigestWindow {
  start: Date;
  minutes: number;
}

/**
 * One notification's place in a digest, a document of its own: on FerretDB an update of one
 * document is a read then a write, so two notifications `$addToSet` into the digest at once
 * could lose one; a unique insert per (digest, notification) cannot.
 */
export interface DigestItemDoc {
  _id: string;
  digestId: string;
  notificationId: string;
  /**
   * The window its messages are from, when that is not the digest's own: a notification that
   * came after its window's digest had gone is carried by a later one, with its messages.
   */
  window?: DigestWindow;
}

/** A mail that could not be delivered for good: what admins see next to the failed job. */
export interface MailFailureDoc {
  _id: string;
  userId: string;
  to: string;
  error: string;
  at: Date;
}

const notificationSchema = new Schema<NotificationDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    seq: { type: Number, required: true },
    kind: { type: String, required: true },
    disputeId: { type: String, default: null },
    channel: { type: String, default: null },
    title: { type: String, required: true },
    body: { type: String, default: '' },
    url: { type: String, required: true },
    createdAt: { type: Date, required: true },
    readAt: { type: Date, default: null },
    mailedAt: { type: Date, default: null },
  },
  { versionKey: false, collection: 'notifications' },
);

const inboxSchema = new Schema<InboxDoc>(
  {
    _id: { type: String, required: true },
    seq: { type: Number, default: 0 },
    allReadSeq: { type: Number, default: 0 },
    allReadAt: { type: Date, default: null },
  },
  { versionKey: false, collection: 'notification_inboxes' },
);

const keySchema = new Schema<NotificationKeyDoc>(
  {
    _id: { type: String, required: true },
    notificationId: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'notification_keys' },
);

const preferencesSchema = new Schema<PreferencesDoc>(
  {
    _id: { type: String, required: true },
    email: { type: String, required: true },
    digestMinutes: { type: Number, required: true },
    quietHours: { type: Schema.Types.Mixed, default: null },
    locale: { type: String, required: true },
  },
  { versionKey: false, collection: 'preferences' },
);

const digestSchema = new Schema<DigestDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    windowStart: { type: Date, required: true },
    digestMinutes: { type: Number },
    notificationIds: { type: [String], default: undefined },
    sentAt: { type: Date, default: null },
    mailed: { type: [String], default: undefined },
  },
  { versionKey: false, collection: 'digests' },
);

const digestItemSchema = new Schema<DigestItemDoc>(
  {
    _id: { type: String, required: true },
    digestId: { type: String, required: true, index: true },
    notificationId: { type: String, required: true },
    window: {
      type: new Schema<DigestWindow>(
        { start: { type: Date, required: true }, minutes: { type: Number, required: true } },
        { _id: false },
      ),
      default: undefined,
    },
  },
  { versionKey: false, collection: 'digest_items' },
);

const mailFailureSchema = new Schema<MailFailureDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    to: { type: String, required: true },
    error: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'mail_failures' },
);

function model<T>(conn: Connection, name: string, schema: Schema<T>): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
}

export function notificationModels(conn: Connection) {
  return {
    notifications: model(conn, 'Notification', notificationSchema),
    inboxes: model(conn, 'NotificationInbox', inboxSchema),
    keys: model(conn, 'NotificationKey', keySchema),
    preferences: model(conn, 'Preferences', preferencesSchema),
    digests: model(conn, 'Digest', digestSchema),
    digestItems: model(conn, 'DigestItem', digestItemSchema),
    mailFailures: model(conn, 'MailFailure', mailFailureSchema),
  };
}
