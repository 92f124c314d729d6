import {
  jobQueueSchema,
  retryJobBodySchema,
  type QueueSummary,
  type User,
} from '@dispute-room/shared';
import { requireRole } from '../auth/policy.js';
import { notFound, parse } from '../http/errors.js';
import type { Jobs } from '../jobs/queues.js';
import type { WebhookService } from './webhooks.js';

/** The admin's view of the background queues: counts, dead letters, and retrying one. */
export class QueueAdmin {
  constructor(private readonly deps: { jobs: Jobs; webhooks: WebhookService }) {}

  async summary(user: User): Promise<QueueSummary[]> {
    requireRole(user, 'admin');
    return this.deps.jobs.summary();
  }

  async retry(user: User, queue: string, body: unknown): Promise<void> {
    requireRole(user, 'admin');
    const name = parse(jobQueueSchema, queue);
    const { jobId } = parse(retryJobBodySchema, body);
    if (name === 'webhooks') {
      // A delivery's attempts are counted in the database: a retry grants a new round there.
      const job = await this.deps.jobs.queue('webhooks').getJob(jobId);
      const deliveryId = (job?.data as { deliveryId?: string } | undefined)?.deliveryId;
      if (!job || !deliveryId || !(await job.isFailed())) throw notFound('failed job');
      return this.deps.webhooks.retryDelivery(user, deliveryId);
    }
    if (!(await this.deps.jobs.retry(name, jobId))) throw notFound('failed job');
  }
}
