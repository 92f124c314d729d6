import {
  canWrite,
  readableChannels,
  relationTo,
  type Channel,
  type DisputeParties,
  type Relation,
  type Role,
} from '@dispute-room/shared';

export interface ChannelTab {
  channel: Channel;
  label: string;
  /** The viewer may post here (otherwise the channel is shown read-only). */
  writable: boolean;
}

const partyLabels: Partial<Record<Channel, string>> = {
  joint: 'Joint',
  'caucus:client': 'Private with mediator',
  'caucus:freelancer': 'Private with mediator',
};

const staffLabels: Record<Channel, string> = {
  joint: 'Joint',
  'caucus:client': 'Caucus · Client',
  'caucus:freelancer': 'Caucus · Freelancer',
  internal: 'Internal notes',
};

/** A channel's name as staff see it ("Caucus · Client"), e.g. in an ops transcript. */
export function staffChannelLabel(channel: Channel): string {
  return staffLabels[channel];
}

function isParty(relation: Relation): boolean {
  return relation === 'client' || relation === 'freelancer';
}

/**
 * The channel tabs a viewer gets in a dispute, from the contract's access table.
 * A party's private channel only appears once a mediator is there to talk to.
 */
export function channelTabs(
  viewer: { id: string; role: Role },
  dispute: DisputeParties,
): ChannelTab[] {
  const relation = relationTo(viewer, dispute);
  const party = isParty(relation);
  return readableChannels(relation)
    .filter((channel) => !(party && channel !== 'joint' && dispute.mediatorId === null))
    .map((channel) => ({
      channel,
      label: (party ? partyLabels[channel] : undefined) ?? staffLabels[channel],
      writable: canWrite(relation, channel),
    }));
}

/** The private channel between the mediator and one party. */
export function caucusOf(party: 'client' | 'freelancer'): Channel {
  return party === 'client' ? 'caucus:client' : 'caucus:freelancer';
}
