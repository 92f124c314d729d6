import type { Proposal } from '@dispute-room/shared';
import { describe, expect, it } from 'vitest';
import { mergeProposals } from './proposals';

function proposal(over: Partial<Proposal>): Proposal {
  return {
    id: 'p1',
    disputeId: 'd',
    authorId: 'c',
    clientCents: 600,
    freelancerCents: 400,
    note: '',
    status: 'pending',
    acceptedBy: [],
    createdAt: '2025-03-01T10:00:00.000Z',
    ...over,
  };
}

describe('mergeProposals', () => {
  it('takes the answer for proposals it moved forward, newest first', () => {
    const held = [proposal({ id: 'p1' })];
    const answer = [
      proposal({ id: 'p1', status: 'superseded' }),
      proposal({ id: 'p2', createdAt: '2025-03-02T10:00:00.000Z' }),
    ];
    expect(mergeProposals(answer, held).map((p) => [p.id, p.status])).toEqual([
      ['p2', 'pending'],
      ['p1', 'superseded'],
    ]);
  });

  it('keeps a decision the user just made when an older reload lands after it', () => {
    const held = [proposal({ status: 'accepted', acceptedBy: ['c', 'f'] })];
    const stale = [proposal({ status: 'pending', acceptedBy: ['c'] })];
    expect(mergeProposals(stale, held)[0]).toMatchObject({ status: 'accepted' });
  });

  it('keeps one more acceptance over a copy with fewer', () => {
    const held = [proposal({ acceptedBy: ['c'] })];
    expect(mergeProposals([proposal({})], held)[0]!.acceptedBy).toEqual(['c']);
  });

  it('keeps an offer the user just made that a reload sent before it lacks', () => {
    const mine = proposal({ id: 'p2', createdAt: '2025-03-02T10:00:00.000Z' });
    expect(mergeProposals([proposal({})], [mine]).map((p) => p.id)).toEqual(['p2', 'p1']);
  });
});
