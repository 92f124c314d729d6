import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Notification } from '@dispute-room/shared';
import type { DisputeDoc } from '../disputes/model.js';
import { repairOutbox } from '../jobs/processors.js';
import type { RunningServer } from '../server.js';
import type { ApiClient } from '../../test/api-client.js';
import { startTestServer, stopTestServer, uniqueDbName } from '../../test/harness.js';
import { startSmtpSink, type SmtpSink } from '../../test/smtp-sink.js';
import { fileDispute, makeWorld, newContract, type World } from '../../test/world.js';
import {
  deadlineRules,
  reminderJobId,
  reminderPlan,
  type DeadlineRule,
  type ReminderData,
} from './reminders.js';

const HOUR = 3_600_000;
/** Jobs run on two instances of a shared machine: give them time, poll often. */
const eventually = <T>(check: () => T | Promise<T>) =>
  vi.waitFor(check, { timeout: 15_000, interval: 100 });
const DAY = 24 * HOUR;

describe('reminderPlan (pure)', () => {
  const now = new Date('2026-03-02T12:00:00Z');
  const open = (respondIn: number) =>
    ({
      _id: 'd1',
      state: 'open',
      respondBy: new Date(now.getTime() + respondIn),
      mediationEndsBy: null,
    }) as DisputeDoc;
  const summary = (d: DisputeDoc, rules?: readonly DeadlineRule[]) =>
    reminderPlan(d, now, rules).map((r) => [r.deadline, r.before / HOUR, r.delayMs / HOUR]);

  it('48 h and 24 h before respondBy, delayed from now', () => {
    expect(summary(open(5 * DAY))).toEqual([
      ['respondBy', 48, 72],
      ['respondBy', 24, 96],
    ]);
  });

  it('a deadline already near gets one reminder at once, the latest one behind', () => {
    expect(summary(open(30 * HOUR))).toEqual([
      ['respondBy', 48, 0],
      ['respondBy', 24, 6],
    ]);
    expect(summary(open(10 * HOUR))).toEqual([['respondBy', 24, 0]]);
    expect(summary(open(-HOUR))).toEqual([]);
  });

  it('3 days before mediationEndsBy; nothing for a deadline the state does not have', () => {
    const mediation = {
      ...open(-10 * DAY),
      state: 'mediation',
      mediationEndsBy: new Date(now.getTime() + 30 * DAY),
    } as DisputeDoc;
    expect(summary(mediation)).toEqual([['mediationEndsBy', 72, 27 * 24]]);
    expect(summary({ ...mediation, state: 'resolved' })).toEqual([]);
  });

  it('another deadline is one more rule; job ids carry no ":" (BullMQ)', () => {
    const offerBy: DeadlineRule = {
      name: 'arbitrationOffer.respondBy',
      at: () => new Date(now.getTime() + 7 * DAY),
      pending: () => true,
      before: [DAY],
      concerns: () => [],
      title: () => '',
      body: () => '',
    };
    const plan = reminderPlan(open(5 * DAY), now, [...deadlineRules, offerBy]);
    expect(plan.map((r) => [r.deadline, r.delayMs / HOUR])).toEqual([
      ['respondBy', 72],
      ['respondBy', 96],
      ['arbitrationOffer.respondBy', 6 * 24],
    ]);
    for (const r of plan) expect(r.jobId).not.toContain(':');
  });
});

let sink: SmtpSink;
let a: RunningServer;
let b: RunningServer;
let w: World;
/** The servers' clock runs this far from real time (both instances read the same one). */
let offset = 0;
const clock = { now: () => new Date(Date.now() + offset) };
/** Moves the servers' clock to the coming `weekday` (0 = Sunday) at 12:00 UTC. */
function clockAt(weekday: number) {
  const t = new Date();
  t.setUTCDate(t.getUTCDate() + ((weekday - t.getUTCDay() + 7) % 7) + 7);
  t.setUTCHours(12, 0, 0, 0);
  offset = t.getTime() - Date.now();
}

beforeAll(async () => {
  sink = await startSmtpSink();
  const shared = {
    dbName: uniqueDbName('rem'),
    redisPrefix: `t:rem${Date.now().toString(36)}:`,
    clock,
    // One business day: filed on a Saturday, respondBy is 48 h away, so its first reminder
    // is due at once (BullMQ delays run on real time).
    env: { RESPOND_BUSINESS_DAYS: '1', SMTP_URL: sink.url },
  };
  a = await startTestServer(shared);
  b = await startTestServer(shared);
  w = await makeWorld(a);
});
afterAll(async () => {
  await b?.stop();
  await stopTestServer(a);
  await sink?.close();
});
beforeEach(() => clockAt(6));

async function reminders(who: ApiClient, disputeId: string): Promise<Notification[]> {
  const res = await who.get('/api/notifications?limit=100');
  return (res.body.notifications as Notification[]).filter(
    (n) => n.disputeId === disputeId && n.kind === 'deadline_soon',
  );
}

const everyone = () => [w.client, w.freelancer, w.mediator, w.otherMediator, w.ops, w.stranger];
const reminderJob = (d: DisputeDoc, deadline: string, due: Date, before: number) =>
  a.domain.jobs.queue('reminders').getJob(reminderJobId(d._id, deadline, due, before));

describe('deadline reminders', () => {
  it('48 h before respondBy: the respondent alone, once across two instances, mailed at once', async () => {
    const filed = await fileDispute(w, w.client, await newContract(w));
    await eventually(async () => expect(await reminders(w.freelancer, filed.id)).toHaveLength(1));
    const [reminder] = await reminders(w.freelancer, filed.id);
    expect(reminder!.title).toBe(`${filed.number}: 2 days left to respond`);
    expect(reminder!.url).toBe(`/disputes/${filed.id}?channel=joint`);
    // Digest is the default: a reminder is never held by a window.
    await eventually(() =>
      expect(
        sink.mails
          .filter((m) => m.subject === reminder!.title)
          .map((m) => m.to && 'text' in m.to && m.to.text),
      ).toEqual([w.freelancer.user!.email]),
    );

    // Both instances run the same reminder again at once: still one notification.
    const d = (await a.domain.store.load(filed.id))!;
    const fired = await reminderJob(d, 'respondBy', d.respondBy, 48 * HOUR);
    const data = fired!.data as ReminderData;
    await Promise.all([
      a.domain.reminders.fire(data, String(fired!.id)),
      b.domain.reminders.fire(data, String(fired!.id)),
    ]);
    expect(await reminders(w.freelancer, filed.id)).toHaveLength(1);
    for (const who of everyone().filter((c) => c !== w.freelancer))
      expect(await reminders(who, filed.id)).toEqual([]);

    // The 24 h one waits for its time, owed in the outbox.
    const next = await reminderJob(d, 'respondBy', d.respondBy, 24 * HOUR);
    expect(await next!.getState()).toBe('delayed');
    expect(next!.delay).toBeGreaterThan(23 * HOUR);
    const owed = await a.domain.outbox.model.find({ 'data.disputeId': d._id }).lean();
    expect(owed.map((o) => o._id)).toEqual([next!.id]);
  });

  it('a lost job comes back from the outbox; a dispute that ended first gets no reminder', async () => {
    clockAt(5); // Friday: respondBy is Monday, 72 h away; both reminders wait
    const filed = await fileDispute(w, w.client, await newContract(w));
    const d = (await a.domain.store.load(filed.id))!;
    const ids = [48, 24].map((h) => reminderJobId(d._id, 'respondBy', d.respondBy, h * HOUR));
    const queue = a.domain.jobs.queue('reminders');
    await eventually(async () => {
      for (const id of ids) expect(await (await queue.getJob(id))?.getState()).toBe('delayed');
    });

    // Redis lost one: the outbox still owes it, and repair enqueues it with its delay.
    const lost = (await queue.getJob(ids[0]!))!;
    const data = lost.data as ReminderData;
    await lost.remove();
    await repairOutbox(b.domain, 0);
    const back = await queue.getJob(ids[0]!);
    expect(await back?.getState()).toBe('delayed');
    expect(back!.delay).toBeGreaterThan(23 * HOUR);

    // The claimant withdraws: the stale reminders go, from the queue and the outbox.
    expect((await w.client.post(`/api/disputes/${filed.id}/withdraw`)).status).toBe(200);
    await eventually(async () => {
      for (const id of ids) expect(await queue.getJob(id)).toBeUndefined();
      expect(await a.domain.outbox.model.countDocuments({ 'data.disputeId': d._id })).toBe(0);
    });

    // One that fires anyway (its removal came too late) reads the dispute and sends nothing.
    offset += 24 * HOUR + 60_000;
    await a.domain.jobs.add('reminders', 'deadline_soon', data, { jobId: ids[0]! });
    await eventually(async () =>
      expect(await (await queue.getJob(ids[0]!))?.getState()).toBe('completed'),
    );
    for (const who of everyone()) expect(await reminders(who, filed.id)).toEqual([]);
  });

  it('3 days before mediationEndsBy: both parties and the mediator', async () => {
    clockAt(5);
    const filed = await fileDispute(w, w.client, await newContract(w));
    await w.freelancer.post(`/api/disputes/${filed.id}/respond`, { accept: false });
    expect((await w.mediator.post(`/api/disputes/${filed.id}/assign`)).status).toBe(200);
    const d = (await a.domain.store.load(filed.id))!;
    let job: Awaited<ReturnType<typeof reminderJob>>;
    await eventually(async () => {
      job = await reminderJob(d, 'mediationEndsBy', d.mediationEndsBy!, 72 * HOUR);
      expect(await job?.getState()).toBe('delayed');
    });
    expect(job!.delay).toBeGreaterThan(26 * DAY);
    // The respondBy reminders still waiting from `open` went when mediation began.
    await eventually(async () => {
      for (const h of [48, 24])
        expect(await reminderJob(d, 'respondBy', d.respondBy, h * HOUR)).toBeUndefined();
    });

    // Its time comes (the worker would run it then; BullMQ waits in real time).
    offset += 27 * DAY + 60_000;
    await a.domain.reminders.fire(job!.data as ReminderData, String(job!.id));
    for (const who of [w.client, w.freelancer, w.mediator]) {
      const got = await reminders(who, filed.id);
      expect(got.map((n) => n.title)).toEqual([`${filed.number}: mediation ends in 3 days`]);
    }
    for (const who of [w.otherMediator, w.ops, w.stranger])
      expect(await reminders(who, filed.id)).toEqual([]);
  });
});
