import {
  canWrite,
  readableChannels,
  relationTo,
  type Channel,
  type DisputeParties,
  type Relation,
  type Role,
} from '@dispute-room/shared';
import { t } from '../i18n';

export interface ChannelTab {
  channel: Channel;
  label: string;
  /** The viewer may post here (otherwise the channel is shown read-only). */
  writable: boolean;
}

const channelKeys: Record<Channel, string> = {
  joint: 'joint',
  'caucus:client': 'caucusClient',
  'caucus:freelancer': 'caucusFreelancer',
  internal: 'internal',
};

/** A channel's name as staff see it ("Caucus · Client"), e.g. in an ops transcript. */
export function staffChannelLabel(channel: Channel): string {
  return t(`channel.staff.${channelKeys[channel]}`);
}

/** A party's own name for a channel: their caucus is "Private with mediator". */
function partyChannelLabel(channel: Channel): string {
  return channel === 'joint' ? t('channel.staff.joint') : t('channel.party.private');
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
      label:
        party && channel !== 'internal' ? partyChannelLabel(channel) : staffChannelLabel(channel),
      writable: canWrite(relation, channel),
    }));
}

/** The private channel between the mediator and one party. */
export function caucusOf(party: 'client' | 'freelancer'): Channel {
  return party === 'client' ? 'caucus:client' : 'caucus:freelancer';
}
