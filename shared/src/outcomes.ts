import type { Outcome, OutcomeKind } from './disputes.js';

/** What a dispute's outcome was, in words (a banner title, an export line). */
export const outcomeTitles: Record<OutcomeKind, string> = {
  accepted_claim: 'Claim accepted by the respondent',
  settlement: 'Settled by agreement',
  default: 'Resolved by default: no response in time',
  escalated: 'Escalated to arbitration',
  withdrawn: 'Withdrawn by the claimant',
};

export interface DecisionContext {
  nameOf(userId: string): string;
  /** The outcome's proposal as "#n" in the order proposals were made; null when unknown. */
  proposalNumber: number | null;
}

/**
 * How an outcome was decided, as a sentence without its date ("Both parties accepted
 * proposal #2"): `decidedBy` alone names whoever made the last move, which reads as if one
 * party decided a settlement both agreed to.
 */
export function howDecided(outcome: Pick<Outcome, 'kind' | 'decidedBy'>, ctx: DecisionContext) {
  switch (outcome.kind) {
    case 'settlement':
      return ctx.proposalNumber === null
        ? 'Both parties accepted the proposal'
        : `Both parties accepted proposal #${ctx.proposalNumber}`;
    case 'withdrawn':
      return 'The claimant withdrew the dispute';
    case 'default':
      return 'The response deadline passed without an answer';
    case 'accepted_claim':
      return 'The respondent accepted the claim';
    case 'escalated':
      return outcome.decidedBy === 'system'
        ? 'The mediation period ended: escalated to arbitration'
        : `Escalated to arbitration by ${ctx.nameOf(outcome.decidedBy)}`;
  }
}

const auditEventLabels: Record<string, string> = {
  filed: 'Dispute filed',
  responded: 'Respondent answered the claim',
  assigned: 'Mediator assigned',
  withdrawn: 'Withdrawn by the claimant',
  escalated: 'Escalated to arbitration',
  proposed: 'Proposal made',
  proposal_accepted: 'Proposal accepted',
  proposal_rejected: 'Proposal rejected',
  deadline: 'Deadline passed',
};

/** An audit trail event as people read it ("Proposal accepted", not `proposal_accepted`). */
export function auditEventLabel(type: string): string {
  const known = auditEventLabels[type];
  if (known) return known;
  const words = type.replace(/[_:.-]+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : 'Event';
}
