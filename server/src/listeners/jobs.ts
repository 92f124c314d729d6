import type { EventBus } from '../events/bus.js';
import { jobIdOf, type Outbox } from '../events/outbox.js';
import { enqueueRollup, factOptions } from '../jobs/processors.js';
import type { Jobs } from '../jobs/queues.js';

/**
 * Hands each recorded dispute event to the durable listeners that follow it (one `facts` job
 * each, owed in the outbox before the event was stored), and each fact outside a dispute's
 * log to its rollup refresh. Runs again on repair: same job ids.
 */
export function listenJobs(events: EventBus, outbox: Outbox, jobs: Jobs): void {
  events.on('dispute.recorded', async ({ event }) => {
    for (const listener of outbox.eventFollowers) {
      await jobs.add(
        'facts',
        listener,
        { eventId: event._id },
        { jobId: jobIdOf(event._id, listener), ...factOptions(listener) },
      );
    }
  });
  events.on('dispute.measured', ({ owed }) => enqueueRollup(jobs, owed));
}
