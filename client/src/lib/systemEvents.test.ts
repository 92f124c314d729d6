import { describe, expect, it } from 'vitest';
import { describeSystemMessage } from './systemEvents';

const nameOf = (id: string) => ({ m: 'Mia', f: 'Fred' })[id] ?? 'Someone';

describe('describeSystemMessage', () => {
  it('words a state change by its cause, keeping the note and the split', () => {
    expect(
      describeSystemMessage(
        {
          body: '',
          event: {
            type: 'state_changed',
            from: 'open',
            to: 'mediation',
            cause: 'claim_rejected',
            note: 'The pages were delivered on time.',
          },
        },
        nameOf,
      ),
    ).toBe(
      'The respondent rejected the claim: the dispute moves to mediation. Note: The pages were delivered on time.',
    );
    expect(
      describeSystemMessage(
        {
          body: '',
          event: {
            type: 'state_changed',
            from: 'mediation',
            to: 'resolved',
            cause: 'settled',
            clientCents: 6000,
            freelancerCents: 4000,
            currency: 'USD',
          },
        },
        nameOf,
      ),
    ).toMatch(
      /^Both parties accepted the proposal: resolved by settlement\. Client .*60.*, freelancer .*40/,
    );
  });

  it('shows the stored text of entries written before causes were recorded', () => {
    expect(
      describeSystemMessage(
        {
          body: 'The respondent rejected the claim: the dispute moves to mediation. Note: late',
          event: { type: 'state_changed', from: 'open', to: 'mediation' },
        },
        nameOf,
      ),
    ).toBe('The respondent rejected the claim: the dispute moves to mediation. Note: late');
  });

  it('names the people of an event', () => {
    expect(
      describeSystemMessage({ body: 'x', event: { type: 'assigned', mediatorId: 'm' } }, nameOf),
    ).toBe('Mia joined as mediator.');
    expect(
      describeSystemMessage(
        { body: 'x', event: { type: 'proposal_rejected', proposalId: 'p', userId: 'f' } },
        nameOf,
      ),
    ).toBe('Fred rejected the proposal.');
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
