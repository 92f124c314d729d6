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
  render(event: SystemEvent, ctx: SystemMessageContext): string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

const reasonWords = (reason: unknown) => (str(reason) ?? 'other').replace(/_/g, ' ');

/** " Client $60.00, freelancer $40.00." when the event carries a split. */
function split(e: SystemEvent, ctx: SystemMessageContext): string {
  const client = num(e.clientCents);
  const freelancer = num(e.freelancerCents);
  const currency = str(e.currency);
  if (client === null || freelancer === null || !currency) return '';
  return ` Client ${ctx.money(client, currency)}, freelancer ${ctx.money(freelancer, currency)}.`;
}

const noted = (e: SystemEvent) => (str(e.note) ? ` Note: ${str(e.note)}` : '');

const stateChanged: Record<
  StateChangeCause,
  (e: SystemEvent, ctx: SystemMessageContext) => string
> = {
  claim_accepted: (e, ctx) =>
    `The respondent accepted the claim: resolved.${split(e, ctx)}${noted(e)}`,
  claim_rejected: (e) =>
    `The respondent rejected the claim: the dispute moves to mediation.${noted(e)}`,
  withdrawn: (e) => `The claimant withdrew the dispute.${noted(e)}`,
  escalated: (e) => `The dispute was escalated to arbitration.${noted(e)}`,
  settled: (e, ctx) =>
    `Both parties accepted the proposal: resolved by settlement.${split(e, ctx)}`,
  deadline: (e, ctx) =>
    e.deadline === 'respond'
      ? `No answer by the response deadline: resolved by default in the claimant's favour.${split(e, ctx)}`
      : 'The mediation period ended without a settlement: escalated to arbitration.',
};

const registry: Record<string, SystemMessageType> = {
  filed: {
    render(e, ctx) {
      const claim = num(e.claimCents);
      const escrow = num(e.escrowCents);
      const currency = str(e.currency);
      const by = str(e.by);
      if (claim === null || escrow === null || !currency || !by || !str(e.number)) return null;
      return `Dispute ${String(e.number)} filed by the ${by} (${reasonWords(e.reason)}): claim of ${ctx.money(claim, currency)} of ${ctx.money(escrow, currency)} in escrow.`;
    },
  },
  state_changed: {
    render(e, ctx) {
      const cause = str(e.cause);
      return cause && cause in stateChanged
        ? stateChanged[cause as StateChangeCause](e, ctx)
        : null;
    },
  },
  assigned: {
    render(e, ctx) {
      const mediator = str(e.mediatorId);
      if (!mediator) return null;
      const name = ctx.nameOf(mediator);
      // The internal channel says who assigned; the joint thread only who mediates now.
      if (str(e.by)) {
        return e.by === mediator
          ? `${name} claimed the dispute.`
          : `${ctx.nameOf(String(e.by))} assigned the dispute to ${name}.`;
      }
      return e.replaced === true
        ? `${name} has taken over this dispute as mediator.`
        : `${name} joined as mediator.`;
    },
  },
  proposal_accepted: {
    render: (e, ctx) =>
      str(e.userId) ? `${ctx.nameOf(String(e.userId))} accepted the proposal.` : null,
  },
  proposal_rejected: {
    render: (e, ctx) =>
      str(e.userId) ? `${ctx.nameOf(String(e.userId))} rejected the proposal.` : null,
  },
};

/** The registered wording of a system event, or null (unknown type, or too little to say). */
export function renderSystemMessage(
  event: SystemEvent | null,
  ctx: SystemMessageContext,
): string | null {
  if (!event) return null;
  return registry[event.type]?.render(event, ctx) ?? null;
}

/** The event types this registry words (for tests and exports). */
export const systemMessageTypes = Object.keys(registry);
