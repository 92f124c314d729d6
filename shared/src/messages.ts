import { z } from 'zod';
import { idSchema, isoDateSchema } from './common.js';
import { channelSchema, type Channel } from './channels.js';

export const messageKinds = ['text', 'system', 'proposal', 'evidence', 'edit'] as const;
export const messageKindSchema = z.enum(messageKinds);
export type MessageKind = z.infer<typeof messageKindSchema>;

export const MAX_BODY_CHARS = 10_000;

/** Text that is valid Unicode (no lone UTF-16 surrogates, which cannot be stored as UTF-8). */
export const wellFormed = (text: string) =>
  (text as string & { isWellFormed(): boolean }).isWellFormed();

export const messageBodySchema = z
  .string()
  .trim()
  .min(1)
  .max(MAX_BODY_CHARS)
  .refine(wellFormed, 'must be valid Unicode text');

/** Machine-readable detail of a `system` entry. */
export const systemEventSchema = z
  .object({ type: z.string() })
  .catchall(z.union([z.string(), z.number(), z.boolean(), z.null()]));
export type SystemEvent = z.infer<typeof systemEventSchema>;

export const messageSchema = z.object({
  id: z.string(),
  disputeId: z.string(),
  channel: channelSchema,
  seq: z.number().int(),
  kind: messageKindSchema,
  authorId: z.string().nullable(),
  authorRole: z.string().nullable(),
  body: z.string(),
  /** The entry's own text as hashed, when `body` shows a later edit (else null). */
  originalBody: z.string().nullable(),
  evidenceIds: z.array(z.string()),
  proposalId: z.string().nullable(),
  event: systemEventSchema.nullable(),
  editOf: z.string().nullable(),
  clientMsgId: z.string().nullable(),
  createdAt: isoDateSchema,
  editedAt: isoDateSchema.nullable(),
  hash: z.string(),
  prevHash: z.string(),
});
export type Message = z.infer<typeof messageSchema>;

export const clientMsgIdSchema = z.string().min(1).max(100);

export const sendMessageBodySchema = z.strictObject({
  channel: channelSchema,
  body: messageBodySchema,
  clientMsgId: clientMsgIdSchema,
  evidenceIds: z.array(idSchema).max(20).optional(),
});
export type SendMessageBody = z.infer<typeof sendMessageBodySchema>;

export const editMessageBodySchema = z.strictObject({ body: messageBodySchema });

export const listMessagesQuerySchema = z.object({
  channel: channelSchema,
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const GENESIS_HASH = '0'.repeat(64);

/** What the hash chain covers for one entry (api.md, "Hash chain per channel"). */
export interface ChainEntry {
  disputeId: string;
  channel: Channel;
  seq: number;
  kind: MessageKind;
  authorId: string | null;
  body: string;
  evidenceSha256: string[];
  proposalId: string | null;
  event: SystemEvent | null;
  editOf: string | null;
  createdAt: string;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** JSON with keys sorted at every depth and no spaces: the text that gets hashed. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** The canonical text of one chain entry (only the fields the chain covers). */
export function canonicalEntry(entry: ChainEntry): string {
  const picked: ChainEntry = {
    disputeId: entry.disputeId,
    channel: entry.channel,
    seq: entry.seq,
    kind: entry.kind,
    authorId: entry.authorId,
    body: entry.body,
    evidenceSha256: entry.evidenceSha256,
    proposalId: entry.proposalId,
    event: entry.event,
    editOf: entry.editOf,
    createdAt: entry.createdAt,
  };
  return canonicalJson(picked);
}
