import { createHmac } from 'node:crypto';
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
import type { DisputeService } from '../disputes/service.js';
import { notFound, parse } from '../http/errors.js';
import { opsModels, type AttemptDoc, type DeliveryDoc, type WebhookDoc } from './model.js';

/** Beyond the request timeout, how long an unfinished attempt may still be in flight. */
const ATTEMPT_GRACE_MS = 2_000;

/** Which webhook events a recorded dispute event produces. */
export function webhookEventsFor(prev: DisputeDoc | null, e: DisputeEventDoc): WebhookEvent[] {
  if (e.type === 'filed') return ['dispute.opened'];
  const out: WebhookEvent[] = [];
  if (e.from !== e.to) out.push('dispute.state_changed');
  if (e.to === 'resolved' && prev?.state !== 'resolved') out.push('dispute.resolved');
  return out;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the timestamp stops replays. */
export function signature(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/**
 * Outgoing webhooks. A delivery is created once per (webhook, dispute event) by a unique
 * insert, and each attempt n by inserting `<delivery>#<n>`: with several instances an
 * attempt is still made once. Failed attempts are retried with exponential backoff.
 */
export class WebhookService {
  private readonly models: ReturnType<typeof opsModels>;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly ctx: Context,
    disputes: DisputeService,
  ) {
    this.models = opsModels(ctx.conn);
    disputes.onEvent((prev, next, e) => this.record(prev, next, e));
  }

  async create(user: User, body: unknown) {
    requireRole(user, 'admin');
    const input = parse(createWebhookBodySchema, body);
    const doc: WebhookDoc = {
      _id: newId(),
      ...input,
      createdBy: user.id,
      createdAt: this.ctx.clock.now(),
    };
    await this.models.webhooks.create(doc);
    return this.toWebhook(doc);
  }

  async list(user: User) {
    requireRole(user, 'admin');
    const docs = await this.models.webhooks.find().sort({ createdAt: 1 }).lean<WebhookDoc[]>();
    return docs.map((d) => this.toWebhook(d));
  }

  private toWebhook(d: WebhookDoc) {
    return { id: d._id, url: d.url, events: d.events, createdAt: d.createdAt.toISOString() };
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

  private async record(
    prev: DisputeDoc | null,
    next: DisputeDoc,
    e: DisputeEventDoc,
  ): Promise<void> {
    const events = webhookEventsFor(prev, e);
    if (events.length === 0) return;
    const hooks = await this.models.webhooks.find().lean<WebhookDoc[]>();
    let created = false;
    for (const hook of hooks) {
      for (const event of events.filter((ev) => hook.events.includes(ev))) {
        const payload = JSON.stringify({
          id: `${e._id}:${event}`,
          event,
          occurredAt: e.at.toISOString(),
          dispute: {
            id: next._id,
            number: next.number,
            state: next.state,
            previousState: e.from,
            outcome: next.outcome,
            contractId: next.contractId,
          },
        });
        try {
          await this.models.deliveries.collection.insertOne({
            _id: `${hook._id}:${e._id}:${event}`,
            webhookId: hook._id,
            event,
            disputeId: next._id,
            payload,
            status: 'pending',
            attemptCount: 0,
            nextAttemptAt: e.at,
            createdAt: this.ctx.clock.now(),
          } as never);
          created = true;
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
        }
      }
    }
    if (created) this.kick();
  }

  /** Runs due deliveries soon, without waiting for the next sweep. */
  private kick(): void {
    setImmediate(() => void this.deliverDue(this.ctx.clock.now()));
  }

  start(): void {
    this.timer = setInterval(() => void this.deliverDue(this.ctx.clock.now()), 1_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Attempts every pending delivery that is due at `now`. */
  deliverDue(now: Date): Promise<void> {
    this.running ??= (async () => {
      try {
        const due = await this.models.deliveries.find({ status: 'pending' }).lean<DeliveryDoc[]>();
        await Promise.all(
          due
            .filter((d) => !d.nextAttemptAt || d.nextAttemptAt <= now)
            .map((d) => this.attempt(d, now)),
        );
      } catch (err) {
        this.ctx.log.warn({ err }, 'webhook sweep failed');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /**
   * Makes attempt n of a delivery, n being one past the attempts the delivery has counted.
   * Whoever inserts `<delivery>#<n>` makes it. The delivery is updated only after the attempt's
   * result is stored, so an instance that dies in between leaves attempt n behind with the
   * delivery still counting n − 1: the next sweep finds it and brings the delivery forward
   * from it instead of stopping at its key for ever.
   */
  private async attempt(d: DeliveryDoc, now: Date): Promise<void> {
    const n = d.attemptCount + 1;
    const attemptId = `${d._id}#${n}`;
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
    await this.settle(d._id, n, error, now);
  }

  /**
   * Attempt n is already stored. Finished, it only lacks its effect on the delivery; unfinished
   * and older than any request can take, its instance died mid-request: it counts as failed.
   * Otherwise another instance is making it right now.
   */
  private async recover(d: DeliveryDoc, attemptId: string, n: number, now: Date): Promise<void> {
    const found = await this.models.attempts.findById(attemptId).lean<AttemptDoc>();
    if (!found) return;
    // Attempts stored before `done` existed have a result when their status or error is set.
    const finished = found.done ?? (found.status !== null || found.error !== null);
    if (finished) return this.settle(d._id, n, found.error, found.at);
    const cutOffAfter = this.ctx.config.WEBHOOK_TIMEOUT_MS + ATTEMPT_GRACE_MS;
    if (now.getTime() - found.at.getTime() < cutOffAfter) return;
    const error = 'interrupted: the instance making the attempt stopped';
    await this.models.attempts.updateOne({ _id: attemptId }, { $set: { error, done: true } });
    await this.settle(d._id, n, error, now);
  }

  /** The delivery after its attempt n: delivered, failed for good, or due again after a backoff. */
  private async settle(
    deliveryId: string,
    n: number,
    error: string | null,
    at: Date,
  ): Promise<void> {
    const delivered = error === null;
    const exhausted = n >= this.ctx.config.WEBHOOK_MAX_ATTEMPTS;
    const backoff = this.ctx.config.WEBHOOK_BACKOFF_MS * 2 ** (n - 1);
    await this.models.deliveries.updateOne(
      { _id: deliveryId },
      {
        $set: {
          attemptCount: n,
          status: delivered ? 'delivered' : exhausted ? 'failed' : 'pending',
          nextAttemptAt: delivered || exhausted ? null : new Date(at.getTime() + backoff),
        },
      },
    );
  }
}
