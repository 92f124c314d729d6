import { z } from 'zod';
import { idSchema, isoDateSchema } from './common.js';
import { channelSchema } from './channels.js';
import {
  disputeSchema,
  disputeStateSchema,
  feedbackSchema,
  outcomeKindSchema,
  proposalSchema,
} from './disputes.js';
import { evidenceSchema } from './evidence.js';
import { historyMessageSchema } from './history.js';
import { messageSchema } from './messages.js';

const dateParam = z.iso
  .datetime({ offset: true })
  .or(z.iso.date())
  .transform((v) => new Date(v));

export const opsSearchQuerySchema = z.object({
  state: disputeStateSchema.optional(),
  outcome: outcomeKindSchema.optional(),
  mediatorId: idSchema.optional(),
  from: dateParam.optional(),
  to: dateParam.optional(),
  q: z.string().trim().max(200).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export const reviewBodySchema = z.strictObject({
  score: z.number().int().min(0).max(100),
  notes: z.string().trim().max(5_000).default(''),
});
export const reviewSchema = z.object({
  id: z.string(),
  disputeId: z.string(),
  reviewerId: z.string(),
  score: z.number().int(),
  notes: z.string(),
  createdAt: isoDateSchema,
  updatedAt: isoDateSchema,
});
export type Review = z.infer<typeof reviewSchema>;

export const auditEntrySchema = z.object({
  version: z.number().int(),
  type: z.string(),
  actorId: z.string(),
  from: disputeStateSchema,
  to: disputeStateSchema,
  at: isoDateSchema,
  note: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const chainResultSchema = z.object({
  verified: z.boolean(),
  broken: z.array(z.object({ channel: channelSchema, seq: z.number().int() })),
});

export const transcriptSchema = z.object({
  dispute: disputeSchema,
  participants: z.record(
    z.string(),
    z.object({ name: z.string(), role: z.string(), email: z.string() }),
  ),
  messages: z.array(messageSchema),
  evidence: z.array(evidenceSchema),
  proposals: z.array(proposalSchema),
  audit: z.array(auditEntrySchema),
  feedback: z.array(feedbackSchema),
  reviews: z.array(reviewSchema),
  chain: chainResultSchema,
  /** The conversation before the dispute (imported from the marketplace), oldest first. */
  history: z.array(historyMessageSchema),
  /** sha256 hex of the canonical JSON of `history` (see canonicalHistory). */
  historyHash: z.string(),
});
export type Transcript = z.infer<typeof transcriptSchema>;

export const metricsQuerySchema = z.object({
  from: dateParam.optional(),
  to: dateParam.optional(),
});

export const weeklyPointSchema = z.object({
  week: z.string(),
  opened: z.number().int(),
  resolved: z.number().int(),
});

export const metricsSchema = z.object({
  from: isoDateSchema,
  to: isoDateSchema,
  opened: z.number().int(),
  resolved: z.number().int(),
  byOutcome: z.partialRecord(outcomeKindSchema, z.number().int()),
  selfResolvedShare: z.number().nullable(),
  medianFirstMediatorReplyMs: z.number().nullable(),
  medianTimeToResolutionMs: z.number().nullable(),
  deadlineBreaches: z.number().int(),
  meanCsat: z.number().nullable(),
  weekly: z.array(weeklyPointSchema),
});
export type Metrics = z.infer<typeof metricsSchema>;

export const webhookEvents = [
  'dispute.opened',
  'dispute.state_changed',
  'dispute.resolved',
] as const;
export const webhookEventSchema = z.enum(webhookEvents);
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

export const createWebhookBodySchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2_000),
  secret: z.string().min(16).max(200),
  events: z.array(webhookEventSchema).min(1),
});
export const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(webhookEventSchema),
  createdAt: isoDateSchema,
  /** Set when it was switched off after too many failures in a row; null while active. */
  disabledAt: isoDateSchema.nullable(),
  consecutiveFailures: z.number().int(),
});
export const deliverySchema = z.object({
  id: z.string(),
  webhookId: z.string(),
  event: webhookEventSchema,
  disputeId: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.array(
    z.object({
      at: isoDateSchema,
      status: z.number().int().nullable(),
      error: z.string().nullable(),
      ms: z.number(),
    }),
  ),
  createdAt: isoDateSchema,
});
export type Delivery = z.infer<typeof deliverySchema>;

/** The background job queues an admin can look into. */
export const jobQueues = [
  'facts',
  'webhooks',
  'schedules',
  'mail',
  'reminders',
  'rollups',
] as const;
export const jobQueueSchema = z.enum(jobQueues);

/** `GET /api/admin/queues`: each background queue's counts and its failed jobs (dead letters). */
export const queueSummarySchema = z.object({
  name: jobQueueSchema,
  counts: z.object({
    waiting: z.number(),
    active: z.number(),
    delayed: z.number(),
    completed: z.number(),
    failed: z.number(),
  }),
  failed: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      failedReason: z.string(),
      attemptsMade: z.number(),
      failedAt: isoDateSchema.nullable(),
      data: z.unknown(),
    }),
  ),
});
export type QueueSummary = z.infer<typeof queueSummarySchema>;

/** `POST /api/admin/queues/:queue/retry`: a failed job (dead letter) to run again. */
export const retryJobBodySchema = z.strictObject({ jobId: z.string().min(1).max(300) });
