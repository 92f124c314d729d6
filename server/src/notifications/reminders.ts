import type { NotificationKind, Role } from '@dispute-room/shared';
import type { Context } from '../context.js';
import type { DisputeDoc } from '../disputes/model.js';
import type { DisputeStore } from '../disputes/store.js';
import { jobIdOf, type Outbox, type OutboxDoc } from '../events/outbox.js';
import type { Jobs } from '../jobs/queues.js';
import type { UserService } from '../users/service.js';
import type { NotificationService } from './service.js';
import { disputeUrl } from './who.js';
import { readerWordsOf, type ReaderWords } from './words.js';

const HOUR = 3_600_000;
/** A payout still pending this long after the resolution is overdue (ops are told). */
export const SETTLEMENT_DUE_MS = 24 * HOUR;

/** A deadline of the contract that people are reminded of (`deadline_soon`). */
export interface DeadlineRule {
  /** Its name in the contract; job ids and notification keys carry it. */
  name: string;
  /** When it falls due as recorded on the dispute (kept after the dispute moved on), or null. */
  at(d: DisputeDoc): Date | null;
  /** Whether the dispute is waiting on it (in the state that has it). */
  pending(d: DisputeDoc): boolean;
  /** How long before it each reminder goes out. */
  before: readonly number[];
  /** Whom it concerns, read when the reminder goes out (a mediator may have joined since). */
  concerns(d: DisputeDoc): string[];
  /** Everyone with this role too (staff, looked up when it goes out). */
  audience?: Role;
  /** What the notification is; `deadline_soon` unless said. */
  kind?: NotificationKind;
  /**
   * Told once the time has come and the dispute still waits (`before: [0]`), even when it
   * came while nothing ran: an overdue payout is worth saying late, a passed deadline is not.
   */
  overdue?: boolean;
  /** Worded for one reader (`left`: how long until it, in their language). */
  title(d: DisputeDoc, w: ReaderWords, left: string): string;
  body(d: DisputeDoc, w: ReaderWords, due: Date): string;
}

/**
 * Every deadline reminded of, as api.md says (48 h and 24 h before `respondBy`, 3 days before
 * `mediationEndsBy`, 24 h before any other). A new deadline is one more entry here.
 */
export const deadlineRules: readonly DeadlineRule[] = [
  {
    name: 'respondBy',
    at: (d) => d.respondBy,
    pending: (d) => d.state === 'open',
    before: [48 * HOUR, 24 * HOUR],
    concerns: (d) => [d.respondentId],
    title: (d, w, left) => w.t('notify.respondTitle', { number: d.number, left }),
    body: (d, w, due) => w.t('notify.respondBody', { title: d.contractTitle, due: w.when(due) }),
  },
  {
    name: 'mediationEndsBy',
    at: (d) => d.mediationEndsBy,
    pending: (d) => d.state === 'mediation',
    before: [72 * HOUR],
    concerns: (d) => [d.clientId, d.freelancerId, ...(d.mediatorId ? [d.mediatorId] : [])],
    title: (d, w, left) => w.t('notify.mediationEndsTitle', { number: d.number, left }),
    body: (d, w, due) =>
      w.t('notify.mediationEndsBody', { title: d.contractTitle, due: w.when(due) }),
  },
  {
    // The marketplace has not confirmed the payout of a resolved split within a day: ops chase it.
    name: 'settlement.overdue',
    at: (d) =>
      d.settlement
        ? new Date(new Date(d.settlement.createdAt).getTime() + SETTLEMENT_DUE_MS)
        : null,
    pending: (d) => d.settlement?.status === 'pending',
    before: [0],
    overdue: true,
    kind: 'settlement',
    concerns: () => [],
    audience: 'ops',
    title: (d, w) => w.t('notify.payoutOverdueTitle', { number: d.number }),
    body: (d, w) =>
      w.t('notify.payoutOverdueBody', {
        title: d.contractTitle,
        key: d.settlement?.idempotencyKey ?? '',
      }),
  },
];

export interface PlannedReminder {
  jobId: string;
  deadline: string;
  due: Date;
  before: number;
  fireAt: Date;
  /** How long the job waits from `now` (BullMQ delays run on real time). */
  delayMs: number;
}

/** One reminder's job id, from (dispute, deadline as it stands, offset); BullMQ forbids ':'. */
export const reminderJobId = (disputeId: string, deadline: string, due: Date, before: number) =>
  jobIdOf(`${disputeId}:${deadline}:${due.getTime()}:${before}`, 'deadline_soon');

/**
 * The reminders a dispute is owed at `now`: those still ahead, and of those already behind it
 * only the latest (one reminder, at once, for a deadline that is already near; none for one
 * that has passed: the deadline sweep decides those).
 */
export function reminderPlan(
  d: DisputeDoc,
  now: Date,
  rules: readonly DeadlineRule[] = deadlineRules,
): PlannedReminder[] {
  const plan: PlannedReminder[] = [];
  for (const rule of rules) {
    const due = rule.pending(d) ? rule.at(d) : null;
    if (!due || (!rule.overdue && due.getTime() <= now.getTime())) continue;
    const offsets = [...rule.before].sort((a, b) => b - a);
    const ahead = offsets.filter((b) => due.getTime() - b > now.getTime());
    const behind = offsets.filter((b) => !ahead.includes(b));
    for (const before of [...behind.slice(-1), ...ahead]) {
      const fireAt = new Date(due.getTime() - before);
      plan.push({
        jobId: reminderJobId(d._id, rule.name, due, before),
        deadline: rule.name,
        due,
        before,
        fireAt,
        delayMs: Math.max(0, fireAt.getTime() - now.getTime()),
      });
    }
  }
  return plan;
}

/** What a reminder job carries (strings: it is also owed in the outbox). */
export type ReminderData = {
  disputeId: string;
  deadline: string;
  due: string;
  before: string;
  fireAt: string;
};

/**
 * Deadline reminders: delayed jobs in the `reminders` queue, planned when a dispute event is
 * recorded (a `facts` job) and owed in the outbox until they have run, so a lost Redis loses
 * none. A reminder that fires sends only what the database still says: the same deadline,
 * still pending; and once per recipient, whichever instance runs it.
 */
export class Reminders {
  constructor(
    private readonly ctx: Context,
    private readonly deps: {
      store: DisputeStore;
      outbox: Outbox;
      jobs: Jobs;
      notifications: NotificationService;
      users: UserService;
      /** The ids of everyone with a role (a rule's `audience`). */
      staff: (role: Role) => Promise<string[]>;
    },
  ) {}

  /** The `reminders` fact listener: plans the dispute's reminders, drops the stale ones. */
  async forEvent(eventId: string): Promise<void> {
    const e = await this.deps.store.event(eventId);
    if (!e) return;
    const d = await this.deps.store.load(e.disputeId);
    if (!d) return;
    await this.schedule(d);
    if (e.from !== e.to) await this.dropLeft(d);
  }

  async schedule(d: DisputeDoc): Promise<void> {
    const plan = reminderPlan(d, this.ctx.clock.now());
    const owed: OutboxDoc[] = plan.map((r) => ({
      _id: r.jobId,
      queue: 'reminders',
      name: 'deadline_soon',
      data: {
        disputeId: d._id,
        deadline: r.deadline,
        due: String(r.due.getTime()),
        before: String(r.before),
        fireAt: String(r.fireAt.getTime()),
      } satisfies ReminderData,
      at: new Date(),
    }));
    await this.deps.outbox.owe(owed);
    for (const doc of owed) await this.enqueue(doc);
  }

  /** Enqueues an owed reminder (again, after a lost Redis: a job of that id makes it a no-op). */
  async enqueue(owed: OutboxDoc): Promise<void> {
    const fireAt = Number(owed.data.fireAt);
    await this.deps.jobs.add('reminders', owed.name, owed.data, {
      jobId: owed._id,
      delay: Math.max(0, fireAt - this.ctx.clock.now().getTime()),
      attempts: 10,
      backoff: { type: 'exponential', delay: 1_000 },
    });
  }

  /**
   * The reminders of deadlines the dispute has left (a dispute never returns to a state it
   * left), by their ids: no scan of the outbox. A run that loaded an older version and planned
   * them again leaves jobs that find the deadline gone and send nothing.
   */
  private async dropLeft(d: DisputeDoc): Promise<void> {
    for (const rule of deadlineRules) {
      const due = rule.at(d);
      if (!due || rule.pending(d)) continue;
      for (const before of rule.before) {
        const jobId = reminderJobId(d._id, rule.name, due, before);
        // An active job cannot be removed; it finds the deadline gone and sends nothing.
        await this.deps.jobs
          .queue('reminders')
          .remove(jobId)
          .catch(() => 0);
        await this.deps.outbox.settle(jobId);
      }
    }
  }

  private stands(d: DisputeDoc, data: ReminderData): boolean {
    const rule = deadlineRules.find((r) => r.name === data.deadline);
    return Boolean(rule?.pending(d) && rule.at(d)?.getTime() === Number(data.due));
  }

  /** The `reminders` queue's processor: tells whom the deadline concerns, if it still stands. */
  async fire(data: ReminderData, jobId: string): Promise<void> {
    const d = await this.deps.store.load(data.disputeId);
    const rule = deadlineRules.find((r) => r.name === data.deadline);
    const now = this.ctx.clock.now();
    const due = new Date(Number(data.due));
    // A delayed job may wake a moment early by the domain clock; an overdue rule allows for it.
    const timely = rule?.overdue
      ? due.getTime() <= now.getTime() + 1_000
      : due.getTime() > now.getTime();
    if (d && rule && this.stands(d, data) && timely) {
      const audience = rule.audience ? await this.deps.staff(rule.audience) : [];
      for (const userId of new Set([...rule.concerns(d), ...audience])) {
        const w = await readerWordsOf(userId, this.deps);
        await this.deps.notifications.notify({
          userId,
          kind: rule.kind ?? 'deadline_soon',
          disputeId: d._id,
          channel: 'joint',
          title: rule.title(d, w, w.left(due, now)),
          body: rule.body(d, w, due),
          url: disputeUrl(d._id),
          key: `${userId}:${d._id}:${data.deadline}.${data.due}:${data.before}`,
        });
      }
    }
    await this.deps.outbox.settle(jobId);
  }
}
