import { translatorFor, type Translate } from './i18n/index.js';
import type { SystemEvent } from './messages.js';

/**
 * How a system entry of the thread reads, from its machine-readable `event`: one registry,
 * used by the server (the stored text, exports, emails) and the client (the thread), so the
 * wording cannot drift apart and nothing an event carries (a note, a split) is dropped.
 */
export interface SystemMessageContext {
  /** A person's name as this reader should see it. */
  nameOf(userId: string): string;
  money(cents: number, currency: string): string;
  /** The reader's language; English (the stored text) when absent. */
  t?: Translate;
}

/** Why a dispute changed state: what the event of a `state_changed` entry says happened. */
export const stateChangeCauses = [
  'claim_accepted',
  'claim_rejected',
  'withdrawn',
  'escalated',
  'settled',
  'deadline',
] as const;
export type StateChangeCause = (typeof stateChangeCauses)[number];

interface SystemMessageType {
  /** `null` when the event lacks what this wording needs (older entries): the stored text is shown. */
  render(event: SystemEvent, ctx: SystemMessageContext, t: Translate): string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

const reasons = ['quality', 'scope', 'non_delivery', 'payment', 'communication', 'other'];
const roles = ['client', 'freelancer'];

/** " Client $60.00, freelancer $40.00." when the event carries a split. */
function split(e: SystemEvent, ctx: SystemMessageContext, t: Translate): string {
  const client = num(e.clientCents);
  const freelancer = num(e.freelancerCents);
  const currency = str(e.currency);
  if (client === null || freelancer === null || !currency) return '';
  return ` ${t('system.split', { client: ctx.money(client, currency), freelancer: ctx.money(freelancer, currency) })}`;
}

const noted = (e: SystemEvent, t: Translate) =>
  str(e.note) ? ` ${t('system.note', { note: str(e.note) })}` : '';

const stateChanged: Record<
  StateChangeCause,
  (e: SystemEvent, ctx: SystemMessageContext, t: Translate) => string
> = {
  claim_accepted: (e, ctx, t) => `${t('system.claimAccepted')}${split(e, ctx, t)}${noted(e, t)}`,
  claim_rejected: (e, _ctx, t) => `${t('system.claimRejected')}${noted(e, t)}`,
  withdrawn: (e, _ctx, t) => `${t('system.withdrawn')}${noted(e, t)}`,
  escalated: (e, _ctx, t) => `${t('system.escalated')}${noted(e, t)}`,
  settled: (e, ctx, t) => `${t('system.settled')}${split(e, ctx, t)}`,
  deadline: (e, ctx, t) =>
    e.deadline === 'respond'
      ? `${t('system.deadlineRespond')}${split(e, ctx, t)}`
      : t('system.deadlineMediation'),
};

const registry: Record<string, SystemMessageType> = {
  filed: {
    render(e, ctx, t) {
      const claim = num(e.claimCents);
      const escrow = num(e.escrowCents);
      const currency = str(e.currency);
      const by = str(e.by);
      if (claim === null || escrow === null || !currency || !by || !str(e.number)) return null;
      const reason = str(e.reason) ?? 'other';
      return t(`system.filed.${roles.includes(by) ? by : 'client'}`, {
        number: String(e.number),
        reason: t(`reason.${reasons.includes(reason) ? reason : 'other'}`),
        claim: ctx.money(claim, currency),
        escrow: ctx.money(escrow, currency),
      });
    },
  },
  state_changed: {
    render(e, ctx, t) {
      const cause = str(e.cause);
      return cause && cause in stateChanged
        ? stateChanged[cause as StateChangeCause](e, ctx, t)
        : null;
    },
  },
  assigned: {
    render(e, ctx, t) {
      const mediator = str(e.mediatorId);
      if (!mediator) return null;
      const name = ctx.nameOf(mediator);
      // The internal channel says who assigned; the joint thread only who mediates now.
      if (str(e.by)) {
        return e.by === mediator
          ? t('system.claimed', { name })
          : t('system.assignedBy', { by: ctx.nameOf(String(e.by)), name });
      }
      return e.replaced === true ? t('system.tookOver', { name }) : t('system.joined', { name });
    },
  },
  proposal_accepted: {
    render: (e, ctx, t) =>
      str(e.userId) ? t('system.proposalAccepted', { name: ctx.nameOf(String(e.userId)) }) : null,
  },
  proposal_rejected: {
    render: (e, ctx, t) =>
      str(e.userId) ? t('system.proposalRejected', { name: ctx.nameOf(String(e.userId)) }) : null,
  },
  // The marketplace confirmed the payout of the split (POST /api/disputes/:id/settlement).
  settlement_paid: {
    render: (e, ctx, t) => `${t('system.settlementPaid')}${split(e, ctx, t)}`,
  },
  settlement_failed: {
    render: (e, _ctx, t) => t('system.settlementFailed', { reference: str(e.reference) ?? '—' }),
  },
};

/** The registered wording of a system event, or null (unknown type, or too little to say). */
export function renderSystemMessage(
  event: SystemEvent | null,
  ctx: SystemMessageContext,
): string | null {
  if (!event) return null;
  return registry[event.type]?.render(event, ctx, ctx.t ?? translatorFor('en')) ?? null;
}

/** The event types this registry words (for tests and exports). */
export const systemMessageTypes = Object.keys(registry);
