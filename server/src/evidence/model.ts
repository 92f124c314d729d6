import { Schema, type Connection, type Model } from 'mongoose';
import type { Channel } from '@dispute-room/shared';

/**
 * One upload: who shared which bytes in which channel. `_id` is `<dispute>_<channel>_e<seq>`
 * with a gap-free seq per channel, so taking a seq is a unique-key insert and listing a
 * channel is a run of primary-key reads (and ids reveal nothing about other channels).
 */
export interface EvidenceDoc {
  _id: string;
  disputeId: string;
  channel: Channel;
  seq: number;
  uploaderId: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  description: string;
  /** The GridFS file holding the bytes; shared by every upload of the same bytes in a dispute. */
  fileId: string;
  createdAt: Date;
}

/**
 * The stored bytes of a dispute by content: `_id` = `<disputeId>:<sha256>`. Its insert
 * decides which of two uploads of the same bytes keeps its GridFS file.
 */
export interface BlobDoc {
  _id: string;
  disputeId: string;
  sha256: string;
  fileId: string;
  size: number;
  createdAt: Date;
}

const evidenceSchema = new Schema<EvidenceDoc>(
  {
    _id: { type: String, required: true },
    disputeId: { type: String, required: true, index: true },
    channel: { type: String, required: true },
    seq: { type: Number, required: true },
    uploaderId: { type: String, required: true },
    filename: { type: String, required: true },
    contentType: { type: String, required: true },
    size: { type: Number, required: true },
    sha256: { type: String, required: true },
    description: { type: String, default: '' },
    fileId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'evidence' },
);

const blobSchema = new Schema<BlobDoc>(
  {
    _id: { type: String, required: true },
    disputeId: { type: String, required: true },
    sha256: { type: String, required: true },
    fileId: { type: String, required: true },
    size: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'evidence_blobs' },
);

function model<T>(conn: Connection, name: string, schema: Schema<T>): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
}

export function evidenceModels(conn: Connection) {
  return {
    evidence: model(conn, 'Evidence', evidenceSchema),
    blobs: model(conn, 'EvidenceBlob', blobSchema),
  };
}

/** GridFS bucket of evidence bytes: `evidence.files` and `evidence.chunks`. */
export const EVIDENCE_BUCKET = 'evidence';

const channelCodes: Record<Channel, string> = {
  joint: 'j',
  'caucus:client': 'cc',
  'caucus:freelancer': 'cf',
  internal: 'in',
};

export function evidenceKey(disputeId: string, channel: Channel, seq: number): string {
  return `${disputeId}_${channelCodes[channel]}_e${seq}`;
}

export function blobKey(disputeId: string, sha256: string): string {
  return `${disputeId}:${sha256}`;
}
