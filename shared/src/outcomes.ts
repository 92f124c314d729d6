import { outcomeKinds, type Outcome, type OutcomeKind } from './disputes.js';
import { translatorFor, type Translate } from './i18n/index.js';

/** What a dispute's outcome was, in words (a banner title, an export line), in a language. */
export function outcomeTitle(kind: OutcomeKind, t: Translate = translatorFor('en')): string {
  return t(`outcome.title.${kind}`);
}

/** The English titles (the export for arbitration is in English). */
export const outcomeTitles = Object.fromEntries(
  outcomeKinds.map((kind) => [kind, outcomeTitle(kind)]),
) as Record<OutcomeKind, string>;

export interface DecisionContext {
  nameOf(userId: string): string;
  /** The outcome's proposal as "#n" in the order proposals were made; null when unknown. */
  proposalNumber: number | null;
  /** The reader's language; English when absent. */
  t?: Translate;
}

/**
 * How an outcome was decided, as a sentence without its date ("Both parties accepted
 * proposal #2"): `decidedBy` alone names whoever made the last move, which reads as if one
 * party decided a settlement both agreed to.
 */
export function howDecided(
  outcome: Pick<Outcome, 'kind' | 'decidedBy'>,
  ctx: DecisionContext,
): string {
  const t = ctx.t ?? translatorFor('en');
  switch (outcome.kind) {
    case 'settlement':
      return ctx.proposalNumber === null
        ? t('outcome.decided.settlement')
        : t('outcome.decided.settlementNumbered', { number: ctx.proposalNumber });
    case 'withdrawn':
      return t('outcome.decided.withdrawn');
    case 'default':
      return t('outcome.decided.default');
    case 'accepted_claim':
      return t('outcome.decided.accepted_claim');
    case 'escalated':
      return outcome.decidedBy === 'system'
        ? t('outcome.decided.escalatedByDeadline')
        : t('outcome.decided.escalatedBy', { name: ctx.nameOf(outcome.decidedBy) });
  }
}

const auditEventTypes = new Set([
  'filed',
  'responded',
  'assigned',
  'withdrawn',
  'escalated',
  'proposed',
  'proposal_accepted',
  'proposal_rejected',
  'deadline',
]);

/** An audit trail event as people read it ("Proposal accepted", not `proposal_accepted`). */
export function auditEventLabel(type: string, t: Translate = translatorFor('en')): string {
  if (auditEventTypes.has(type)) return t(`audit.${type}`);
  const words = type.replace(/[_:.-]+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : t('audit.event');
}
