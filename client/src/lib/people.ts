import type { Dispute, Role, User } from '@dispute-room/shared';
import { t } from '../i18n';

/**
 * Names of the people in a dispute, when the server sends them with the join ack
 * (`participants`, optional): a party or mediator may otherwise only be an id.
 */
export type Participants = Record<string, { name: string; role: Role }>;

export type DisputeRole = 'client' | 'freelancer' | 'mediator';

const knownRoles = new Set(['client', 'freelancer', 'mediator', 'ops', 'admin']);

export function roleLabel(role: string | null | undefined): string {
  return role && knownRoles.has(role) ? t(`role.${role}`) : t('role.someone');
}

/** Ops and admin look back at disputes: search, transcripts, QA reviews and metrics. */
export function isOpsViewer(role: Role): boolean {
  return role === 'ops' || role === 'admin';
}

/** Which seat a user holds in this dispute, if any. */
export function roleInDispute(
  userId: string,
  dispute: Pick<Dispute, 'clientId' | 'freelancerId' | 'mediatorId'>,
): DisputeRole | null {
  if (userId === dispute.clientId) return 'client';
  if (userId === dispute.freelancerId) return 'freelancer';
  if (userId === dispute.mediatorId) return 'mediator';
  return null;
}

export interface NameContext {
  dispute: Pick<Dispute, 'clientId' | 'freelancerId' | 'mediatorId'> | null;
  participants: Participants;
  me: Pick<User, 'id' | 'name'> | null;
}

/**
 * The name to show for a user: their own name, a name the server gave, else the role
 * they hold in the dispute ("Client"), else the role the entry was written under.
 */
export function personName(
  userId: string | null,
  ctx: NameContext,
  fallbackRole?: string | null,
): string {
  if (userId === null || userId === 'system') return t('role.system');
  if (ctx.me && userId === ctx.me.id) return ctx.me.name;
  const known = ctx.participants[userId];
  if (known?.name) return known.name;
  const seat = ctx.dispute ? roleInDispute(userId, ctx.dispute) : null;
  return roleLabel(seat ?? fallbackRole ?? known?.role);
}

/** Reads the optional `participants` of a join ack without trusting its shape. */
export function readParticipants(value: unknown): Participants {
  if (!value || typeof value !== 'object') return {};
  const out: Participants = {};
  for (const [id, entry] of Object.entries(value as Record<string, unknown>)) {
    if (!entry || typeof entry !== 'object') continue;
    const { name, role } = entry as { name?: unknown; role?: unknown };
    if (typeof name === 'string' && typeof role === 'string') {
      out[id] = { name, role: role as Role };
    }
  }
  return out;
}
