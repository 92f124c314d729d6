import { z } from 'zod';
import { AppError } from './errors.js';

/** A time a Date can hold (ms since 1970) and an id: where a page ends. */
export interface PageBoundary {
  at: Date;
  id: string;
}

/**
 * Cursors that page by key (a time, then an id): opaque to clients (base64url JSON), and any
 * cursor we never gave out — not JSON, wrong shape, out-of-range time, an id the rule refuses —
 * is the caller's mistake (400 at `path`), never a server error.
 */
export function keyCursors(idRule: z.ZodType<string>) {
  const schema = z.tuple([z.number().int().min(0).max(8.64e15), idRule]);
  return {
    encode: (at: Date, id: string) =>
      Buffer.from(JSON.stringify([at.getTime(), id])).toString('base64url'),
    decode(cursor: string, path = 'cursor'): PageBoundary {
      let decoded: unknown = null;
      try {
        decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        // not JSON: refused below like any other shape we never gave out
      }
      const parsed = schema.safeParse(decoded);
      if (parsed.success) return { at: new Date(parsed.data[0]), id: parsed.data[1] };
      throw new AppError('validation_failed', 'request is invalid', [
        { path, message: 'not a cursor we gave out' },
      ]);
    },
  };
}
