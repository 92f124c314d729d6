import type { Channel, DisputeParties, Relation } from '@dispute-room/shared';
import { t } from '../i18n';

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
  const mediator = dispute.mediatorId
    ? nameOf(dispute.mediatorId, 'mediator')
    : t('audience.theMediator');
  if (channel === 'joint') {
    const people = {
      client: nameOf(dispute.clientId, 'client'),
      freelancer: nameOf(dispute.freelancerId, 'freelancer'),
      mediator,
    };
    return {
      kind: 'joint',
      readers: t(dispute.mediatorId ? 'audience.jointWithMediator' : 'audience.joint', people),
      send: t('audience.sendJoint'),
    };
  }
  if (channel === 'internal') {
    return {
      kind: 'internal',
      readers: t('audience.internal'),
      send: t('audience.sendInternal'),
    };
  }
  const party = channel === 'caucus:client' ? 'client' : 'freelancer';
  const partyId = party === 'client' ? dispute.clientId : dispute.freelancerId;
  const readers =
    relation === 'client' || relation === 'freelancer'
      ? t('audience.caucusWithMediator', { name: mediator })
      : t(`audience.caucusWith.${party}`, { name: nameOf(partyId, party) });
  return {
    kind: 'caucus',
    readers,
    send: t('audience.sendPrivate'),
  };
}
