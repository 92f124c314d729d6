import { describe, expect, it } from 'vitest';
import { describeOutcome } from './outcome';

const base = {
  proposalId: null,
  decidedBy: 'system',
  decidedAt: '2025-03-10T00:00:00.000Z',
  note: '',
};

describe('describeOutcome', () => {
  it('shows the split of a settlement', () => {
    expect(
      describeOutcome(
        { ...base, kind: 'settlement', clientCents: 30000, freelancerCents: 70000 },
        'USD',
        'en-US',
      ),
    ).toEqual({
      title: 'Settled by agreement',
      split: 'Client receives $300.00 · Freelancer receives $700.00',
    });
  });

  it('has no split for an escalation', () => {
    expect(
      describeOutcome(
        { ...base, kind: 'escalated', clientCents: null, freelancerCents: null },
        'USD',
      ),
    ).toEqual({ title: 'Escalated to arbitration', split: null });
  });
});
