import type { Channel, Message } from '@dispute-room/shared';
import { describe, expect, it } from 'vitest';
import {
  auditDetails,
  brokenFrom,
  describeChain,
  editsByOriginal,
  humanizeType,
  interleaveByTime,
} from './transcript';

function entry(channel: Channel, seq: number, at: string, extra: Partial<Message> = {}): Message {
  return {
    id: `${channel}-${seq}`,
    disputeId: 'd1',
    channel,
    seq,
    kind: 'text',
    authorId: 'u1',
    authorRole: 'client',
    body: `${channel} ${seq}`,
    originalBody: null,
    evidenceIds: [],
    proposalId: null,
    event: null,
    editOf: null,
    clientMsgId: null,
    createdAt: `2026-03-01T10:00:${at}.000Z`,
    editedAt: null,
    hash: 'h',
    prevHash: 'p',
    ...extra,
  };
}

const ids = (list: Message[]) => list.map((m) => m.id);

describe('interleaveByTime', () => {
  it('merges the channels by time', () => {
    const messages = [
      entry('joint', 1, '01'),
      entry('joint', 2, '05'),
      entry('internal', 1, '03'),
      entry('caucus:client', 1, '04'),
    ];
    expect(ids(interleaveByTime(messages))).toEqual([
      'joint-1',
      'internal-1',
      'caucus:client-1',
      'joint-2',
    ]);
  });

  it('never reorders a channel, even when its clock went backwards', () => {
    const messages = [
      entry('joint', 1, '01'),
      entry('joint', 2, '09'),
      entry('joint', 3, '02'),
      entry('internal', 1, '05'),
    ];
    expect(ids(interleaveByTime(messages))).toEqual([
      'joint-1',
      'internal-1',
      'joint-2',
      'joint-3',
    ]);
  });

  it('is stable: same instant in channel order, whatever the input order', () => {
    const messages = [
      entry('internal', 1, '01'),
      entry('caucus:freelancer', 1, '01'),
      entry('joint', 2, '01'),
      entry('joint', 1, '01'),
      entry('caucus:client', 1, '01'),
    ];
    const expected = ['joint-1', 'joint-2', 'caucus:client-1', 'caucus:freelancer-1', 'internal-1'];
    expect(ids(interleaveByTime(messages))).toEqual(expected);
    expect(ids(interleaveByTime(messages.slice().reverse()))).toEqual(expected);
  });

  it('handles no entries', () => {
    expect(interleaveByTime([])).toEqual([]);
  });
});

describe('editsByOriginal', () => {
  it('groups edit entries under the entry they change, in seq order', () => {
    const messages = [
      entry('joint', 1, '01'),
      entry('joint', 3, '03', { kind: 'edit', editOf: 'joint-1', body: 'second' }),
      entry('joint', 2, '02', { kind: 'edit', editOf: 'joint-1', body: 'first' }),
      entry('joint', 4, '04'),
    ];
    const edits = editsByOriginal(messages);
    expect([...edits.keys()]).toEqual(['joint-1']);
    expect(edits.get('joint-1')?.map((m) => m.body)).toEqual(['first', 'second']);
  });
});

describe('chain status', () => {
  it('says verified', () => {
    expect(describeChain({ verified: true, broken: [] })).toMatchObject({
      verified: true,
      label: 'Verified',
    });
  });

  it('names each broken channel and seq, in channel order', () => {
    const chain = {
      verified: false,
      broken: [
        { channel: 'internal' as const, seq: 2 },
        { channel: 'joint' as const, seq: 4 },
      ],
    };
    expect(describeChain(chain)).toMatchObject({
      verified: false,
      label: 'Broken: Joint at seq 4; Internal notes at seq 2',
    });
    expect(brokenFrom(chain)).toEqual({ internal: 2, joint: 4 });
  });

  it('is never green when the server says it is not verified', () => {
    expect(describeChain({ verified: false, broken: [] }).label).toBe('Broken');
  });
});

describe('audit wording', () => {
  it('humanizes event types', () => {
    expect(humanizeType('proposal_accepted')).toBe('Proposal accepted');
    expect(humanizeType('previousMediator')).toBe('Previous mediator');
    expect(humanizeType('')).toBe('Event');
  });

  it('shows people, money and times', () => {
    const lines = auditDetails(
      {
        mediatorId: 'm1',
        previousMediatorId: null,
        proposalId: 'p1',
        clientCents: 60000,
        resolves: true,
        mediationEndsBy: '2026-12-26T13:07:11.386Z',
        note: '',
        extra: { a: 1 },
      },
      {
        nameOf: (id) => (id === 'm1' ? 'Mia' : id),
        money: (cents) => `$${cents / 100}`,
        time: (iso) => `at ${iso.slice(0, 10)}`,
      },
    );
    expect(lines).toEqual([
      'Mediator: Mia',
      'Proposal id: p1',
      'Client: $600',
      'Resolves: yes',
      'Mediation ends by: at 2026-12-26',
      'Extra: {"a":1}',
    ]);
  });
});
