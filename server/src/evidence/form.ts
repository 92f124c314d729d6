import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { AppError } from '../http/errors.js';

export interface UploadPart {
  stream: Readable;
  /** As the client named it; untrusted. */
  filename: string;
}

export interface UploadFormOptions<T> {
  /** Name of the one file part. */
  fileField: string;
  /**
   * Fields that decide whether and how the file is stored. Sent before the file, it streams
   * straight to onFile; otherwise it is spooled to a private temporary file (never memory)
   * until the whole form has been read, and onFile sees every field.
   */
  beforeFile: string[];
  /** A spooled file is cut after this many bytes (onFile then sees one byte too many). */
  maxFileBytes: number;
  maxFields: number;
  maxFieldBytes: number;
  /**
   * Consumes the file part (the fields seen so far are given). On failure it must clean up
   * what it stored before rejecting; if the form fails meanwhile, its stream is destroyed.
   */
  onFile(fields: Record<string, string>, part: UploadPart): Promise<T>;
  /** Undoes a stored file when the form fails after onFile finished (e.g. a late field). */
  onAbandon(result: T): Promise<void>;
}

const invalid = (message: string, path = 'file') =>
  new AppError('validation_failed', message, [{ path, message }]);

interface Spooled {
  path: string;
  filename: string;
  remove(): Promise<void>;
}

/**
 * Writes a file part to a temporary file, keeping at most `limit` + 1 bytes (enough for the
 * reader to tell it is too large) while still draining the rest, so the form goes on.
 */
async function spool(stream: Readable, filename: string, limit: number): Promise<Spooled> {
  const dir = await mkdtemp(join(tmpdir(), 'dispute-room-upload-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'file');
  let kept = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      const room = limit + 1 - kept;
      if (room <= 0) return done();
      kept += Math.min(room, chunk.length);
      done(null, chunk.length > room ? chunk.subarray(0, room) : chunk);
    },
  });
  try {
    await pipeline(stream, cap, createWriteStream(path));
    return { path, filename, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

/**
 * Reads a multipart/form-data request with at most one file, streaming that file to onFile
 * as it arrives (never buffered whole). Resolves once the whole form is read and onFile is
 * done; on any failure the rest of the body is discarded so the error answer can go out.
 */
export function readUploadForm<T>(
  req: IncomingMessage,
  opts: UploadFormOptions<T>,
): Promise<{ fields: Record<string, string>; file: T | null }> {
  return new Promise((resolve, reject) => {
    let form: busboy.Busboy;
    try {
      form = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: {
          files: 1,
          fields: opts.maxFields,
          parts: opts.maxFields + 1,
          fieldSize: opts.maxFieldBytes,
          fieldNameSize: 100,
        },
      });
    } catch {
      reject(invalid('expected a multipart/form-data body'));
      return;
    }
    const fields: Record<string, string> = {};
    let file: Readable | null = null;
    let stored: Promise<T> | null = null;
    let spooled: Promise<Spooled> | null = null;
    let settled = false;

    const fail = async (err: unknown) => {
      if (settled) return;
      settled = true;
      req.unpipe(form);
      // Without an error: onFile's read then fails as a premature close, and no stray
      // 'error' event can fire on a stream nobody reads yet.
      file?.destroy();
      // Answer only once what was stored is gone again.
      if (stored) {
        await stored.then((result) => opts.onAbandon(result)).catch(() => undefined);
      }
      if (spooled) await spooled.then((s) => s.remove()).catch(() => undefined);
      req.resume();
      reject(err);
    };

    form.on('field', (name, value, info) => {
      if (info.nameTruncated || info.valueTruncated) {
        void fail(invalid(`${name} is too long`, name));
      } else if (name in fields) {
        void fail(invalid(`${name} is given twice`, name));
      } else {
        fields[name] = value;
      }
    });
    form.on('file', (name, stream, info) => {
      if (name !== opts.fileField || stored || spooled) {
        stream.resume();
        void fail(invalid(`only one file, in the field "${opts.fileField}"`, name));
        return;
      }
      // Failures reach onFile through reading the stream, and the form through fail().
      stream.on('error', () => undefined);
      file = stream;
      const filename = info.filename ?? '';
      if (opts.beforeFile.every((f) => f in fields)) {
        stored = opts.onFile({ ...fields }, { stream, filename });
        stored.catch((err: unknown) => void fail(err));
      } else {
        // What decides about the file may still follow it: keep the bytes aside (on disk,
        // nothing stored) until the form is read, then decide with every field known.
        spooled = spool(stream, filename, opts.maxFileBytes);
        spooled.catch((err: unknown) => void fail(err));
      }
    });
    form.on('filesLimit', () => void fail(invalid('only one file per upload')));
    form.on('fieldsLimit', () => void fail(invalid('too many fields', 'fields')));
    form.on('partsLimit', () => void fail(invalid('too many parts', 'fields')));
    form.on('error', () => void fail(invalid('malformed multipart body')));
    form.on('close', () => {
      if (settled) return;
      const done = spooled
        ? spooled.then((s) => {
            if (settled) return null;
            stored = opts.onFile(
              { ...fields },
              { stream: createReadStream(s.path), filename: s.filename },
            );
            return stored.finally(() => s.remove());
          })
        : (stored ?? Promise.resolve(null));
      done.then(
        (result) => {
          if (settled) return;
          settled = true;
          resolve({ fields, file: result });
        },
        (err: unknown) => void fail(err),
      );
    });
    req.on('error', (err) => void fail(err));
    req.on('close', () => {
      if (!req.complete) void fail(invalid('the upload was interrupted'));
    });
    req.pipe(form);
  });
}
