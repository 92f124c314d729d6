import { addDays } from 'date-fns';
import { isTerminal, type DisputeState } from '@dispute-room/shared';
import { conflict } from '../http/errors.js';
import { dayOfUtc } from './business-days.js';
import {
  mediatorMonthOf,
  searchKeysOf,
  queueOf,
  type DisputeDoc,
  type DisputeEventData,
  type DisputeEventType,
} from './model.js';

/**
 * The dispute lifecycle as pure functions: `decide` turns a command into an event
 * (or refuses with 409), `evolve` folds an event into the current state. The
 * service makes the event durable with a unique-key insert; nothing here does I/O.
 */

export type Command =
  | { type: 'respond'; accept: boolean; note: string }
  | { type: 'assign'; mediatorId: string; claim: boolean; note: string }
  | { type: 'withdraw'; note: string }
  | { type: 'escalate'; note: string }
  | {
      type: 'propose';
      proposalId: string;
      clientCents: number;
      freelancerCents: number;
      note: string;
    }
  | { type: 'accept_proposal'; proposalId: string }
  | { type: 'reject_proposal'; proposalId: string }
  | { type: 'deadline' }
  | { type: 'report_settlement'; status: 'paid' | 'failed'; reference: string };

export interface Decision {
  type: DisputeEventType;
  from: DisputeState;
  to: DisputeState;
  note: string;
  data: DisputeEventData;
}

export interface LifecycleRules {
  mediationDays: number;
}

/** Which states each command may start from: the one allowed-from table. */
export const allowedFrom: Record<Command['type'], readonly DisputeState[]> = {
  respond: ['open'],
  assign: ['mediation'],
  withdraw: ['open', 'mediation'],
  escalate: ['mediation'],
  propose: ['open', 'mediation'],
  accept_proposal: ['open', 'mediation'],
  reject_proposal: ['open', 'mediation'],
  deadline: ['open', 'mediation'],
  report_settlement: ['resolved'],
};

export type Actor = { id: string; isParty: boolean } | { id: 'system'; isParty: false };

/** Returns the event a command produces, null when it changes nothing, or throws 409. */
export function decide(
  d: DisputeDoc,
  actor: Actor,
  cmd: Command,
  now: Date,
  rules: LifecycleRules,
): Decision | null {
  if (!allowedFrom[cmd.type].includes(d.state)) {
    throw conflict(`cannot ${cmd.type.replace('_', ' ')} a dispute in state ${d.state}`, {
      state: d.state,
    });
  }
  const same = (type: DisputeEventType, data: DisputeEventData = {}, note = ''): Decision => ({
    type,
    from: d.state,
    to: d.state,
    note,
    data,
  });
  switch (cmd.type) {
    case 'respond':
      return cmd.accept
        ? {
            type: 'responded',
            from: 'open',
            to: 'resolved',
            note: cmd.note,
            data: { accept: true },
          }
        : {
            type: 'responded',
            from: 'open',
            to: 'mediation',
            note: cmd.note,
            data: { accept: false, mediationEndsBy: addDays(now, rules.mediationDays) },
          };
    case 'assign':
      if (d.mediatorId === cmd.mediatorId) return null;
      if (cmd.claim && d.mediatorId !== null) throw conflict('another mediator holds this dispute');
      return same(
        'assigned',
        { mediatorId: cmd.mediatorId, previousMediatorId: d.mediatorId },
        cmd.note,
      );
    case 'withdraw':
      return { type: 'withdrawn', from: d.state, to: 'withdrawn', note: cmd.note, data: {} };
    case 'escalate':
      return { type: 'escalated', from: d.state, to: 'arbitration', note: cmd.note, data: {} };
    case 'propose':
      return same(
        'proposed',
        {
          proposalId: cmd.proposalId,
          clientCents: cmd.clientCents,
          freelancerCents: cmd.freelancerCents,
        },
        cmd.note,
      );
    case 'accept_proposal': {
      const pending = assertPending(d, cmd.proposalId);
      if (pending.acceptedBy.includes(actor.id)) return null;
      const acceptedBy = [...pending.acceptedBy, actor.id];
      const resolves = acceptedBy.includes(d.clientId) && acceptedBy.includes(d.freelancerId);
      return {
        type: 'proposal_accepted',
        from: d.state,
        to: resolves ? 'resolved' : d.state,
        note: '',
        data: { proposalId: pending.id, resolves },
      };
    }
    case 'reject_proposal':
      assertPending(d, cmd.proposalId);
      return same('proposal_rejected', { proposalId: cmd.proposalId });
    case 'report_settlement': {
      const s = d.settlement;
      if (!s)
        throw conflict('this dispute has no payout to confirm (it was not resolved with a split)');
      // The marketplace repeating itself (a retried request) changes nothing.
      if (s.status === cmd.status && s.reference === cmd.reference) return null;
      // Paid is final: money that left cannot be reported as failed or paid again differently.
      // A failed payout may be retried and then reported paid (or failed again, anew).
      if (s.status === 'paid') {
        throw conflict('the payout is already confirmed as paid', {
          status: s.status,
          reference: s.reference,
        });
      }
      return same('settlement_reported', {
        settlementStatus: cmd.status,
        reference: cmd.reference,
      });
    }
    case 'deadline': {
      if (d.state === 'open' && d.respondBy <= now) {
        return {
          type: 'deadline',
          from: 'open',
          to: 'resolved',
          note: '',
          data: { deadline: 'respond' },
        };
      }
      if (d.state === 'mediation' && d.mediationEndsBy && d.mediationEndsBy <= now) {
        return {
          type: 'deadline',
          from: 'mediation',
          to: 'arbitration',
          note: '',
          data: { deadline: 'mediation' },
        };
      }
      return null;
    }
  }
}

function assertPending(d: DisputeDoc, proposalId: string) {
  if (!d.pending || d.pending.id !== proposalId) {
    throw conflict('this proposal is no longer pending');
  }
  return d.pending;
}

/** The one idempotency key of a dispute's payout: the marketplace de-duplicates by it. */
export const settlementKey = (disputeId: string) => `dispute-${disputeId}-payout`;

/** Claimant gets the claim, respondent the rest of the escrow. */
function claimSplit(d: DisputeDoc) {
  const claimantIsClient = d.claimantId === d.clientId;
  const claimant = d.claimCents;
  const respondent = d.escrowCents - d.claimCents;
  return {
    clientCents: claimantIsClient ? claimant : respondent,
    freelancerCents: claimantIsClient ? respondent : claimant,
  };
}

/** Folds one event into the dispute. Pure: returns a new document. */
export function evolve(
  d: DisputeDoc,
  e: {
    type: DisputeEventType;
    to: DisputeState;
    actorId: string;
    at: Date;
    note: string;
    version: number;
    data: DisputeEventData;
  },
): DisputeDoc {
  const next: DisputeDoc = { ...d, state: e.to, version: e.version, updatedAt: e.at };
  const decided = { decidedBy: e.actorId, decidedAt: e.at, note: e.note };
  const noSplit = { clientCents: null, freelancerCents: null, proposalId: null };
  switch (e.type) {
    case 'responded':
      if (e.data.accept)
        next.outcome = { kind: 'accepted_claim', ...claimSplit(d), proposalId: null, ...decided };
      else {
        next.mediationStartedAt = e.at;
        next.mediationEndsBy = e.data.mediationEndsBy ?? null;
      }
      break;
    case 'assigned':
      next.mediatorId = e.data.mediatorId ?? null;
      next.everAssigned = true;
      break;
    case 'withdrawn':
      next.outcome = { kind: 'withdrawn', ...noSplit, ...decided };
      break;
    case 'escalated':
      next.outcome = { kind: 'escalated', ...noSplit, ...decided };
      break;
    case 'proposed':
      next.pending = {
        id: e.data.proposalId ?? '',
        authorId: e.actorId,
        clientCents: e.data.clientCents ?? 0,
        freelancerCents: e.data.freelancerCents ?? 0,
        // A party's own offer counts as accepted by them; a mediator's recommendation does not.
        acceptedBy: [d.clientId, d.freelancerId].includes(e.actorId) ? [e.actorId] : [],
      };
      break;
    case 'proposal_accepted':
      if (d.pending) {
        next.pending = { ...d.pending, acceptedBy: [...d.pending.acceptedBy, e.actorId] };
        if (e.data.resolves) {
          next.outcome = {
            kind: 'settlement',
            clientCents: d.pending.clientCents,
            freelancerCents: d.pending.freelancerCents,
            proposalId: d.pending.id,
            ...decided,
          };
        }
      }
      break;
    case 'proposal_rejected':
      next.pending = null;
      break;
    case 'deadline':
      next.outcome =
        e.data.deadline === 'respond'
          ? { kind: 'default', ...claimSplit(d), proposalId: null, ...decided, decidedBy: 'system' }
          : { kind: 'escalated', ...noSplit, ...decided, decidedBy: 'system' };
      break;
    case 'settlement_reported':
      if (d.settlement && e.data.settlementStatus) {
        next.settlement = {
          ...d.settlement,
          status: e.data.settlementStatus,
          reference: e.data.reference ?? null,
          updatedAt: e.at,
        };
        next.settlementStatus = e.data.settlementStatus;
      }
      break;
    case 'filed':
      break;
  }
  // Resolved with a split: the payout is the marketplace's to make, and to confirm.
  const split = next.outcome;
  if (
    next.state === 'resolved' &&
    d.state !== 'resolved' &&
    typeof split?.clientCents === 'number' &&
    typeof split.freelancerCents === 'number'
  ) {
    next.settlement = {
      status: 'pending',
      clientCents: split.clientCents,
      freelancerCents: split.freelancerCents,
      idempotencyKey: settlementKey(d._id),
      reference: null,
      createdAt: e.at,
      updatedAt: e.at,
    };
    next.settlementStatus = 'pending';
  }
  // Only the transition into a terminal state closes it (a payout confirmed later does not).
  if (isTerminal(next.state) && !isTerminal(d.state)) {
    next.closedAt = e.at;
    next.sortAt = e.at;
    next.sortDay = dayOfUtc(e.at);
    next.pending = null;
  }
  next.queue = queueOf(next);
  next.mediatorMonth = mediatorMonthOf(next);
  next.searchKeys = searchKeysOf(next);
  return next;
}
