import { z } from 'zod';
import { externalIdSchema, isoDateSchema } from './common.js';
import { canonicalJson, messageBodySchema } from './messages.js';

/** The most messages one `POST /api/contracts/:id/history` may carry. */
export const MAX_HISTORY_PER_CALL = 1_000;

/** One message of the client↔freelancer conversation the marketplace held before a dispute. */
export const importedMessageSchema = z.strictObject({
  externalId: externalIdSchema,
  authorExternalId: externalIdSchema,
  body: messageBodySchema,
  sentAt: z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString()),
});

export const importHistoryBodySchema = z.strictObject({
  messages: z.array(importedMessageSchema).min(1).max(MAX_HISTORY_PER_CALL),
});
export type ImportHistoryBody = z.infer<typeof importHistoryBodySchema>;

export const importHistoryResultSchema = z.object({
  imported: z.number().int(),
  skipped: z.number().int(),
});

/** A message of the conversation before the dispute, as readers get it. */
export const historyMessageSchema = z.object({
  externalId: z.string(),
  authorId: z.string(),
  body: z.string(),
  sentAt: isoDateSchema,
});
export type HistoryMessage = z.infer<typeof historyMessageSchema>;

/**
 * `GET /api/disputes/:id/history`: `cursor` pages forward (oldest first, as api.md says);
 * `before` pages backward from the newest, for a reader that shows the latest first and
 * loads older ones on scrolling up (each page still oldest first).
 */
export const historyQuerySchema = z.object({
  cursor: z.string().max(300).optional(),
  before: z.string().max(300).optional(),
  latest: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const historyPageSchema = z.object({
  messages: z.array(historyMessageSchema),
  /** The page after this one (newer), or null. */
  nextCursor: z.string().nullable(),
  /** The page before this one (older), or null. */
  prevCursor: z.string().nullable(),
});
export type HistoryPage = z.infer<typeof historyPageSchema>;

/**
 * `transcript.historyHash`: sha256 hex of this text, the canonical JSON (keys sorted, no
 * spaces) of the imported messages in order. Anyone with the history can recompute it.
 */
export function canonicalHistory(messages: readonly HistoryMessage[]): string {
  return canonicalJson(
    messages.map((m) => ({
      externalId: m.externalId,
      authorId: m.authorId,
      body: m.body,
      sentAt: m.sentAt,
    })),
  );
}
