import { membersOf, type User } from '@dispute-room/shared';
import type { Context } from '../context.js';
import type { DisputeDoc } from '../disputes/model.js';
import { viewDispute } from '../disputes/presenter.js';
import type { DisputeStore } from '../disputes/store.js';
import type { ChannelLog } from '../messages/service.js';
import type { Hub } from './hub.js';

const AFTER_MESSAGES_MS = 2_000;

/**
 * `dispute:updated` to every user who may see a dispute, shaped for each: at once after a
 * transition; after messages only to its people (their unread counts moved), at most once per
 * dispute every AFTER_MESSAGES_MS, from the heads this instance knows.
 */
export class ListUpdates {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly sending = new Map<string, Promise<void>>();

  constructor(
    private readonly ctx: Context,
    private readonly deps: { hub: Hub; store: DisputeStore; log: ChannelLog },
  ) {}

  /** After a transition: everyone who may see it, now. */
  now(disputeId: string): void {
    this.send(disputeId, true);
  }

  /** After messages: its people, soon (coalesced). */
  soon(disputeId: string): void {
    if (this.pending.has(disputeId)) return;
    this.pending.set(
      disputeId,
      setTimeout(() => {
        this.pending.delete(disputeId);
        this.send(disputeId, false);
      }, AFTER_MESSAGES_MS),
    );
  }

  shutdown(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  // One at a time per dispute, each reading the latest state: an older state can never
  // overtake a newer one on the way to the clients.
  private send(id: string, everyone: boolean): void {
    const previous = this.sending.get(id) ?? Promise.resolve();
    const next = previous
      .then(() => this.sendUpdated(id, everyone))
      .catch((err: unknown) => this.ctx.log.warn({ err }, 'dispute:updated failed'));
    this.sending.set(id, next);
    void next.then(() => {
      if (this.sending.get(id) === next) this.sending.delete(id);
    });
  }

  private async sendUpdated(id: string, everyone: boolean): Promise<void> {
    const { hub, store, log } = this.deps;
    const d = everyone
      ? await store.models.disputes.findById(id).lean<DisputeDoc>()
      : await store.cachedLoad(id);
    if (!d) return;
    const people = membersOf(d);
    const roles: { id: string; role: User['role'] }[] = [
      { id: d.clientId, role: 'client' },
      { id: d.freelancerId, role: 'freelancer' },
      ...(d.mediatorId ? [{ id: d.mediatorId, role: 'mediator' as const }] : []),
    ];
    await Promise.all(
      roles.map(async (who) =>
        hub.toUser(who.id, 'dispute:updated', {
          dispute: await viewDispute(log, d, who, { freshHeads: everyone }),
        }),
      ),
    );
    if (!everyone) return;
    // Staff see every channel; per-person unread is theirs to fetch, so it is left empty here.
    const staffView = await viewDispute(log, d, { id: 'staff', role: 'ops' });
    hub.toRole('ops', 'dispute:updated', { dispute: { ...staffView, unread: {} } }, people);
    hub.toRole('admin', 'dispute:updated', { dispute: { ...staffView, unread: {} } }, people);
    if (d.state === 'mediation') {
      const queueView = await viewDispute(log, d, { id: 'queue', role: 'mediator' });
      hub.toRole('mediator', 'dispute:updated', { dispute: queueView }, people);
    }
  }
}
