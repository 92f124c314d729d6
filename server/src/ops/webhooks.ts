import { createHmac } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import {
  createWebhookBodySchema,
  type Delivery,
  type User,
  type WebhookEvent,
} from '@dispute-room/shared';
import { requireRole } from '../auth/policy.js';
import type { Context } from '../context.js';
import { newId } from '../db/ids.js';
import { isDuplicateKey } from '../db/mongo.js';
import type { DisputeDoc, DisputeEventDoc } from '../disputes/model.js';
import type { DisputeStore } from '../disputes/store.js';
import type { EventBus } from '../events/bus.js';
import { jobIdOf, type Outbox } from '../events/outbox.js';
import { RetryLater, type Jobs } from '../jobs/queues.js';
import { conflict, notFound, parse } from '../http/errors.js';
import { opsModels, type AttemptDoc, type DeliveryDoc, type WebhookDoc } from './model.js';

/** Beyond the request timeout, how long an unfinished attempt may still be in flight. */
const ATTEMPT_GRACE_MS = 2_000;

/** Which webhook events a recorded dispute event produces. */
export function webhookEventsFor(e: DisputeEventDoc): WebhookEvent[] {
  if (e.type === 'filed') return ['dispute.opened'];
  const out: WebhookEvent[] = [];
  if (e.from !== e.to) out.push('dispute.state_changed');
  if (e.to === 'resolved' && e.from !== 'resolved') out.push('dispute.resolved');
  return out;
}

/**
 * Exponential backoff (capped at `max`) with jitter over its upper half, so receivers that come
 * back are not hit by every waiting delivery at once.
 */
export function backoffMs(base: number, max: number, attempt: number, random = Math.random()) {
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random * (ceiling / 2));
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the timestamp stops replays. */
export function signature(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/**
 * Outgoing webhooks, on BullMQ. For each recorded dispute event the `facts` job `webhooks`
 * creates one delivery per subscribed webhook (a unique insert decides), and each delivery
 * is a `webhooks` job retried with backoff. Attempt n of a delivery is made by whoever inserts
 * `<delivery>#<n>`; the delivery counts it only after its result is stored, so an instance
 * killed in between leaves the attempt for the next try to carry on. Every job is owed in the
 * outbox first, so a lost Redis loses no delivery (jobs/outbox-repair.ts).
 */
export class WebhookService {
  private readonly models: ReturnType<typeof opsModels>;

  constructor(
    private readonly ctx: Context,
    private readonly deps: { store: DisputeStore; outbox: Outbox; jobs: Jobs; events: EventBus },
  ) {
    this.models = opsModels(ctx.conn);
  }

  async create(user: User, body: unknown) {
    requireRole(user, 'admin');
    const input = parse(createWebhookBodySchema, body);
    const doc: WebhookDoc = {
      _id: newId(),
      ...input,
      createdBy: user.id,
      createdAt: this.ctx.clock.now(),
      consecutiveFailures: 0,
      disabledAt: null,
    };
    await this.models.webhooks.create(doc);
    return this.toWebhook(doc);
  }

  async list(user: User) {
    requireRole(user, 'admin');
    const docs = await this.models.webhooks.find().sort({ createdAt: 1 }).lean<WebhookDoc[]>();
    return docs.map((d) => this.toWebhook(d));
  }

  /** Switches a disabled webhook back on, its failure count from zero. */
  async enable(user: User, webhookId: string) {
    requireRole(user, 'admin');
    const doc = await this.models.webhooks.findById(webhookId).lean<WebhookDoc>();
    if (!doc) throw notFound('webhook');
    await this.models.webhooks.updateOne({ _id: webhookId }, { $set: { disabledAt: null } });
    await this.resetFailures(webhookId);
    return this.toWebhook({ ...doc, disabledAt: null, consecutiveFailures: 0 });
  }

  private toWebhook(d: WebhookDoc) {
    return {
      id: d._id,
      url: d.url,
      events: d.events,
      createdAt: d.createdAt.toISOString(),
      disabledAt: d.disabledAt?.toISOString() ?? null,
      consecutiveFailures: d.consecutiveFailures ?? 0,
    };
  }

  async deliveries(user: User, webhookId: string): Promise<Delivery[]> {
    requireRole(user, 'admin');
    if (!(await this.models.webhooks.exists({ _id: webhookId }))) throw notFound('webhook');
    const docs = await this.models.deliveries
      .find({ webhookId })
      .sort({ createdAt: -1 })
      .limit(200)
      .lean<DeliveryDoc[]>();
    return Promise.all(
      docs.map(async (d) => {
        const attempts = await Promise.all(
          Array.from({ length: d.attemptCount }, (_, i) =>
            this.models.attempts.findById(`${d._id}#${i + 1}`).lean<AttemptDoc>(),
          ),
        );
        return {
          id: d._id,
          webhookId: d.webhookId,
          event: d.event,
          disputeId: d.disputeId,
          status: d.status,
          attempts: attempts
            .filter((a): a is AttemptDoc => a !== null)
            .map((a) => ({ at: a.at.toISOString(), status: a.status, error: a.error, ms: a.ms })),
          createdAt: d.createdAt.toISOString(),
        };
      }),
    );
  }

  /** An admin's retry of a delivery that failed for good: as many attempts again. */
  async retryDelivery(user: User, deliveryId: string): Promise<void> {
    requireRole(user, 'admin');
    const d = await this.models.deliveries.findById(deliveryId).lean<DeliveryDoc>();
    if (!d) throw notFound('delivery');
    if (d.status !== 'failed') throw conflict(`the delivery is ${d.status}`);
    await this.models.deliveries.updateOne(
      { _id: deliveryId },
      {
        $set: {
          status: 'pending',
          attemptLimit: d.attemptCount + this.ctx.config.WEBHOOK_MAX_ATTEMPTS,
        },
      },
    );
    const jobId = jobIdOf(deliveryId, 'deliver');
    await this.deps.outbox.owe([this.deliveryJob(deliveryId)]);
    // The dead letter of the last round, if BullMQ still has it, goes first.
    await this.deps.jobs
      .queue('webhooks')
      .remove(jobId)
      .catch(() => undefined);
    await this.enqueueDelivery(deliveryId);
  }

  private deliveryJob(deliveryId: string) {
    return {
      _id: jobIdOf(deliveryId, 'deliver'),
      queue: 'webhooks',
      name: 'deliver',
      data: { deliveryId },
      at: new Date(),
    };
  }

  async enqueueDelivery(deliveryId: string): Promise<void> {
    await this.deps.jobs.add(
      'webhooks',
      'deliver',
      { deliveryId },
      {
        jobId: jobIdOf(deliveryId, 'deliver'),
        // The database counts attempts and decides when they are spent; BullMQ only paces them.
        attempts: 1_000,
        backoff: { type: 'webhook' },
      },
    );
  }

  /** The `webhooks` fact job: the deliveries a recorded event owes, once each. */
  async deliveriesFor(eventId: string): Promise<void> {
    const e = await this.deps.store.event(eventId);
    if (!e) return;
    const events = webhookEventsFor(e);
    if (events.length === 0) return;
    const dispute = await this.deps.store.load(e.disputeId);
    if (!dispute) return;
    const hooks = await this.models.webhooks.find().lean<WebhookDoc[]>();
    for (const hook of hooks.filter((h) => !h.disabledAt)) {
      for (const event of events.filter((ev) => hook.events.includes(ev))) {
        const deliveryId = `${hook._id}:${e._id}:${event}`;
        await this.deps.outbox.owe([this.deliveryJob(deliveryId)]);
        try {
          await this.models.deliveries.collection.insertOne({
            _id: deliveryId,
            webhookId: hook._id,
            event,
            disputeId: dispute._id,
            payload: this.payload(e, event, dispute),
            status: 'pending',
            attemptCount: 0,
            attemptLimit: this.ctx.config.WEBHOOK_MAX_ATTEMPTS,
            createdAt: this.ctx.clock.now(),
          } as never);
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
        }
        await this.enqueueDelivery(deliveryId);
      }
    }
  }

  /**
   * What the receiver gets: the dispute as the event left it; `dispute.resolved` with a split
   * also carries the split and the payout's idempotency key (for the marketplace to pay once).
   */
  private payload(e: DisputeEventDoc, event: WebhookEvent, d: DisputeDoc): string {
    const payout = event === 'dispute.resolved' ? d.settlement : null;
    return JSON.stringify({
      id: `${e._id}:${event}`,
      event,
      occurredAt: e.at.toISOString(),
      ...(payout
        ? {
            split: {
              clientCents: payout.clientCents,
              freelancerCents: payout.freelancerCents,
              currency: d.currency,
            },
            idempotencyKey: payout.idempotencyKey,
          }
        : {}),
      dispute: {
        id: d._id,
        number: d.number,
        state: e.to,
        previousState: e.from,
        outcome: e.to === d.state ? d.outcome : null,
        contractId: d.contractId,
      },
    });
  }

  /**
   * The `deliver` job: one attempt, n being one past the attempts the delivery has counted.
   * Resolves when the delivery is settled (delivered, or failed for good); throws to be tried
   * again after a backoff.
   */
  async deliver(deliveryId: string): Promise<void> {
    const d = await this.models.deliveries.findById(deliveryId).lean<DeliveryDoc>();
    if (!d || d.status !== 'pending') return;
    const limit = d.attemptLimit ?? this.ctx.config.WEBHOOK_MAX_ATTEMPTS;
    if (d.attemptCount >= limit) return this.finish(d, 'failed');
    const n = d.attemptCount + 1;
    const attemptId = `${d._id}#${n}`;
    const now = this.ctx.clock.now();
    try {
      await this.models.attempts.collection.insertOne({
        _id: attemptId,
        deliveryId: d._id,
        n,
        at: now,
        status: null,
        error: null,
        ms: 0,
        done: false,
      } as never);
    } catch (err) {
      if (isDuplicateKey(err)) return this.recover(d, attemptId, n, now);
      throw err;
    }
    const hook = await this.models.webhooks.findById(d.webhookId).lean<WebhookDoc>();
    let status: number | null = null;
    let error: string | null = null;
    const started = performance.now();
    if (!hook) error = 'webhook removed';
    else if (hook.disabledAt) error = 'webhook disabled';
    else {
      try {
        const res = await fetch(hook.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'dispute-room-webhooks/1',
            'x-dispute-room-event': d.event,
            'x-dispute-room-delivery': d._id,
            'x-dispute-room-signature': signature(hook.secret, d.payload, now),
          },
          body: d.payload,
          signal: AbortSignal.timeout(this.ctx.config.WEBHOOK_TIMEOUT_MS),
          redirect: 'manual',
        });
        status = res.status;
        await res.body?.cancel();
        if (!res.ok) error = `HTTP ${res.status}`;
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
    }
    const ms = Math.round(performance.now() - started);
    await this.models.attempts.updateOne(
      { _id: attemptId },
      { $set: { status, error, ms, done: true } },
    );
    await this.counted(d, n, error, hook);
  }

  /**
   * Attempt n is already stored. Finished, it only lacks its effect on the delivery; unfinished
   * and older than any request can take, its instance died mid-request: it counts as failed.
   * Otherwise another instance is making it right now.
   */
  private async recover(d: DeliveryDoc, attemptId: string, n: number, now: Date): Promise<void> {
    const found = await this.models.attempts.findById(attemptId).lean<AttemptDoc>();
    if (!found) throw new RetryLater('attempt vanished');
    // Attempts stored before `done` existed have a result when their status or error is set.
    const finished = found.done ?? (found.status !== null || found.error !== null);
    const hook = await this.models.webhooks.findById(d.webhookId).lean<WebhookDoc>();
    if (finished) return this.counted(d, n, found.error, hook);
    const cutOffAfter = this.ctx.config.WEBHOOK_TIMEOUT_MS + ATTEMPT_GRACE_MS;
    if (now.getTime() - found.at.getTime() < cutOffAfter) {
      throw new RetryLater('the attempt is being made by another instance');
    }
    const error = 'interrupted: the instance making the attempt stopped';
    await this.models.attempts.updateOne({ _id: attemptId }, { $set: { error, done: true } });
    return this.counted(d, n, error, hook);
  }

  /** The delivery after its attempt n: delivered, failed for good, or to be tried again. */
  private async counted(
    d: DeliveryDoc,
    n: number,
    error: string | null,
    hook: WebhookDoc | null,
  ): Promise<void> {
    await this.models.deliveries.updateOne({ _id: d._id }, { $set: { attemptCount: n } });
    if (error === null) {
      if (hook) await this.resetFailures(hook._id);
      return this.finish(d, 'delivered');
    }
    if (hook && !hook.disabledAt) await this.failedOnce(hook);
    const limit = d.attemptLimit ?? this.ctx.config.WEBHOOK_MAX_ATTEMPTS;
    if (n >= limit || !hook || hook.disabledAt) {
      await this.finish(d, 'failed');
      // A dead letter: it stays in the queue's failed jobs, for an admin to see and retry.
      throw new UnrecoverableError(`failed after ${n} attempts: ${error}`);
    }
    throw new Error(error);
  }

  private async finish(d: DeliveryDoc, status: 'delivered' | 'failed'): Promise<void> {
    await this.models.deliveries.updateOne({ _id: d._id }, { $set: { status } });
    await this.deps.outbox.settle(jobIdOf(d._id, 'deliver'));
  }

  /**
   * Counts a failed attempt; the WEBHOOK_DISABLE_AFTER_FAILURES-th in a row (25) switches the
   * webhook off and tells its owner. Attempts of several deliveries fail at once, so the count
   * is a Redis INCR (atomic; a lost Redis only delays the switch-off), reset by any success.
   */
  private async failedOnce(hook: WebhookDoc): Promise<void> {
    const failures = await this.ctx.redis.main.incr(this.failuresKey(hook._id));
    const disable = failures === this.ctx.config.WEBHOOK_DISABLE_AFTER_FAILURES;
    const disabledAt = this.ctx.clock.now();
    await this.models.webhooks.updateOne(
      { _id: hook._id },
      {
        $set: {
          consecutiveFailures: failures,
          ...(disable ? { disabledAt } : {}),
        },
      },
    );
    if (disable) {
      this.ctx.log.warn({ webhookId: hook._id, failures }, 'webhook disabled after failures');
      this.deps.events.publish('webhook.disabled', {
        webhookId: hook._id,
        ownerId: hook.createdBy,
        url: hook.url,
        failures,
        disabledAt,
      });
    }
  }

  private async resetFailures(webhookId: string): Promise<void> {
    await this.ctx.redis.main.del(this.failuresKey(webhookId));
    await this.models.webhooks.updateOne({ _id: webhookId }, { $set: { consecutiveFailures: 0 } });
  }

  private failuresKey(webhookId: string): string {
    return `${this.ctx.config.REDIS_PREFIX}webhook-failures:${webhookId}`;
  }
}
