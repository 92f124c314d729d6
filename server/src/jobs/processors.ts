import type { Job } from 'bullmq';
import type { Context } from '../context.js';
import type { DisputeService } from '../disputes/service.js';
import type { MailService } from '../mail/service.js';
import type { Outbox, OutboxDoc } from '../events/outbox.js';
import { DISPUTE_KEYS, HOURLY_ROLLUPS, type DisputeStore } from '../disputes/store.js';
import type { Rollups } from '../metrics/rollups.js';
import type { SearchWords } from '../ops/search-words.js';
import type { ReminderData, Reminders } from '../notifications/reminders.js';
import type { WebhookService } from '../ops/webhooks.js';
import { backoffMs } from '../ops/webhooks.js';
import { RetryLater, type Jobs } from './queues.js';

/** Schedules are upserted again this often: a flushed Redis loses them too. */
const RESCHEDULE_MS = 60_000;

/** Options of a `facts` job: a follow-up of one stored fact, by one listener. */
export const factJobOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1_000 },
} as const;

/**
 * The order a backlog of facts is worked in (a burst of filings queues thousands): what tells
 * a person first (a respondent must hear of a filing, however much else is owed), then their
 * reminders, then integrations, then what only staff read. BullMQ takes a lower number first.
 */
const factPriority: Record<string, number> = {
  notifications: 1,
  reminders: 2,
  webhooks: 3,
  search: 4,
  rollups: 5,
};

/** Options of one listener's `facts` job. */
export function factOptions(listener: string) {
  return { ...factJobOptions, priority: factPriority[listener] ?? 5 };
}

/** A rollup refresh owed after a fact outside a dispute's log (see DisputeStore.storeMeasured). */
export function enqueueRollup(jobs: Jobs, owed: OutboxDoc): Promise<void> {
  return jobs.add('rollups', owed.name, owed.data, { jobId: owed._id, ...factJobOptions });
}

interface Deps {
  jobs: Jobs;
  outbox: Outbox;
  webhooks: WebhookService;
  disputes: DisputeService;
  mail: MailService;
  reminders: Reminders;
  rollups: Rollups;
  store: DisputeStore;
  words: SearchWords;
  /** The durable follow-ups of dispute events, by the name their jobs carry. */
  factListeners: Record<string, (eventId: string) => Promise<void>>;
}

/** Enqueues an owed job again (a job of that id that still exists makes it a no-op). */
export async function enqueueOwed(deps: Deps, owed: OutboxDoc): Promise<void> {
  if (owed.queue === 'webhooks') return deps.webhooks.enqueueDelivery(owed.data.deliveryId!);
  if (owed.queue === 'reminders') return deps.reminders.enqueue(owed);
  if (owed.queue === 'rollups') return enqueueRollup(deps.jobs, owed);
  await deps.jobs.add('facts', owed.name, owed.data, {
    jobId: owed._id,
    ...factOptions(owed.name),
  });
}

/** Queues whose owed jobs run within moments of their fact, repaired every OUTBOX_REPAIR_MS. */
const promptQueues = ['facts', 'webhooks', 'rollups'] as const;
/** Reminders stay owed until their time (days): read this many times less often. */
const TIMERS_REPAIR_FACTOR = 20;

/**
 * Jobs owed in the outbox whose BullMQ job is missing (Redis flushed or lost, or a crash
 * between storing a fact and enqueuing its jobs) are enqueued again. Returns how many.
 */
export async function repairOutbox(
  deps: Deps,
  minAgeMs: number,
  queues: readonly string[] = [...promptQueues, 'reminders'],
): Promise<number> {
  const owed = await deps.outbox.owedBefore(new Date(Date.now() - minAgeMs), queues);
  for (const doc of owed) await enqueueOwed(deps, doc);
  return owed.length;
}

/**
 * A database from before the read models (disputes, but no span of days) gets them built once,
 * in the background, by one instance: what `pnpm reindex` does. Until then ops search, staff
 * lists and the dashboard show less than there is. One from before a newer format
 * (DISPUTE_KEYS) gets only what it lacks: the newer per-dispute keys, the hourly rollups.
 */
export async function buildMissingReadModels(
  ctx: Context,
  deps: Pick<Deps, 'store' | 'words' | 'rollups'>,
): Promise<boolean> {
  const current = (span: Awaited<ReturnType<DisputeStore['daySpan']>>) =>
    span.first !== null && span.keys >= DISPUTE_KEYS;
  if (current(await deps.store.daySpan())) return false;
  if (!(await deps.store.models.disputes.exists({}))) return false;
  const claim = `${ctx.config.REDIS_PREFIX}read-models:building`;
  if (!(await ctx.redis.main.set(claim, ctx.instanceId, 'EX', 3_600, 'NX'))) return false;
  const started = Date.now();
  let n: number;
  try {
    // Looked at again under the claim: another instance may just have finished.
    const span = await deps.store.daySpan();
    if (current(span)) return false;
    ctx.log.info('disputes stored before the read models: building them (as pnpm reindex)');
    if (!span.first) await deps.words.rebuild();
    if (!span.first || span.keys < HOURLY_ROLLUPS) await deps.rollups.rebuild();
    // Last: the span is what says the buckets are there.
    n = await deps.store.reindexDays();
  } finally {
    await ctx.redis.main.del(claim);
  }
  ctx.log.info({ disputes: n, ms: Date.now() - started }, 'read models built');
  return true;
}

/**
 * Starts this instance's workers and (idempotently) the schedules shared by all instances.
 * Returns what stops the periodic re-upsert of the schedules.
 */
export async function startJobs(ctx: Context, deps: Deps): Promise<() => void> {
  const { jobs, outbox, webhooks, disputes, mail, reminders, rollups, factListeners } = deps;

  jobs.work('facts', async (job: Job<{ eventId: string }>) => {
    const listener = factListeners[job.name];
    if (!listener) throw new Error(`no listener named ${job.name}`);
    await listener(job.data.eventId);
    await outbox.settle(String(job.id));
  });

  jobs.work(
    'webhooks',
    async (job: Job<{ deliveryId: string }>) => {
      await webhooks.deliver(job.data.deliveryId);
    },
    {
      concurrency: 8,
      // Another instance is making the attempt: look again shortly, not after a long backoff.
      backoff: (attemptsMade, err) =>
        err instanceof RetryLater
          ? 1_000
          : backoffMs(
              ctx.config.WEBHOOK_BACKOFF_MS,
              ctx.config.WEBHOOK_BACKOFF_MAX_MS,
              attemptsMade,
            ),
    },
  );

  jobs.work('mail', (job, token) => mail.process(job, token), { concurrency: 8 });

  jobs.work('rollups', async (job: Job<{ disputeId: string }>) => {
    await rollups.refresh(job.data.disputeId);
    await outbox.settle(String(job.id));
  });

  jobs.work('reminders', (job: Job<ReminderData>) => reminders.fire(job.data, String(job.id)));

  jobs.work(
    'schedules',
    async (job: Job) => {
      if (job.name === 'deadline-sweep') {
        const fired = await disputes.tick(ctx.clock.now());
        if (fired) ctx.log.info({ fired }, 'deadlines applied');
      } else if (job.name === 'outbox-repair' || job.name === 'timers-repair') {
        const queues = job.name === 'outbox-repair' ? promptQueues : ['reminders'];
        const repaired = await repairOutbox(deps, ctx.config.OUTBOX_REPAIR_AGE_MS, queues);
        if (repaired) ctx.log.info({ repaired, queues }, 'owed jobs enqueued again');
      }
    },
    { concurrency: 1 },
  );

  const schedule = async () => {
    await jobs.every('schedules', 'deadline-sweep', ctx.config.SWEEP_INTERVAL_MS);
    await jobs.every('schedules', 'outbox-repair', ctx.config.OUTBOX_REPAIR_MS);
    await jobs.every(
      'schedules',
      'timers-repair',
      ctx.config.OUTBOX_REPAIR_MS * TIMERS_REPAIR_FACTOR,
    );
  };
  await schedule();
  const timer = setInterval(() => {
    schedule().catch((err: unknown) => ctx.log.warn({ err }, 'could not renew the schedules'));
  }, RESCHEDULE_MS);
  timer.unref();
  // At start too: whatever this instance (or a lost Redis) left owed.
  await repairOutbox(deps, ctx.config.OUTBOX_REPAIR_AGE_MS);
  if (ctx.config.READ_MODELS_AT_START)
    void buildMissingReadModels(ctx, deps).catch((err: unknown) =>
      ctx.log.error({ err }, 'could not build the read models; run pnpm reindex'),
    );
  return () => clearInterval(timer);
}
