import {
  reportSettlementBodySchema,
  type Dispute,
  type OverdueSettlement,
  type User,
} from '@dispute-room/shared';
import { requireRole } from '../auth/policy.js';
import type { Context } from '../context.js';
import type { DisputeDoc } from '../disputes/model.js';
import type { DisputeService } from '../disputes/service.js';
import type { DisputeStore } from '../disputes/store.js';
import { parse } from '../http/errors.js';
import { SETTLEMENT_DUE_MS } from '../notifications/reminders.js';

/**
 * The payout hand-off: a dispute resolved with a split owes a payout that the marketplace
 * makes and confirms here. Each report is a dispute event (resolved → resolved), decided by
 * the same unique insert as every other command, so two reports at once are decided once.
 */
export class SettlementService {
  constructor(
    private readonly ctx: Context,
    private readonly deps: { disputes: DisputeService; store: DisputeStore },
  ) {}

  /** `POST /api/disputes/:id/settlement` (admin or integration). */
  async report(user: User, id: string, body: unknown): Promise<Dispute> {
    await this.deps.disputes.visible(user, id);
    requireRole(user, 'admin');
    const input = parse(reportSettlementBodySchema, body);
    const { dispute } = await this.deps.store.apply(
      id,
      { id: user.id, isParty: false },
      { type: 'report_settlement', status: input.status, reference: input.reference },
    );
    return this.deps.disputes.view(dispute, user);
  }

  /** Payouts still pending a day after the resolution, oldest first (ops dashboard). */
  async overdue(user: User): Promise<OverdueSettlement[]> {
    requireRole(user, 'ops', 'admin');
    const now = this.ctx.clock.now().getTime();
    // An indexed equality on the top-level status: only pending payouts are read.
    const pending = await this.deps.disputes.models.disputes
      .find({ settlementStatus: 'pending' })
      .lean<DisputeDoc[]>();
    return pending
      .flatMap((d) => {
        const s = d.settlement;
        if (!s || s.status !== 'pending') return [];
        const due = new Date(s.createdAt).getTime() + SETTLEMENT_DUE_MS;
        return due <= now
          ? [
              {
                disputeId: d._id,
                number: d.number,
                clientCents: s.clientCents,
                freelancerCents: s.freelancerCents,
                currency: d.currency,
                idempotencyKey: s.idempotencyKey,
                dueAt: new Date(due).toISOString(),
              },
            ]
          : [];
      })
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }
}
