import { z } from 'zod';
import { isoDateSchema } from './common.js';
import { channelSchema } from './channels.js';

export const evidenceSchema = z.object({
  id: z.string(),
  disputeId: z.string(),
  uploaderId: z.string(),
  channel: channelSchema,
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  description: z.string(),
  createdAt: isoDateSchema,
});
export type Evidence = z.infer<typeof evidenceSchema>;

export const uploadEvidenceFieldsSchema = z.strictObject({
  channel: channelSchema.default('joint'),
  description: z.string().trim().max(2_000).default(''),
});

export const listEvidenceQuerySchema = z.object({ channel: channelSchema.optional() });

/** `GET /api/evidence/:id/content`: `inline` is honoured for images and PDF only. */
export const evidenceContentQuerySchema = z.object({
  disposition: z.enum(['attachment', 'inline']).default('attachment'),
});
