import { z } from 'zod';
import type { Role } from './users.js';

export const channels = ['joint', 'caucus:client', 'caucus:freelancer', 'internal'] as const;
export const channelSchema = z.enum(channels);
export type Channel = z.infer<typeof channelSchema>;

/** How a user stands towards one dispute; decides what they may read and write. */
export type Relation =
  'client' | 'freelancer' | 'assigned_mediator' | 'other_mediator' | 'ops' | 'admin' | 'outsider';

export interface DisputeParties {
  clientId: string;
  freelancerId: string;
  mediatorId: string | null;
}

/** The people of a dispute: its client and freelancer, and its mediator once there is one. */
export function membersOf(dispute: DisputeParties): string[] {
  return dispute.mediatorId
    ? [dispute.clientId, dispute.freelancerId, dispute.mediatorId]
    : [dispute.clientId, dispute.freelancerId];
}

export function relationTo(user: { id: string; role: Role }, dispute: DisputeParties): Relation {
  if (user.role === 'admin') return 'admin';
  if (user.role === 'ops') return 'ops';
  if (user.role === 'mediator') {
    return dispute.mediatorId === user.id ? 'assigned_mediator' : 'other_mediator';
  }
  if (user.id === dispute.clientId) return 'client';
  if (user.id === dispute.freelancerId) return 'freelancer';
  return 'outsider';
}

/** The "who may read what" table of the API contract, in one place. */
const access: Record<Channel, { read: readonly Relation[]; write: readonly Relation[] }> = {
  joint: {
    read: ['client', 'freelancer', 'assigned_mediator', 'ops', 'admin'],
    write: ['client', 'freelancer', 'assigned_mediator'],
  },
  'caucus:client': {
    read: ['client', 'assigned_mediator', 'ops', 'admin'],
    write: ['client', 'assigned_mediator'],
  },
  'caucus:freelancer': {
    read: ['freelancer', 'assigned_mediator', 'ops', 'admin'],
    write: ['freelancer', 'assigned_mediator'],
  },
  internal: {
    read: ['assigned_mediator', 'ops', 'admin'],
    write: ['assigned_mediator', 'ops'],
  },
};

export function canRead(relation: Relation, channel: Channel): boolean {
  return access[channel].read.includes(relation);
}

export function canWrite(relation: Relation, channel: Channel): boolean {
  return access[channel].write.includes(relation);
}

export function readableChannels(relation: Relation): Channel[] {
  return channels.filter((c) => canRead(relation, c));
}

export function writableChannels(relation: Relation): Channel[] {
  return channels.filter((c) => canWrite(relation, c));
}
