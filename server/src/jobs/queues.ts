import { Queue, Worker, type Job, type JobsOptions, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import { jobQueues, type QueueSummary } from '@dispute-room/shared';
import type { Context } from '../context.js';

/**
 * Background work on BullMQ, on the Redis the instances share. A job only carries out what
 * the database already decided; its id is derived from the stored fact, so enqueuing twice
 * runs once, and a lost Redis is repaired from the database (see jobs/outbox-repair.ts).
 */
export const queueNames = jobQueues;
export type QueueName = (typeof queueNames)[number];

/** What a processor throws to have the job tried again later without counting as broken. */
export class RetryLater extends Error {}

export class Jobs {
  private readonly connection: Redis;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];
  private readonly prefix: string;

  constructor(private readonly ctx: Context) {
    const url = ctx.config.REDIS_URL;
    if (!url) throw new Error('jobs need Redis (REDIS_URL)');
    // Blocking commands of the workers must wait as long as they need: no retry limit.
    this.connection = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
    this.connection.on('error', (err) => ctx.log.debug({ err }, 'job queue connection error'));
    this.prefix = `${ctx.config.REDIS_PREFIX}bull`;
    for (const name of queueNames) {
      const queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      queue.on('error', (err) => ctx.log.debug({ err, queue: name }, 'job queue error'));
      this.queues.set(name, queue);
    }
  }

  queue(name: QueueName): Queue {
    return this.queues.get(name)!;
  }

  /** Adds a job under its fact-derived id; a job of that id that still exists makes this a no-op. */
  async add(name: QueueName, jobName: string, data: object, opts: JobsOptions & { jobId: string }) {
    await this.queue(name).add(jobName, data, {
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      // Failed jobs stay: they are the dead letters an admin looks at and retries.
      removeOnFail: false,
      ...opts,
    });
  }

  /** Runs `processor` for the queue's jobs on this instance. */
  work(
    name: QueueName,
    processor: Processor,
    opts: { concurrency?: number; backoff?: (attemptsMade: number, err: Error) => number } = {},
  ): void {
    const worker = new Worker(name, processor, {
      connection: this.connection,
      prefix: this.prefix,
      concurrency: opts.concurrency ?? 4,
      // A job whose instance died is taken up again within ~15 s (BullMQ's default: 30 s+).
      lockDuration: 10_000,
      stalledInterval: 5_000,
      settings: opts.backoff
        ? { backoffStrategy: (attemptsMade, _type, err) => opts.backoff!(attemptsMade, err!) }
        : undefined,
    });
    worker.on('error', (err) => this.ctx.log.debug({ err, queue: name }, 'job worker error'));
    worker.on('failed', (job: Job | undefined, err) => {
      if (!(err instanceof RetryLater))
        this.ctx.log.warn({ err, queue: name, jobId: job?.id }, 'job failed');
    });
    this.workers.push(worker);
  }

  /** One job every `everyMs` across all instances (a BullMQ job scheduler); 0 removes it. */
  async every(name: QueueName, schedulerId: string, everyMs: number): Promise<void> {
    const queue = this.queue(name);
    if (everyMs <= 0) {
      await queue.removeJobScheduler(schedulerId);
      return;
    }
    await queue.upsertJobScheduler(
      schedulerId,
      { every: everyMs },
      { name: schedulerId, opts: { removeOnComplete: true, removeOnFail: 100 } },
    );
  }

  /** For the admin view: counts and the failed jobs (dead letters) of every queue. */
  async summary(limit = 50): Promise<QueueSummary[]> {
    return Promise.all(
      queueNames.map(async (name) => {
        const queue = this.queue(name);
        const [counts, failed] = await Promise.all([
          queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'),
          queue.getFailed(0, limit - 1),
        ]);
        return {
          name,
          counts: {
            waiting: counts.waiting ?? 0,
            active: counts.active ?? 0,
            delayed: counts.delayed ?? 0,
            completed: counts.completed ?? 0,
            failed: counts.failed ?? 0,
          },
          failed: failed.map((job) => ({
            id: String(job.id),
            name: job.name,
            failedReason: job.failedReason ?? '',
            attemptsMade: job.attemptsMade,
            failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
            data: job.data as unknown,
          })),
        };
      }),
    );
  }

  /** Retries a failed job; false when there is no failed job of that id. */
  async retry(name: QueueName, jobId: string): Promise<boolean> {
    const job = await this.queue(name).getJob(jobId);
    if (!job || !(await job.isFailed())) return false;
    await job.retry('failed');
    return true;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}
