import { describe, expect, it } from 'vitest';
import { describeSystemMessage } from './systemEvents';

const nameOf = (id: string) => (id === 'm' ? 'Mia' : 'Someone');

describe('describeSystemMessage', () => {
  it('words state changes', () => {
    expect(
      describeSystemMessage(
        { body: '', event: { type: 'state_changed', from: 'open', to: 'mediation' } },
        nameOf,
      ),
    ).toBe('Dispute moved from Open to Mediation');
    expect(
      describeSystemMessage({ body: '', event: { type: 'state_changed', to: 'resolved' } }, nameOf),
    ).toBe('Dispute is now Resolved');
  });

  it('names the assigned mediator', () => {
    expect(
      describeSystemMessage({ body: 'x', event: { type: 'assigned', mediatorId: 'm' } }, nameOf),
    ).toBe('Mia joined as mediator');
  });

  it('falls back to the server text, then the event type', () => {
    expect(describeSystemMessage({ body: 'Offer made', event: { type: 'other' } }, nameOf)).toBe(
      'Offer made',
    );
    expect(describeSystemMessage({ body: ' ', event: { type: 'proposal_expired' } }, nameOf)).toBe(
      'Proposal expired',
    );
    expect(describeSystemMessage({ body: '', event: null }, nameOf)).toBe('Update');
  });
});
