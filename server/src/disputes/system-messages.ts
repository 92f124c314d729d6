import {
  formatMoney,
  renderSystemMessage,
  type Channel,
  type StateChangeCause,
  type SystemEvent,
} from '@dispute-room/shared';
import type { ChannelLog } from '../messages/service.js';
import type { UserService } from '../users/service.js';
import type { DisputeDoc, DisputeEventDoc } from './model.js';

/** A log entry a dispute event posts: its machine-readable event, or a proposal. */
export interface SystemEntry {
  channel: Channel;
  kind: 'system' | 'proposal';
  event: SystemEvent | null;
  /** Only for proposals: system entries are worded by the shared registry. */
  body?: string;
  authorId?: string | null;
  authorRole?: string | null;
  proposalId?: string | null;
}

/** Stored text is written once for every reader; readers' own locales apply when shown. */
const STORED_LOCALE = 'en-US';

const roleOf = (d: DisputeDoc, userId: string) =>
  userId === d.clientId ? 'client' : userId === d.freelancerId ? 'freelancer' : 'mediator';

/** Which entries a recorded event posts, and where. Pure: the same event gives the same entries. */
export function systemEntriesFor(
  prev: DisputeDoc | null,
  next: DisputeDoc,
  e: DisputeEventDoc,
): SystemEntry[] {
  const outcome = next.outcome;
  const changed = (cause: StateChangeCause, extra: SystemEvent | object = {}): SystemEntry => ({
    channel: 'joint',
    kind: 'system',
    event: {
      type: 'state_changed',
      from: e.from,
      to: e.to,
      cause,
      note: e.note || null,
      ...(typeof outcome?.clientCents === 'number' && typeof outcome.freelancerCents === 'number'
        ? {
            clientCents: outcome.clientCents,
            freelancerCents: outcome.freelancerCents,
            currency: next.currency,
          }
        : {}),
      ...extra,
    },
  });
  switch (e.type) {
    case 'filed':
      return [
        {
          channel: 'joint',
          kind: 'system',
          event: {
            type: 'filed',
            number: next.number,
            reason: next.reason,
            claimCents: next.claimCents,
            escrowCents: next.escrowCents,
            currency: next.currency,
            by: roleOf(next, next.claimantId),
          },
        },
      ];
    case 'responded':
      return [changed(e.data.accept ? 'claim_accepted' : 'claim_rejected')];
    case 'assigned': {
      const mediatorId = e.data.mediatorId ?? null;
      return [
        {
          channel: 'joint',
          kind: 'system',
          event: { type: 'assigned', mediatorId, replaced: Boolean(prev?.mediatorId) },
        },
        {
          channel: 'internal',
          kind: 'system',
          event: { type: 'assigned', mediatorId, by: e.actorId },
        },
      ];
    }
    case 'withdrawn':
      return [changed('withdrawn')];
    case 'escalated':
      return [changed('escalated')];
    case 'proposed':
      return [
        {
          channel: 'joint',
          kind: 'proposal',
          event: null,
          authorId: e.actorId,
          authorRole: roleOf(next, e.actorId),
          body: `Proposal: client ${formatMoney(e.data.clientCents ?? 0, next.currency, STORED_LOCALE)}, freelancer ${formatMoney(e.data.freelancerCents ?? 0, next.currency, STORED_LOCALE)}.${e.note ? ` Note: ${e.note}` : ''}`,
          proposalId: e.data.proposalId ?? null,
        },
      ];
    case 'proposal_accepted':
    case 'proposal_rejected': {
      const answer: SystemEntry = {
        channel: 'joint',
        kind: 'system',
        event: { type: e.type, proposalId: e.data.proposalId ?? null, userId: e.actorId },
        proposalId: e.data.proposalId ?? null,
      };
      return e.type === 'proposal_accepted' && e.data.resolves
        ? [answer, changed('settled', { proposalId: e.data.proposalId ?? null })]
        : [answer];
    }
    case 'deadline':
      return [changed('deadline', { deadline: e.data.deadline ?? null })];
    case 'settlement_reported': {
      const s = next.settlement;
      if (!s) return [];
      // The parties see the money go out; a failed payout is staff's to chase.
      return e.data.settlementStatus === 'paid'
        ? [
            {
              channel: 'joint',
              kind: 'system',
              event: {
                type: 'settlement_paid',
                clientCents: s.clientCents,
                freelancerCents: s.freelancerCents,
                currency: next.currency,
              },
            },
          ]
        : [
            {
              channel: 'internal',
              kind: 'system',
              event: { type: 'settlement_failed', reference: e.data.reference ?? null },
            },
          ];
    }
  }
}

/**
 * Posts an event's entries into the log, worded once by the shared registry with the names
 * of the people involved. Keyed by (event, channel, position): repeating an event posts nothing.
 */
export async function postSystemEntries(
  deps: { log: ChannelLog; users: UserService },
  prev: DisputeDoc | null,
  next: DisputeDoc,
  e: DisputeEventDoc,
): Promise<void> {
  const entries = systemEntriesFor(prev, next, e);
  const mentioned = entries.flatMap((entry) =>
    [entry.event?.mediatorId, entry.event?.by, entry.event?.userId].filter(
      (v): v is string => typeof v === 'string',
    ),
  );
  const people = await deps.users.byIds([...new Set(mentioned)]);
  const ctx = {
    nameOf: (id: string) => people.find((p) => p.id === id)?.name ?? 'Someone',
    money: (cents: number, currency: string) => formatMoney(cents, currency, STORED_LOCALE),
  };
  const positions = new Map<Channel, number>();
  for (const entry of entries) {
    const index = positions.get(entry.channel) ?? 0;
    positions.set(entry.channel, index + 1);
    await deps.log.append({
      disputeId: next._id,
      channel: entry.channel,
      kind: entry.kind,
      authorId: entry.authorId ?? null,
      authorRole: entry.authorRole ?? null,
      body: entry.body ?? renderSystemMessage(entry.event, ctx) ?? '',
      event: entry.event,
      proposalId: entry.proposalId ?? null,
      idemKey: `evt:${next._id}:${e.version}:${entry.channel}:${index}`,
    });
  }
}
