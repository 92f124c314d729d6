import type { Request } from 'express';
import {
  canRead,
  canWrite,
  relationTo,
  type Channel,
  type DisputeParties,
  type DisputeState,
  type Relation,
  type Role,
  type User,
} from '@dispute-room/shared';
import { forbidden, notFound, unauthorized } from '../http/errors.js';

/**
 * Authorization in one place: every route and socket handler asks these.
 * The order of checks follows the API contract: 401, then 404 (not visible),
 * then 403 (visible but not allowed).
 */

export function requireUser(req: Request): User {
  if (!req.user) throw unauthorized();
  return req.user;
}

export function requireRole(user: User, ...roles: Role[]): void {
  if (!roles.includes(user.role)) throw forbidden(`only ${roles.join(' or ')} may do this`);
}

export interface DisputeAccessView extends DisputeParties {
  state: DisputeState;
}

/**
 * Parties see their own; ops and admin all; a mediator their own and, as a summary with
 * no channel access, any dispute in mediation (the queue, and the 409 of a late claim).
 */
export function canSeeDispute(user: User, dispute: DisputeAccessView): boolean {
  const relation = relationTo(user, dispute);
  if (relation === 'outsider') return false;
  if (relation === 'other_mediator') return dispute.state === 'mediation';
  return true;
}

export type DisputeAction =
  | 'respond'
  | 'claim'
  | 'assign'
  | 'withdraw'
  | 'escalate'
  | 'propose'
  | 'decide_proposal'
  | 'read_proposals'
  | 'feedback'
  | 'render_macro'
  | 'read_history';

/** Who may attempt what on a dispute they can see (the state is checked later: 409). */
export function assertMay(
  action: DisputeAction,
  user: User,
  relation: Relation,
  dispute: DisputeAccessView & { claimantId: string; respondentId: string },
): void {
  const ok = ((): boolean => {
    switch (action) {
      case 'respond':
        return user.id === dispute.respondentId;
      case 'claim':
        return relation === 'assigned_mediator' || relation === 'other_mediator';
      case 'assign':
        return relation === 'ops' || relation === 'admin';
      case 'withdraw':
        return user.id === dispute.claimantId;
      case 'escalate':
      case 'propose':
        return isParty(relation) || relation === 'assigned_mediator';
      case 'decide_proposal':
      case 'feedback':
        return isParty(relation);
      case 'read_proposals':
        return canRead(relation, 'joint');
      case 'render_macro':
        return relation === 'assigned_mediator';
      case 'read_history':
        // The conversation before the dispute was the parties' own: read as the joint channel.
        return canRead(relation, 'joint');
    }
  })();
  if (!ok) throw forbidden(`you may not ${action.replace('_', ' ')} on this dispute`);
}

/** The caller's relation to a dispute it may see; 404 when it may not see it at all. */
export function relationOrNotFound(user: User, dispute: DisputeAccessView): Relation {
  if (!canSeeDispute(user, dispute)) throw notFound('dispute');
  return relationTo(user, dispute);
}

export function assertCanRead(relation: Relation, channel: Channel): void {
  if (!canRead(relation, channel)) throw forbidden(`you may not read ${channel}`);
}

export function assertCanWrite(relation: Relation, channel: Channel): void {
  if (!canWrite(relation, channel)) throw forbidden(`you may not write in ${channel}`);
}

export function isParty(relation: Relation): relation is 'client' | 'freelancer' {
  return relation === 'client' || relation === 'freelancer';
}
