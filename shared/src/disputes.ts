import { z } from 'zod';
import { centsSchema, idSchema, isoDateSchema } from './common.js';
import { channelSchema } from './channels.js';

export const disputeStates = ['open', 'mediation', 'resolved', 'arbitration', 'withdrawn'] as const;
export const disputeStateSchema = z.enum(disputeStates);
export type DisputeState = z.infer<typeof disputeStateSchema>;
export const terminalStates: readonly DisputeState[] = ['resolved', 'arbitration', 'withdrawn'];
export function isTerminal(state: DisputeState): boolean {
  return terminalStates.includes(state);
}

export const reasons = [
  'quality',
  'scope',
  'non_delivery',
  'payment',
  'communication',
  'other',
] as const;
export const reasonSchema = z.enum(reasons);
export type Reason = z.infer<typeof reasonSchema>;

export const outcomeKinds = [
  'accepted_claim',
  'settlement',
  'default',
  'escalated',
  'withdrawn',
] as const;
export const outcomeKindSchema = z.enum(outcomeKinds);
export type OutcomeKind = z.infer<typeof outcomeKindSchema>;

export const outcomeSchema = z.object({
  kind: outcomeKindSchema,
  clientCents: z.number().int().nullable(),
  freelancerCents: z.number().int().nullable(),
  proposalId: z.string().nullable(),
  decidedBy: z.string(),
  decidedAt: isoDateSchema,
  note: z.string(),
});
export type Outcome = z.infer<typeof outcomeSchema>;

const channelCounts = z.partialRecord(channelSchema, z.number().int());

export const settlementStatuses = ['pending', 'paid', 'failed'] as const;
export const settlementStatusSchema = z.enum(settlementStatuses);
export type SettlementStatus = z.infer<typeof settlementStatusSchema>;

/** The payout of a split, made by the marketplace and confirmed here. */
export const settlementSchema = z.object({
  status: settlementStatusSchema,
  clientCents: z.number().int(),
  freelancerCents: z.number().int(),
  /** The same for every attempt at this payout: the marketplace de-duplicates by it. */
  idempotencyKey: z.string(),
  reference: z.string().nullable(),
  updatedAt: isoDateSchema,
});
export type Settlement = z.infer<typeof settlementSchema>;

/** A payout still pending a day after the resolution (`GET /api/ops/settlements/overdue`). */
export const overdueSettlementSchema = z.object({
  disputeId: z.string(),
  number: z.string(),
  clientCents: z.number().int(),
  freelancerCents: z.number().int(),
  currency: z.string(),
  idempotencyKey: z.string(),
  dueAt: isoDateSchema,
});
export type OverdueSettlement = z.infer<typeof overdueSettlementSchema>;

/** `POST /api/disputes/:id/settlement`: the marketplace reports the payout's fate. */
export const reportSettlementBodySchema = z.strictObject({
  status: z.enum(['paid', 'failed']),
  reference: z.string().trim().min(1).max(200),
});
export type ReportSettlementBody = z.infer<typeof reportSettlementBodySchema>;

export const disputeSchema = z.object({
  id: z.string(),
  number: z.string(),
  contractId: z.string(),
  contractTitle: z.string(),
  state: disputeStateSchema,
  claimantId: z.string(),
  respondentId: z.string(),
  clientId: z.string(),
  freelancerId: z.string(),
  mediatorId: z.string().nullable(),
  reason: reasonSchema,
  description: z.string(),
  claimCents: z.number().int(),
  escrowCents: z.number().int(),
  currency: z.string(),
  respondBy: isoDateSchema,
  mediationEndsBy: isoDateSchema.nullable(),
  outcome: outcomeSchema.nullable(),
  /** Set when resolved with a split; null otherwise. */
  settlement: settlementSchema.nullable(),
  heads: channelCounts,
  unread: channelCounts,
  createdAt: isoDateSchema,
  updatedAt: isoDateSchema,
  closedAt: isoDateSchema.nullable(),
});
export type Dispute = z.infer<typeof disputeSchema>;

export const fileDisputeBodySchema = z.strictObject({
  contractId: idSchema,
  reason: reasonSchema,
  description: z.string().trim().min(1).max(10_000),
  claimCents: centsSchema.min(1),
});
export type FileDisputeBody = z.infer<typeof fileDisputeBodySchema>;

/** The most disputes one answer of `GET /api/disputes` holds (also its size without `limit`). */
export const DISPUTE_LIST_MAX = 500;

/**
 * `GET /api/disputes`: newest filing first; `limit` and `cursor` (the `nextCursor` of the page
 * before) page by key, additive to v1 — without them the answer is the first 500, as before.
 */
export const listDisputesQuerySchema = z.object({
  state: disputeStateSchema.optional(),
  assigned: z.enum(['me', 'none']).optional(),
  limit: z.coerce.number().int().min(1).max(DISPUTE_LIST_MAX).optional(),
  cursor: z.string().max(200).optional(),
});

const noteSchema = z.string().trim().max(2_000).optional();

export const respondBodySchema = z.strictObject({ accept: z.boolean(), note: noteSchema });
export const assignBodySchema = z.strictObject({ mediatorId: idSchema.optional() });
export const escalateBodySchema = z.strictObject({ note: noteSchema });
export const withdrawBodySchema = z.strictObject({ note: noteSchema });
export type RespondBody = z.infer<typeof respondBodySchema>;
export type AssignBody = z.infer<typeof assignBodySchema>;
export type EscalateBody = z.infer<typeof escalateBodySchema>;
export type WithdrawBody = z.infer<typeof withdrawBodySchema>;

export const proposalStatuses = [
  'pending',
  'accepted',
  'rejected',
  'superseded',
  'expired',
] as const;
export const proposalStatusSchema = z.enum(proposalStatuses);
export type ProposalStatus = z.infer<typeof proposalStatusSchema>;

export const proposalSchema = z.object({
  id: z.string(),
  disputeId: z.string(),
  authorId: z.string(),
  clientCents: z.number().int(),
  freelancerCents: z.number().int(),
  note: z.string(),
  status: proposalStatusSchema,
  acceptedBy: z.array(z.string()),
  createdAt: isoDateSchema,
});
export type Proposal = z.infer<typeof proposalSchema>;

export const createProposalBodySchema = z.strictObject({
  clientCents: centsSchema,
  freelancerCents: centsSchema,
  note: noteSchema,
});
export type CreateProposalBody = z.infer<typeof createProposalBodySchema>;

export const feedbackBodySchema = z.strictObject({
  rating: z.number().int().min(1).max(5),
  comment: z.string().trim().max(2_000).optional(),
});
export type FeedbackBody = z.infer<typeof feedbackBodySchema>;
export const feedbackSchema = z.object({
  id: z.string(),
  disputeId: z.string(),
  userId: z.string(),
  rating: z.number().int(),
  comment: z.string(),
  createdAt: isoDateSchema,
});
export type Feedback = z.infer<typeof feedbackSchema>;

/** "D-000123": the human number of a dispute. */
export function formatDisputeNumber(n: number): string {
  return `D-${String(n).padStart(6, '0')}`;
}
