import { Schema, type Connection, type Model } from 'mongoose';
import type { Channel, MessageKind, SystemEvent } from '@dispute-room/shared';

/**
 * One entry of a channel's append-only log. `_id` is derived from (dispute, channel, seq),
 * so allocating a seq is a unique-key insert and reading a seq is a primary-key lookup.
 */
export interface MessageDoc {
  _id: string;
  disputeId: string;
  channel: Channel;
  seq: number;
  kind: MessageKind;
  authorId: string | null;
  authorRole: string | null;
  /** The entry's own text, as hashed; never changes. */
  text: string;
  /** What readers see: the latest edit's text. */
  body: string;
  evidenceIds: string[];
  evidenceSha256: string[];
  proposalId: string | null;
  event: SystemEvent | null;
  editOf: string | null;
  clientMsgId: string | null;
  /** Unique: (dispute, author, clientMsgId) for sends, a derived key for system entries. */
  idemKey: string;
  createdAt: Date;
  editedAt: Date | null;
  hash: string;
  prevHash: string;
  /** Entries of one channel in groups of BUCKET_SIZE seqs (see bucketKey); absent on old entries. */
  bucket?: string;
}

/** Read position of one user in one channel; `_id` = `<disputeId>:<channel>:<userId>`. */
export interface ReadDoc {
  _id: string;
  disputeId: string;
  channel: Channel;
  userId: string;
  seq: number;
}

/** Last known head of a channel; a hint that lags at most briefly (see MessageService). */
export interface HeadDoc {
  _id: string;
  seq: number;
  hash: string;
}

const messageSchema = new Schema<MessageDoc>(
  {
    _id: { type: String, required: true },
    disputeId: { type: String, required: true, index: true },
    channel: { type: String, required: true },
    seq: { type: Number, required: true },
    kind: { type: String, required: true },
    authorId: { type: String, default: null },
    authorRole: { type: String, default: null },
    text: { type: String, required: true },
    body: { type: String, required: true },
    evidenceIds: { type: [String], default: [] },
    evidenceSha256: { type: [String], default: [] },
    proposalId: { type: String, default: null },
    event: { type: Schema.Types.Mixed, default: null },
    editOf: { type: String, default: null },
    clientMsgId: { type: String, default: null },
    idemKey: { type: String, required: true, unique: true },
    createdAt: { type: Date, required: true },
    editedAt: { type: Date, default: null },
    hash: { type: String, required: true },
    prevHash: { type: String, required: true },
    bucket: { type: String, index: true },
  },
  { versionKey: false, collection: 'messages', minimize: false },
);

const readSchema = new Schema<ReadDoc>(
  {
    _id: { type: String, required: true },
    disputeId: { type: String, required: true, index: true },
    channel: { type: String, required: true },
    userId: { type: String, required: true },
    seq: { type: Number, required: true },
  },
  { versionKey: false, collection: 'message_reads' },
);

const headSchema = new Schema<HeadDoc>(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true },
    hash: { type: String, required: true },
  },
  { versionKey: false, collection: 'channel_heads' },
);

function model<T>(conn: Connection, name: string, schema: Schema<T>): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
}

export function messageModels(conn: Connection) {
  return {
    messages: model(conn, 'Message', messageSchema),
    reads: model(conn, 'MessageRead', readSchema),
    heads: model(conn, 'ChannelHead', headSchema),
  };
}

const channelCodes: Record<Channel, string> = {
  joint: 'j',
  'caucus:client': 'cc',
  'caucus:freelancer': 'cf',
  internal: 'in',
};

/** `<disputeId>_<channel code>_<seq>`: the message's id and primary key. */
export function messageKey(disputeId: string, channel: Channel, seq: number): string {
  return `${disputeId}_${channelCodes[channel]}_${seq}`;
}

/** Seqs per bucket: a page of history is a few equality reads, not one read per entry. */
export const BUCKET_SIZE = 64;

/**
 * `<disputeId>_<channel code>_b<seq div BUCKET_SIZE>`. FerretDB answers equality on an
 * indexed field with an index (see ferretdb/lookup_indexes.go) but ranges by reading the
 * collection, so pages are read bucket by bucket.
 */
export function bucketKey(disputeId: string, channel: Channel, seq: number): string {
  return `${disputeId}_${channelCodes[channel]}_b${Math.floor(seq / BUCKET_SIZE)}`;
}

export function headKey(disputeId: string, channel: Channel): string {
  return `${disputeId}:${channel}`;
}

export function readKey(disputeId: string, channel: Channel, userId: string): string {
  return `${disputeId}:${channel}:${userId}`;
}
