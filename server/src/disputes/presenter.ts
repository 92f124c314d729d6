import {
  readableChannels,
  relationTo,
  type Channel,
  type Dispute,
  type Feedback,
  type Proposal,
  type Settlement,
  type User,
} from '@dispute-room/shared';
import type { ChannelLog } from '../messages/service.js';
import type { DisputeDoc, FeedbackDoc, ProposalDoc, SettlementDoc } from './model.js';

function presentSettlement(s: SettlementDoc | null | undefined): Settlement | null {
  if (!s) return null;
  return {
    status: s.status,
    clientCents: s.clientCents,
    freelancerCents: s.freelancerCents,
    idempotencyKey: s.idempotencyKey,
    reference: s.reference,
    updatedAt: new Date(s.updatedAt).toISOString(),
  };
}

/** Whoever a view is shaped for: a user, or a role standing for a whole audience (queues, staff). */
export type Viewer = User | { id: string; role: User['role'] };

export interface ViewOptions {
  /** false: heads as this instance knows them (lists, list updates); default: read afresh. */
  freshHeads?: boolean;
  /** Heads and read positions the caller has just loaded (a join), to avoid reading twice. */
  known?: {
    heads: Partial<Record<Channel, number>>;
    reads: Partial<Record<Channel, Record<string, number>>>;
  };
}

/** The API shape of a dispute, given the heads and unread counts of the viewer's channels. */
export function presentDispute(
  d: DisputeDoc,
  heads: Partial<Record<Channel, number>>,
  unread: Partial<Record<Channel, number>>,
): Dispute {
  return {
    id: d._id,
    number: d.number,
    contractId: d.contractId,
    contractTitle: d.contractTitle,
    state: d.state,
    claimantId: d.claimantId,
    respondentId: d.respondentId,
    clientId: d.clientId,
    freelancerId: d.freelancerId,
    mediatorId: d.mediatorId,
    reason: d.reason,
    description: d.description,
    claimCents: d.claimCents,
    escrowCents: d.escrowCents,
    currency: d.currency,
    respondBy: d.respondBy.toISOString(),
    mediationEndsBy: d.mediationEndsBy?.toISOString() ?? null,
    outcome: d.outcome
      ? { ...d.outcome, decidedAt: new Date(d.outcome.decidedAt).toISOString() }
      : null,
    settlement: presentSettlement(d.settlement),
    heads,
    unread,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    closedAt: d.closedAt?.toISOString() ?? null,
  };
}

/** A dispute as one viewer sees it: heads and unread only of the channels they may read. */
export async function viewDispute(
  log: ChannelLog,
  d: DisputeDoc,
  viewer: Viewer,
  opts: ViewOptions = {},
): Promise<Dispute> {
  const channels = readableChannels(relationTo(viewer, d));
  const known = opts.known;
  const loaded = await Promise.all(
    channels.map((c) =>
      known?.heads[c] !== undefined
        ? known.heads[c]
        : opts.freshHeads === false
          ? log.knownHead(d._id, c)
          : log.loadHead(d._id, c).then((h) => h.seq),
    ),
  );
  const reads = known?.reads ?? (await log.reads(d._id, channels, [viewer.id]));
  const heads: Partial<Record<Channel, number>> = {};
  const unread: Partial<Record<Channel, number>> = {};
  channels.forEach((c, i) => {
    const head = loaded[i]!;
    heads[c] = head;
    unread[c] = Math.max(0, head - (reads[c]?.[viewer.id] ?? 0));
  });
  return presentDispute(d, heads, unread);
}

export function toProposal(doc: ProposalDoc): Proposal {
  return {
    id: doc._id,
    disputeId: doc.disputeId,
    authorId: doc.authorId,
    clientCents: doc.clientCents,
    freelancerCents: doc.freelancerCents,
    note: doc.note,
    status: doc.status,
    acceptedBy: doc.acceptedBy,
    createdAt: doc.createdAt.toISOString(),
  };
}

export function toFeedback(doc: FeedbackDoc): Feedback {
  return {
    id: doc._id,
    disputeId: doc.disputeId,
    userId: doc.userId,
    rating: doc.rating,
    comment: doc.comment,
    createdAt: doc.createdAt.toISOString(),
  };
}
