import { Schema, type Connection, type Model } from 'mongoose';
import { dayOfUtc, hourOfUtc } from './business-days.js';
import type {
  DisputeState,
  Outcome,
  ProposalStatus,
  Reason,
  SettlementStatus,
} from '@dispute-room/shared';

/**
 * The current state of a dispute: a projection of its event log (DisputeEventDoc),
 * written only by whoever inserted the event it reflects (`version`).
 */
export interface DisputeDoc {
  _id: string;
  number: string;
  contractId: string;
  contractTitle: string;
  state: DisputeState;
  claimantId: string;
  respondentId: string;
  clientId: string;
  freelancerId: string;
  mediatorId: string | null;
  reason: Reason;
  description: string;
  claimCents: number;
  escrowCents: number;
  currency: string;
  respondBy: Date;
  mediationEndsBy: Date | null;
  mediationStartedAt: Date | null;
  everAssigned: boolean;
  /** The one pending proposal, folded from the log: what acceptances are checked against. */
  pending: PendingProposal | null;
  outcome: (Omit<Outcome, 'decidedAt'> & { decidedAt: Date }) | null;
  /** The payout of a resolved split, confirmed by the marketplace; absent or null otherwise. */
  settlement?: SettlementDoc | null;
  /**
   * `settlement.status` at the top level: pending payouts are found by an indexed equality
   * (FerretDB reads a whole collection to filter on a nested field).
   */
  settlementStatus?: SettlementStatus | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  /** closedAt, else createdAt: the order ops search lists disputes in. */
  sortAt: Date;
  /** The UTC day of `sortAt`: the day of its words in the text index (filters go by searchKeys). */
  sortDay: string;
  /** The UTC day of `createdAt`: staff lists read one day's filings at a time. */
  createdDay: string;
  /**
   * `QUEUED` while the dispute is in mediation with no mediator, else null: the mediation
   * queue is one indexed equality that reads only what waits (FerretDB pushes no `null` or
   * two-field filter down; the live disputes are thousands at the team's volume).
   */
  queue?: typeof QUEUED | null;
  /**
   * `<mediatorId>:<YYYY-MM of createdAt>` while a mediator holds it, else null: a mediator's
   * own list reads a month of their disputes at a time (a busy one holds thousands a year).
   */
  mediatorMonth?: string | null;
  /**
   * Ops search's buckets: `<day or hour of sortAt>|<facets>` for every combination of the
   * facets the dispute has (state, outcome kind, mediator), none included (see
   * searchKeysOf). A search is one indexed equality per day or hour: two equalities
   * (`sortDay` and `state`) made PostgreSQL intersect the day's rows with every dispute of
   * that state (a BitmapAnd of both indexes), a read that grew with the history; hours keep
   * a first page from reading a busy day's thousand.
   */
  searchKeys?: string[];
}

export const QUEUED = 'unassigned';

/** The queue key a dispute's state and mediator give it. */
export function queueOf(d: Pick<DisputeDoc, 'state' | 'mediatorId'>): typeof QUEUED | null {
  return d.state === 'mediation' && d.mediatorId === null ? QUEUED : null;
}

/** A mediator's month key (see `mediatorMonth`). */
export const mediatorMonthKey = (mediatorId: string, month: string) => `${mediatorId}:${month}`;

/** The facets ops search filters on by equality. */
export interface SearchFacets {
  state?: string;
  outcome?: string;
  mediatorId?: string;
}

/** The key of a day's ("2026-03-02") or an hour's ("2026-03-02T14") bucket for some facets. */
export function searchKey(unit: string, f: SearchFacets): string {
  const parts = [unit];
  if (f.state) parts.push(`state=${f.state}`);
  if (f.outcome) parts.push(`outcome=${f.outcome}`);
  if (f.mediatorId) parts.push(`mediator=${f.mediatorId}`);
  return parts.join('|');
}

/**
 * Every key a dispute is found under: its day and hour, each with every combination of its
 * facets, none included (≤ 16).
 */
export function searchKeysOf(
  d: Pick<DisputeDoc, 'sortAt' | 'state' | 'mediatorId'> & { outcome: { kind: string } | null },
): string[] {
  const present: [keyof SearchFacets, string][] = [['state', d.state]];
  if (d.outcome) present.push(['outcome', d.outcome.kind]);
  if (d.mediatorId) present.push(['mediatorId', d.mediatorId]);
  const keys: string[] = [];
  for (const unit of [dayOfUtc(d.sortAt), hourOfUtc(d.sortAt)])
    for (let mask = 0; mask < 1 << present.length; mask++)
      keys.push(
        searchKey(
          unit,
          Object.fromEntries(present.filter((_, i) => mask & (1 << i))) as SearchFacets,
        ),
      );
  return keys;
}

export function mediatorMonthOf(d: Pick<DisputeDoc, 'mediatorId' | 'createdAt'>): string | null {
  return d.mediatorId
    ? mediatorMonthKey(d.mediatorId, d.createdAt.toISOString().slice(0, 7))
    : null;
}

export interface SettlementDoc {
  status: SettlementStatus;
  clientCents: number;
  freelancerCents: number;
  idempotencyKey: string;
  reference: string | null;
  /** When the dispute was resolved with this split: a payout pending 24 h after is overdue. */
  createdAt: Date;
  updatedAt: Date;
}

export interface PendingProposal {
  id: string;
  authorId: string;
  clientCents: number;
  freelancerCents: number;
  acceptedBy: string[];
}

export type DisputeEventType =
  | 'filed'
  | 'responded'
  | 'assigned'
  | 'withdrawn'
  | 'escalated'
  | 'proposed'
  | 'proposal_accepted'
  | 'proposal_rejected'
  | 'deadline'
  | 'settlement_reported';

export interface DisputeEventData {
  accept?: boolean;
  mediatorId?: string;
  previousMediatorId?: string | null;
  proposalId?: string;
  clientCents?: number;
  freelancerCents?: number;
  resolves?: boolean;
  deadline?: 'respond' | 'mediation';
  mediationEndsBy?: Date;
  settlementStatus?: 'paid' | 'failed';
  reference?: string;
}

/**
 * One entry of a dispute's append-only log. `_id` = `<disputeId>:<version>`: the insert
 * of version n+1 is the atomic decision that a command applied, on FerretDB and MongoDB alike.
 */
export interface DisputeEventDoc {
  _id: string;
  disputeId: string;
  version: number;
  type: DisputeEventType;
  actorId: string;
  from: DisputeState;
  to: DisputeState;
  at: Date;
  note: string;
  data: DisputeEventData;
}

export interface ProposalDoc {
  _id: string;
  disputeId: string;
  authorId: string;
  clientCents: number;
  freelancerCents: number;
  note: string;
  status: ProposalStatus;
  acceptedBy: string[];
  createdAt: Date;
  /** Version of the dispute event that last changed this projection. */
  version: number;
}

export interface FeedbackDoc {
  _id: string;
  disputeId: string;
  userId: string;
  rating: number;
  comment: string;
  createdAt: Date;
}

const outcomeSchema = new Schema(
  {
    kind: String,
    clientCents: Number,
    freelancerCents: Number,
    proposalId: String,
    decidedBy: String,
    decidedAt: Date,
    note: String,
  },
  { _id: false },
);

const disputeSchema = new Schema<DisputeDoc>(
  {
    _id: { type: String, required: true },
    number: { type: String, required: true },
    contractId: { type: String, required: true, index: true },
    contractTitle: { type: String, required: true },
    state: { type: String, required: true, index: true },
    claimantId: { type: String, required: true },
    respondentId: { type: String, required: true },
    clientId: { type: String, required: true, index: true },
    freelancerId: { type: String, required: true, index: true },
    mediatorId: { type: String, default: null, index: true },
    reason: { type: String, required: true },
    description: { type: String, required: true },
    claimCents: { type: Number, required: true },
    escrowCents: { type: Number, required: true },
    currency: { type: String, required: true },
    respondBy: { type: Date, required: true },
    mediationEndsBy: { type: Date, default: null },
    mediationStartedAt: { type: Date, default: null },
    everAssigned: { type: Boolean, default: false },
    pending: { type: Schema.Types.Mixed, default: null },
    outcome: { type: outcomeSchema, default: null },
    settlement: { type: Schema.Types.Mixed, default: null },
    settlementStatus: { type: String, default: null, index: true },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true, index: true },
    updatedAt: { type: Date, required: true },
    closedAt: { type: Date, default: null, index: true },
    sortAt: { type: Date, required: true, index: true },
    sortDay: { type: String, required: true, index: true },
    createdDay: { type: String, required: true, index: true },
    queue: { type: String, default: null, index: true },
    mediatorMonth: { type: String, default: null, index: true },
    searchKeys: { type: [String], default: undefined, index: true },
  },
  { versionKey: false, collection: 'disputes', minimize: false },
);

const eventSchema = new Schema<DisputeEventDoc>(
  {
    _id: { type: String, required: true },
    disputeId: { type: String, required: true, index: true },
    version: { type: Number, required: true },
    type: { type: String, required: true },
    actorId: { type: String, required: true },
    from: { type: String, required: true },
    to: { type: String, required: true },
    at: { type: Date, required: true },
    note: { type: String, default: '' },
    data: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, collection: 'dispute_events', minimize: false },
);

const proposalSchema = new Schema<ProposalDoc>(
  {
    _id: { type: String, required: true },
    disputeId: { type: String, required: true, index: true },
    authorId: { type: String, required: true },
    clientCents: { type: Number, required: true },
    freelancerCents: { type: Number, required: true },
    note: { type: String, default: '' },
    status: { type: String, required: true },
    acceptedBy: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
    version: { type: Number, required: true },
  },
  { versionKey: false, collection: 'proposals' },
);

const feedbackSchema = new Schema<FeedbackDoc>(
  {
    _id: { type: String, required: true },
    disputeId: { type: String, required: true, index: true },
    userId: { type: String, required: true },
    rating: { type: Number, required: true },
    comment: { type: String, default: '' },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'feedback' },
);

/** `_id` = the number: allocating one is a unique insert. */
const numberSchema = new Schema<{ _id: number; disputeId: string }>(
  { _id: { type: Number, required: true }, disputeId: { type: String, required: true } },
  { versionKey: false, collection: 'dispute_numbers' },
);

/** `_id` = contractId while a dispute on it is open or in mediation: one at a time. */
const activeSchema = new Schema<{ _id: string; disputeId: string }>(
  { _id: { type: String, required: true }, disputeId: { type: String, required: true } },
  { versionKey: false, collection: 'active_disputes' },
);

function model<T>(conn: Connection, name: string, schema: Schema<T>): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
}

/** `_id` = disputeId: the first text entry of its mediator, recorded once (metrics). */
const firstReplySchema = new Schema<{ _id: string; mediatorId: string; at: Date }>(
  {
    _id: { type: String, required: true },
    mediatorId: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'mediator_first_replies' },
);

/** `_id` = "first" | "last": the span of days that hold disputes (ops search walks within it). */
const daySpanSchema = new Schema<{ _id: string; day: string }>(
  { _id: { type: String, required: true }, day: { type: String, required: true } },
  { versionKey: false, collection: 'dispute_day_span' },
);

export function disputeModels(conn: Connection) {
  return {
    disputes: model(conn, 'Dispute', disputeSchema),
    events: model(conn, 'DisputeEvent', eventSchema),
    proposals: model(conn, 'Proposal', proposalSchema),
    feedback: model(conn, 'Feedback', feedbackSchema),
    numbers: model(conn, 'DisputeNumber', numberSchema),
    active: model(conn, 'ActiveDispute', activeSchema),
    firstReplies: model(conn, 'MediatorFirstReply', firstReplySchema),
    daySpan: model(conn, 'DisputeDaySpan', daySpanSchema),
  };
}

export type DisputeModels = ReturnType<typeof disputeModels>;
