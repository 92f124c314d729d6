// Why one file of ~500 lines: the upload path (spool or stream, sniff, hash, size cap, store
// once, abandon) and the read path (ranges, previews, visibility) share the same GridFS
// bucket, type table and dedupe key; the multipart reading itself lives in form.ts.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import mongoose from 'mongoose';
import { z } from 'zod';
import {
  canRead,
  channelSchema,
  idSchema,
  isTerminal,
  listEvidenceQuerySchema,
  readableChannels,
  uploadEvidenceFieldsSchema,
  type Channel,
  type Evidence,
  type Relation,
  type User,
} from '@dispute-room/shared';
import { assertCanWrite } from '../auth/policy.js';
import type { Context } from '../context.js';
import { newId } from '../db/ids.js';
import { isDuplicateKey } from '../db/mongo.js';
import type { DisputeDoc } from '../disputes/model.js';
import type { DisputeService } from '../disputes/service.js';
import { AppError, conflict, notFound, parse } from '../http/errors.js';
import { consume, createLimiter } from '../http/rate-limit.js';
import type { ChannelLog } from '../messages/service.js';
import type { EventBus } from '../events/bus.js';
import type { EvidenceLookup } from '../messages/thread.js';
import { safeFilename } from './filename.js';
import { readUploadForm, type UploadPart } from './form.js';
import {
  blobKey,
  EVIDENCE_BUCKET,
  evidenceKey,
  evidenceModels,
  type BlobDoc,
  type EvidenceDoc,
} from './model.js';
import { allowedTypes, sniff, SNIFF_BYTES, typeOf, Utf8Check, type EvidenceType } from './sniff.js';

/** Large chunks: on FerretDB every chunk query reads the whole chunks collection. */
export const CHUNK_BYTES = 1024 * 1024;

const uploadChannel = z.object({ channel: channelSchema.default('joint') }).loose();

const relations: Relation[] = [
  'client',
  'freelancer',
  'assigned_mediator',
  'other_mediator',
  'ops',
  'admin',
  'outsider',
];

/** Evidence of `from` may be shown in `to` only if everyone who reads `to` may read `from`. */
function audienceWithin(to: Channel, from: Channel): boolean {
  return relations.every((r) => !canRead(r, to) || canRead(r, from));
}

export function toEvidence(doc: EvidenceDoc): Evidence {
  return {
    id: doc._id,
    disputeId: doc.disputeId,
    uploaderId: doc.uploaderId,
    channel: doc.channel,
    filename: doc.filename,
    contentType: doc.contentType,
    size: doc.size,
    sha256: doc.sha256,
    description: doc.description,
    createdAt: doc.createdAt.toISOString(),
  };
}

interface StoredFile {
  fileId: string;
  size: number;
  sha256: string;
  type: EvidenceType;
  filename: string;
}

const invalid = (path: string, message: string) =>
  new AppError('validation_failed', 'request is invalid', [{ path, message }]);

function write(stream: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    stream.write(chunk, (err) => (err ? reject(err) : resolve())),
  );
}

/**
 * Evidence: files shared into a channel of a dispute. Bytes go to GridFS as they stream in
 * (typed from the bytes, hashed, size-capped); the same bytes in one dispute are stored once,
 * decided by a unique insert on `<dispute>:<sha256>`; each upload is its own record and posts
 * an `evidence` entry in its channel, so it is part of the hash chain and reaches sockets.
 */
export class EvidenceService implements EvidenceLookup {
  readonly models: ReturnType<typeof evidenceModels>;
  readonly bucket: mongoose.mongo.GridFSBucket;
  private readonly allowed: Map<string, EvidenceType>;
  private readonly uploadLimiter;
  /** Highest seq known per `<dispute>:<channel>`: where to start looking for a free one. */
  private readonly heads = new Map<string, number>();

  constructor(
    private readonly ctx: Context,
    private readonly deps: {
      disputes: DisputeService;
      log: ChannelLog;
      events: EventBus;
    },
  ) {
    this.models = evidenceModels(ctx.conn);
    this.bucket = new mongoose.mongo.GridFSBucket(ctx.conn.db!, {
      bucketName: EVIDENCE_BUCKET,
      chunkSizeBytes: CHUNK_BYTES,
    });
    this.allowed = allowedTypes(ctx.config.EVIDENCE_TYPES);
    this.uploadLimiter = createLimiter(ctx, 'upload', ctx.config.UPLOAD_LIMIT_PER_HOUR, 3600);
  }

  // ---- uploading -----------------------------------------------------------

  /**
   * Streams a multipart upload into the dispute. Checks run in the contract's order:
   * 404 (dispute), 403 (channel), 400 (fields), 409 (state), 429, then 413/415 while the
   * bytes arrive. The fields may come in any order (absent, the channel is `joint`): a file
   * sent before its channel waits on disk until the form is read, so nothing is stored for a
   * refused upload.
   */
  async upload(user: User, disputeId: string, req: IncomingMessage): Promise<Evidence> {
    const { dispute, relation } = await this.deps.disputes.visible(user, disputeId);
    const admit = async (fields: Record<string, string>) => {
      const { channel } = parse(uploadChannel, fields);
      assertCanWrite(relation, channel);
      parse(uploadEvidenceFieldsSchema, fields);
      if (isTerminal(dispute.state)) throw this.closed(dispute);
      await consume(this.uploadLimiter, user.id);
    };
    const { fields, file } = await readUploadForm(req, {
      fileField: 'file',
      beforeFile: ['channel'],
      maxFileBytes: this.ctx.config.EVIDENCE_MAX_BYTES,
      maxFields: 4,
      maxFieldBytes: 16 * 1024,
      onFile: async (before, part) => {
        await admit(before);
        return this.store(dispute._id, part);
      },
      onAbandon: (file) => this.discard(file.fileId),
    });
    if (!file) {
      await admit(fields);
      throw invalid('file', 'required');
    }
    let current: DisputeDoc | null;
    let input: z.output<typeof uploadEvidenceFieldsSchema>;
    try {
      // A description may follow the file; and the dispute may have closed meanwhile.
      input = parse(uploadEvidenceFieldsSchema, fields);
      current = await this.deps.disputes.load(disputeId);
      if (!current) throw notFound('dispute');
      if (isTerminal(current.state)) throw this.closed(current);
    } catch (err) {
      await this.discard(file.fileId);
      throw err;
    }
    return toEvidence(await this.record(user, current, input, file));
  }

  /**
   * Files that came with something else (the attachments of a reply by email), checked as an
   * upload is and typed, hashed and capped as they stream into GridFS; they are recorded only
   * once every one was accepted, so a refused file leaves none of the others behind.
   */
  async attachFiles(
    user: User,
    disputeId: string,
    channel: Channel,
    files: UploadPart[],
  ): Promise<EvidenceDoc[]> {
    const { dispute, relation } = await this.deps.disputes.visible(user, disputeId);
    assertCanWrite(relation, channel);
    if (isTerminal(dispute.state)) throw this.closed(dispute);
    for (let i = 0; i < files.length; i++) await consume(this.uploadLimiter, user.id);
    const stored: StoredFile[] = [];
    try {
      for (const part of files) stored.push(await this.store(dispute._id, part));
    } catch (err) {
      await Promise.all(stored.map((file) => this.discard(file.fileId)));
      throw err;
    }
    const docs: EvidenceDoc[] = [];
    for (const file of stored)
      docs.push(await this.record(user, dispute, { channel, description: '' }, file));
    return docs;
  }

  private closed(dispute: DisputeDoc): AppError {
    return conflict(`the dispute is ${dispute.state}; no more evidence can be added`);
  }

  /**
   * Streams one file into GridFS: holds back the first bytes until their type is known
   * (415 before anything is stored), hashes and counts as it goes (413 past the limit),
   * and for text checks every byte. Any failure aborts the upload, removing its chunks.
   */
  private async store(disputeId: string, part: UploadPart): Promise<StoredFile> {
    const max = this.ctx.config.EVIDENCE_MAX_BYTES;
    const fileId = newId();
    const upload = this.bucket.openUploadStreamWithId(new mongoose.Types.ObjectId(fileId), fileId, {
      chunkSizeBytes: CHUNK_BYTES,
      metadata: { disputeId },
    });
    // Write errors arrive through the write callbacks; this keeps them from crashing the process.
    upload.on('error', () => undefined);
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headBytes = 0;
    let size = 0;
    let type: EvidenceType | null = null;
    let text: Utf8Check | null = null;
    let ended = false;
    try {
      for await (const chunk of part.stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > max) {
          throw new AppError('payload_too_large', `the file is larger than ${max} bytes`, {
            maxBytes: max,
          });
        }
        hash.update(chunk);
        if (type) {
          if (text && !text.push(chunk)) throw this.unsupported(null);
          await write(upload, chunk);
          continue;
        }
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes >= SNIFF_BYTES) {
          const first = Buffer.concat(head.splice(0));
          ({ type, text } = await this.classify(first, part.filename));
          await write(upload, first);
        }
      }
      if (size === 0) throw invalid('file', 'the file is empty');
      if (!type) {
        const whole = Buffer.concat(head);
        ({ type, text } = await this.classify(whole, part.filename));
        await write(upload, whole);
      }
      if (text && !text.end()) throw this.unsupported(null);
      ended = true;
      upload.end();
      await finished(upload);
    } catch (err) {
      await (ended ? this.discard(fileId) : upload.abort()).catch((cleanupErr: unknown) =>
        this.ctx.log.warn({ err: cleanupErr, fileId }, 'could not remove a failed upload'),
      );
      throw err;
    }
    return {
      fileId,
      size,
      sha256: hash.digest('hex'),
      type,
      filename: safeFilename(part.filename, type),
    };
  }

  /** The type of a file from its first bytes; text types also start a check of every byte. */
  private async classify(
    head: Buffer,
    filename: string,
  ): Promise<{ type: EvidenceType; text: Utf8Check | null }> {
    const mime = await sniff(head, filename);
    const type = mime ? this.allowed.get(mime) : undefined;
    if (!type) throw this.unsupported(mime);
    if (!type.text) return { type, text: null };
    const text = new Utf8Check();
    if (!text.push(head)) throw this.unsupported(null);
    return { type, text };
  }

  private unsupported(mime: string | null): AppError {
    const accepted = [...this.allowed.values()].map((t) => t.key).join(', ');
    return new AppError(
      'unsupported_media_type',
      mime && typeOf(mime)
        ? `${typeOf(mime)!.key} files are not accepted here (accepted: ${accepted})`
        : `this type of file is not accepted (accepted: ${accepted})`,
      { accepted: [...this.allowed.keys()] },
    );
  }

  /** Deletes a GridFS file and its chunks (a failed upload, or the loser of a dedupe). */
  private async discard(fileId: string): Promise<void> {
    await this.bucket.delete(new mongoose.Types.ObjectId(fileId)).catch((err: unknown) => {
      this.ctx.log.warn({ err, fileId }, 'could not delete an evidence file');
    });
  }

  /** Keeps the bytes once per dispute, records this upload, and posts it in its channel. */
  private async record(
    user: User,
    dispute: DisputeDoc,
    input: z.output<typeof uploadEvidenceFieldsSchema>,
    file: StoredFile,
  ): Promise<EvidenceDoc> {
    const fileId = await this.keepOnce(dispute._id, file);
    const doc = await this.insert({
      disputeId: dispute._id,
      channel: input.channel,
      uploaderId: user.id,
      filename: file.filename,
      contentType: file.type.mime,
      size: file.size,
      sha256: file.sha256,
      description: input.description,
      fileId,
      createdAt: this.ctx.clock.now(),
    });
    const { doc: entry, created } = await this.deps.log.append({
      disputeId: dispute._id,
      channel: doc.channel,
      kind: 'evidence',
      authorId: user.id,
      authorRole: user.role,
      body: doc.description ? `${doc.filename}: ${doc.description}` : doc.filename,
      idemKey: `evidence:${doc._id}`,
      evidenceIds: [doc._id],
      evidenceSha256: [doc.sha256],
    });
    // The uploader has read their own entry (fan-out follows from `entry.appended`).
    if (created) this.deps.log.raiseRead(dispute._id, entry.channel, user.id, entry.seq);
    this.deps.events.publish('evidence.stored', { evidence: doc });
    return doc;
  }

  /**
   * The first upload of some bytes in a dispute keeps its GridFS file; a later (or racing)
   * one loses the unique insert, deletes its own copy and points at the kept one.
   */
  private async keepOnce(disputeId: string, file: StoredFile): Promise<string> {
    const blob: BlobDoc = {
      _id: blobKey(disputeId, file.sha256),
      disputeId,
      sha256: file.sha256,
      fileId: file.fileId,
      size: file.size,
      createdAt: this.ctx.clock.now(),
    };
    try {
      await this.models.blobs.collection.insertOne(blob as never);
      return file.fileId;
    } catch (err) {
      if (!isDuplicateKey(err)) {
        await this.discard(file.fileId);
        throw err;
      }
    }
    const kept = await this.models.blobs.findById(blob._id).lean<BlobDoc>();
    await this.discard(file.fileId);
    if (!kept) throw conflict('the upload raced another one; try again');
    return kept.fileId;
  }

  /** Inserts under the channel's next free seq; a taken seq (another upload) moves it on. */
  private async insert(fields: Omit<EvidenceDoc, '_id' | 'seq'>): Promise<EvidenceDoc> {
    const key = `${fields.disputeId}:${fields.channel}`;
    let seq = await this.freeSeq(fields.disputeId, fields.channel);
    for (let attempt = 0; attempt < 100; attempt++, seq++) {
      const doc: EvidenceDoc = {
        ...fields,
        _id: evidenceKey(fields.disputeId, fields.channel, seq),
        seq,
      };
      try {
        await this.models.evidence.collection.insertOne(doc as never);
      } catch (err) {
        if (isDuplicateKey(err)) continue;
        throw err;
      }
      this.remember(key, seq);
      return doc;
    }
    throw conflict('too many uploads at once in this channel; try again');
  }

  private async freeSeq(disputeId: string, channel: Channel): Promise<number> {
    let seq = this.heads.get(`${disputeId}:${channel}`) ?? 0;
    while (await this.models.evidence.exists({ _id: evidenceKey(disputeId, channel, seq + 1) })) {
      seq++;
    }
    return seq + 1;
  }

  private remember(key: string, seq: number): void {
    if (seq <= (this.heads.get(key) ?? 0)) return;
    if (this.heads.size >= 50_000) this.heads.clear();
    this.heads.set(key, seq);
  }

  // ---- reading -------------------------------------------------------------

  /** Evidence of the channels the caller may read (or of one named channel), oldest first. */
  async list(user: User, disputeId: string, query: unknown): Promise<Evidence[]> {
    const { relation } = await this.deps.disputes.visible(user, disputeId);
    const q = parse(listEvidenceQuerySchema, query);
    // A channel the caller may not read has no evidence as far as they can tell.
    if (q.channel && !canRead(relation, q.channel)) throw notFound('evidence');
    const channels = q.channel ? [q.channel] : readableChannels(relation);
    const docs = await this.ofDispute(disputeId, channels);
    return docs.map(toEvidence);
  }

  /** Every record of the given channels (for staff views such as transcripts). */
  async ofDispute(disputeId: string, channels: Channel[]): Promise<EvidenceDoc[]> {
    const perChannel = await Promise.all(channels.map((c) => this.ofChannel(disputeId, c)));
    return perChannel
      .flat()
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.seq - b.seq);
  }

  /** A channel's records by primary key, seq 1 upwards until the first missing one. */
  private async ofChannel(disputeId: string, channel: Channel): Promise<EvidenceDoc[]> {
    const key = `${disputeId}:${channel}`;
    const out: EvidenceDoc[] = [];
    let batch = (this.heads.get(key) ?? 0) + 1;
    for (let from = 1; ; from += batch, batch = 16) {
      const ids = Array.from({ length: batch }, (_, i) =>
        evidenceKey(disputeId, channel, from + i),
      );
      const found = await this.byIds(ids);
      for (const id of ids) {
        const doc = found.get(id);
        if (!doc) {
          this.remember(key, out.length);
          return out;
        }
        out.push(doc);
      }
    }
  }

  private async byIds(ids: string[]): Promise<Map<string, EvidenceDoc>> {
    let docs: (EvidenceDoc | null)[];
    if (this.ctx.flavor === 'mongodb') {
      docs = await this.models.evidence.find({ _id: { $in: ids } }).lean<EvidenceDoc[]>();
    } else {
      // FerretDB reads the whole collection for anything but `{_id}`; point reads are cheaper.
      docs = await Promise.all(
        ids.map((id) => this.models.evidence.findById(id).lean<EvidenceDoc>()),
      );
    }
    return new Map(docs.filter((d): d is EvidenceDoc => d !== null).map((d) => [d._id, d]));
  }

  /**
   * A record the caller may read, for download. Anything it may not see (another dispute,
   * a caucus it is not in) is 404, with the same message as one that does not exist.
   */
  async open(
    user: User,
    evidenceId: string,
  ): Promise<{ evidence: EvidenceDoc; type: EvidenceType }> {
    const missing = notFound('evidence');
    if (!idSchema.safeParse(evidenceId).success) throw missing;
    const doc = await this.models.evidence.findById(evidenceId).lean<EvidenceDoc>();
    if (!doc) throw missing;
    let relation: Relation;
    try {
      ({ relation } = await this.deps.disputes.visible(user, doc.disputeId));
    } catch (err) {
      throw err instanceof AppError && err.code === 'not_found' ? missing : err;
    }
    if (!canRead(relation, doc.channel)) throw missing;
    const type = typeOf(doc.contentType);
    if (!type) throw missing;
    return { evidence: doc, type };
  }

  /** The stored bytes, or the inclusive byte range `start..end` of them. */
  read(doc: EvidenceDoc, range?: { start: number; end: number }): Readable {
    return this.bucket.openDownloadStream(
      new mongoose.Types.ObjectId(doc.fileId),
      range ? { start: range.start, end: range.end + 1 } : {},
    );
  }

  // ---- attaching to messages -----------------------------------------------

  /**
   * For a message in `channel`: every id must be evidence of this dispute that all readers
   * of the channel may see. One message for both failures, so it leaks no existence.
   */
  async attachable(
    disputeId: string,
    channel: Channel,
    ids: string[],
  ): Promise<{ id: string; sha256: string }[]> {
    const unique = [...new Set(ids)];
    const found = await this.byIds(unique);
    const problems = unique.flatMap((id) => {
      const doc = found.get(id);
      return doc && doc.disputeId === disputeId && audienceWithin(channel, doc.channel)
        ? []
        : [
            {
              path: `evidenceIds.${ids.indexOf(id)}`,
              message: `no evidence of this dispute with this id that every reader of ${channel} may see`,
            },
          ];
    });
    if (problems.length) throw new AppError('validation_failed', 'request is invalid', problems);
    return unique.map((id) => ({ id, sha256: found.get(id)!.sha256 }));
  }
}
