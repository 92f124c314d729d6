import type { Channel, DisputeParties, Relation } from '@dispute-room/shared';

/** The three kinds of audience a channel has; each gets its own colour in the room. */
export type AudienceKind = 'joint' | 'caucus' | 'internal';

export function audienceKind(channel: Channel): AudienceKind {
  if (channel === 'joint') return 'joint';
  return channel === 'internal' ? 'internal' : 'caucus';
}

export interface Audience {
  kind: AudienceKind;
  /** Who will read what is posted here, as a sentence ("Only you and Mia see this."). */
  readers: string;
  /** What the send button says, so the last thing pressed names the audience too. */
  send: string;
}

/**
 * Who reads a channel, worded for the viewer, so that the audience of a message is written
 * right above the composer and nobody posts into the wrong channel by overlooking a tab.
 */
export function audienceOf(
  channel: Channel,
  relation: Relation,
  dispute: DisputeParties,
  nameOf: (userId: string, role: string) => string,
): Audience {
  const mediator = dispute.mediatorId ? nameOf(dispute.mediatorId, 'mediator') : 'the mediator';
  if (channel === 'joint') {
    const withMediator = dispute.mediatorId ? ` and ${mediator} (mediator)` : '';
    return {
      kind: 'joint',
      readers: `Everyone in the dispute sees this: ${nameOf(dispute.clientId, 'client')} (client), ${nameOf(dispute.freelancerId, 'freelancer')} (freelancer)${withMediator}.`,
      send: 'Send to everyone',
    };
  }
  if (channel === 'internal') {
    return {
      kind: 'internal',
      readers: 'Internal note: only mediators and ops see this, never the parties.',
      send: 'Add internal note',
    };
  }
  const party = channel === 'caucus:client' ? 'client' : 'freelancer';
  const partyId = party === 'client' ? dispute.clientId : dispute.freelancerId;
  const other =
    relation === 'client' || relation === 'freelancer'
      ? `${mediator} (mediator)`
      : `${nameOf(partyId, party)} (${party})`;
  return {
    kind: 'caucus',
    readers: `Private: only you and ${other} see this. The other party never does.`,
    send: 'Send privately',
  };
}
