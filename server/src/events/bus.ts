import type { DisputeDoc, DisputeEventDoc } from '../disputes/model.js';
import type { EvidenceDoc } from '../evidence/model.js';
import type { Logger } from '../logger.js';
import type { LogAdvance } from '../messages/service.js';
import type { MessageDoc } from '../messages/model.js';
import type { NotificationDoc } from '../notifications/model.js';
import type { OutboxDoc } from './outbox.js';

/**
 * What happened, after it was stored. Services decide and store, then publish one of these;
 * listeners (one file each, in `server/src/listeners/`) do everything that follows. Typed once here.
 */
export interface DomainEvents {
  /** A new entry in a channel's log (text, system, proposal, evidence or edit). */
  'entry.appended': { entry: MessageDoc };
  /** An entry's shown text changed (an edit was appended for it). */
  'entry.changed': { entryId: string };
  /** Heads and read positions this instance moved, announced to the others. */
  'log.advanced': LogAdvance;
  /** A dispute event was recorded and projected (filing included: `prev` is null then). */
  'dispute.recorded': { prev: DisputeDoc | null; next: DisputeDoc; event: DisputeEventDoc };
  /** Something a dispute's figures depend on was stored outside its log; its refresh is owed. */
  'dispute.measured': { owed: OutboxDoc };
  /** A file was stored as evidence of a channel. */
  'evidence.stored': { evidence: EvidenceDoc };
  /** An API token was revoked: whatever uses it is cut off. */
  'token.revoked': { tokenId: string };
  /** A user's profile changed (a marketplace mirror or sign-on): cached copies are stale. */
  'user.changed': { userId: string };
  /** A session ended (logout): its sockets are cut off. */
  'session.ended': { sid: string };
  /** A webhook failed too often in a row and was switched off; its owner should know. */
  'webhook.disabled': {
    webhookId: string;
    ownerId: string;
    url: string;
    failures: number;
    disabledAt: Date;
  };
  /** A notification was stored for its user (shown live, then mailed per their preferences). */
  'notification.created': { notification: NotificationDoc };
}

export type DomainEventName = keyof DomainEvents;
type Handler<E extends DomainEventName> = (payload: DomainEvents[E]) => void | Promise<void>;

/**
 * In-process publish/subscribe of domain events. Publishing never waits for listeners and
 * never fails: a listener's error is logged, not thrown into the service that stored the
 * fact. What must survive a crash goes through the outbox and a job (see jobs/), not here.
 */
export class EventBus {
  private readonly handlers = new Map<DomainEventName, Handler<never>[]>();

  constructor(private readonly log: Logger) {}

  on<E extends DomainEventName>(event: E, handler: Handler<E>): void {
    const list = this.handlers.get(event) ?? [];
    list.push(handler as Handler<never>);
    this.handlers.set(event, list);
  }

  publish<E extends DomainEventName>(event: E, payload: DomainEvents[E]): void {
    for (const handler of this.handlers.get(event) ?? []) {
      try {
        const result = (handler as Handler<E>)(payload);
        if (result instanceof Promise)
          result.catch((err: unknown) => this.log.warn({ err, event }, 'event listener failed'));
      } catch (err) {
        this.log.warn({ err, event }, 'event listener failed');
      }
    }
  }
}
