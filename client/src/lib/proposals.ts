import type { Proposal } from '@dispute-room/shared';

/** How far a proposal has come. It only moves forward: more acceptances, then decided. */
const progress = (p: Proposal) => (p.status === 'pending' ? 0 : 100) + p.acceptedBy.length;

/**
 * A list answer merged into the proposals held, newest first. Reloads answer out of order
 * with each other and with the answers of the user's own offers and decisions, so no copy
 * replaces one further along, and one the answer lacks stays (proposals are never removed).
 */
export function mergeProposals(answer: Proposal[], held: Proposal[]): Proposal[] {
  const merged = new Map(held.map((p) => [p.id, p]));
  for (const p of answer) {
    const mine = merged.get(p.id);
    if (!mine || progress(p) >= progress(mine)) merged.set(p.id, p);
  }
  return [...merged.values()].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}
