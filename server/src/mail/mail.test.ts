import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Preferences } from '@dispute-room/shared';
import type { RunningServer } from '../server.js';
import type { ApiClient } from '../../test/api-client.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';
import { startSmtpSink, type SmtpSink } from '../../test/smtp-sink.js';
import {
  disputeInMediation,
  fileDispute,
  makeWorld,
  newContract,
  type World,
} from '../../test/world.js';
import type { DigestDoc, DigestItemDoc, NotificationDoc } from '../notifications/model.js';
import { quietUntil } from './quiet-hours.js';

let server: RunningServer;
let w: World;
let sink: SmtpSink;
/** The server's clock runs this far ahead of real time (digest windows, quiet hours). */
let offset = 0;
/** The latest moment the server's clock has shown (it goes back to real time between tests). */
let latest = 0;

/**
 * Sets the server's clock `into` ms into a window of `period` ms that starts after every
 * moment the clock has shown so far. No digest of that window exists yet: a digest's job
 * waits in real time, so one scheduled under an earlier setting of the clock would be sent
 * at another moment than the window's end. Returns the window's start.
 */
function enterFreshWindow(period: number, into: number): number {
  const start = Math.ceil((Math.max(latest, Date.now() + offset) + 1) / period) * period;
  offset = start + into - Date.now();
  return start;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({
    clock: {
      now: () => {
        latest = Math.max(latest, Date.now() + offset);
        return new Date(Date.now() + offset);
      },
    },
    env: {
      SMTP_URL: sink.url,
      PUBLIC_URL: 'https://disputes.example.test',
      MAIL_BACKOFF_MS: '50',
      MAIL_MAX_ATTEMPTS: '4',
    },
  });
  w = await makeWorld(server);
});
afterAll(async () => {
  await stopTestServer(server);
  await sink.close();
});
beforeEach(() => {
  offset = 0;
  sink.refuse = [];
});

const mailsTo = (who: ApiClient) =>
  sink.mails.filter((m) => m.to && 'text' in m.to && m.to.text === who.user!.email);

async function prefer(who: ApiClient, prefs: Partial<Preferences>) {
  const current = (await who.get('/api/me/preferences')).body.preferences as Preferences;
  const res = await who.request('PUT', '/api/me/preferences', { ...current, ...prefs });
  expect(res.status).toBe(200);
}

/** A user's notifications, digests and mail jobs as the server holds them (failure reports). */
async function mailState(who: ApiClient) {
  const userId = who.user!.id;
  const { notifications, digests, digestItems, mailFailures } = server.domain.notifications.models;
  const mine = await digests.find({ userId }).lean();
  const queue = server.domain.jobs.queue('mail');
  const jobs = await queue.getJobs(['delayed', 'waiting', 'active', 'completed', 'failed']);
  return {
    now: new Date(Date.now() + offset).toISOString(),
    offset,
    preferences: await server.domain.notifications.preferences(userId),
    notifications: (await notifications.find({ userId }).lean()).map((n) => ({
      id: n._id,
      kind: n.kind,
      disputeId: n.disputeId,
      channel: n.channel,
      createdAt: n.createdAt,
    })),
    digests: mine,
    items: await digestItems.find({ digestId: { $in: mine.map((d) => d._id) } }).lean(),
    failures: await mailFailures.find({ userId }).lean(),
    jobs: await Promise.all(
      jobs
        .filter((j) => String(j.id).startsWith(userId))
        .map(async (j) => ({
          id: j.id,
          state: await j.getState(),
          delay: j.delay,
          timestamp: new Date(j.timestamp).toISOString(),
          finishedOn: j.finishedOn && new Date(j.finishedOn).toISOString(),
          failedReason: j.failedReason,
        })),
    ),
    mails: mailsTo(who).map((m) => m.subject),
  };
}

/**
 * Waits (a minute at most) for `check`; when it does not come, the failure says what the
 * server holds for `who`, so it names the step that did not happen.
 */
async function waitSaying(who: ApiClient, check: () => void): Promise<void> {
  await vi.waitFor(check, { timeout: 60_000, interval: 100 }).catch(async (err: Error) => {
    throw new Error(`${err.message}\n${JSON.stringify(await mailState(who), null, 1)}`);
  });
}

describe('preferences', () => {
  it('default to digest, 15 minutes, no quiet hours, en; bad ones are refused and change nothing', async () => {
    const who = w.ops;
    // localeChosen: false until the user saves one (clients show the browser's language).
    expect((await who.get('/api/me/preferences')).body).toEqual({
      preferences: { email: 'digest', digestMinutes: 15, quietHours: null, locale: 'en' },
      localeChosen: false,
    });
    for (const bad of [
      { email: 'sometimes', digestMinutes: 15, quietHours: null, locale: 'en' },
      { email: 'digest', digestMinutes: 4, quietHours: null, locale: 'en' },
      {
        email: 'digest',
        digestMinutes: 15,
        quietHours: { start: '25:00', end: '07:00' },
        locale: 'en',
      },
      { email: 'digest', digestMinutes: 15, quietHours: null },
    ]) {
      const res = await who.request('PUT', '/api/me/preferences', bad);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await who.get('/api/me/preferences')).body.preferences.email).toBe('digest');
    await prefer(who, { email: 'off', quietHours: { start: '22:00', end: '07:00' }, locale: 'de' });
    expect((await who.get('/api/me/preferences')).body).toEqual({
      preferences: {
        email: 'off',
        digestMinutes: 15,
        quietHours: { start: '22:00', end: '07:00' },
        locale: 'de',
      },
      localeChosen: true,
    });
  });

  it('reads quiet hours in the recipient zone, across midnight', () => {
    const night = { start: '22:00', end: '07:00' };
    // 23:30 in Tokyo is 14:30 UTC: quiet until 07:00 Tokyo = 22:00 UTC.
    expect(quietUntil(new Date('2026-12-02T14:30:00Z'), night, 'Asia/Tokyo')).toEqual(
      new Date('2026-12-02T22:00:00Z'),
    );
    // 06:00 in New York (11:00 UTC): quiet until 07:00 there (12:00 UTC).
    expect(quietUntil(new Date('2026-12-02T11:00:00Z'), night, 'America/New_York')).toEqual(
      new Date('2026-12-02T12:00:00Z'),
    );
    expect(quietUntil(new Date('2026-12-02T14:30:00Z'), night, 'UTC')).toBeNull();
    expect(quietUntil(new Date('2026-12-02T14:30:00Z'), null, 'Asia/Tokyo')).toBeNull();
  });
});

describe('email', () => {
  it('a filing reaches the respondent at once despite a digest window, with text, HTML and List-Unsubscribe', async () => {
    const d = await fileDispute(w, w.client, await newContract(w));
    await vi.waitFor(
      () => expect(mailsTo(w.freelancer).some((m) => m.subject?.includes(d.number))).toBe(true),
      { timeout: 15_000, interval: 50 },
    );
    const mail = mailsTo(w.freelancer).find((m) => m.subject?.includes(d.number))!;
    expect(mail.text).toContain(`https://disputes.example.test/disputes/${d.id}?channel=joint`);
    expect(mail.html).toContain('Open the dispute');
    expect(
      String(mail.headers.get('list-unsubscribe') ?? JSON.stringify(mail.headers.get('list'))),
    ).toContain('https://disputes.example.test/settings/notifications');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    // The claimant (no notification of their own filing) gets no mail about it.
    expect(mailsTo(w.client).some((m) => m.subject?.includes(`filed dispute ${d.number}`))).toBe(
      false,
    );
  });

  it(
    'a digest window sends one mail however many messages, grouped by dispute and channel',
    { timeout: 90_000 },
    async () => {
      const d = await disputeInMediation(w, await newContract(w));
      await prefer(w.client, { email: 'digest', digestMinutes: 5 });
      // 25 s before the end of a five-minute window of the server's clock: all six messages
      // fall in it even on a slow machine.
      const period = 5 * 60_000;
      const windowStart = enterFreshWindow(period, period - 25_000);
      const before = mailsTo(w.client).length;
      for (let i = 0; i < 4; i++)
        await w.freelancer.post(`/api/disputes/${d.id}/messages`, {
          channel: 'joint',
          body: `joint ${i}`,
          clientMsgId: `dj-${i}`,
        });
      await w.mediator.post(`/api/disputes/${d.id}/messages`, {
        channel: 'caucus:client',
        body: 'just for you',
        clientMsgId: 'dc-1',
      });
      await w.mediator.post(`/api/disputes/${d.id}/messages`, {
        channel: 'caucus:freelancer',
        body: 'not for the client',
        clientMsgId: 'df-1',
      });
      // A digest of an earlier window (the setup's state changes) may end meanwhile: only the
      // digests carrying this dispute's messages count.
      const ofThese = () =>
        mailsTo(w.client)
          .slice(before)
          .filter((m) => m.subject?.includes('new messages') && m.text?.includes(d.number));
      await waitSaying(w.client, () => expect(ofThese().length).toBe(1));
      const digest = ofThese()[0]!;
      expect(digest.subject).toBe('5 new messages in 1 dispute');
      expect(digest.text).toContain(d.number);
      expect(digest.text).toMatch(
        /-- Joint[\s\S]*Fred Freelancer: joint 0[\s\S]*joint 3[\s\S]*-- Private with mediator[\s\S]*just for you/,
      );
      expect(digest.text).not.toContain('not for the client');
      expect(digest.html).not.toContain('not for the client');
      // The window's one job has completed and sent once.
      const job = await server.domain.jobs
        .queue('mail')
        .getJob(`${w.client.user!.id}.${windowStart}.5.digest`);
      await vi.waitFor(async () => expect(await job!.getState()).toBe('completed'), {
        timeout: 15_000,
        interval: 50,
      });
      expect(ofThese().length).toBe(1);
    },
  );

  it(
    'a reader far behind still gets the window’s messages, found by time not by their read position',
    { timeout: 90_000 },
    async () => {
      const d = await disputeInMediation(w, await newContract(w));
      await prefer(w.client, { email: 'digest', digestMinutes: 5 });
      // More unread messages than a digest shows per channel (and than a bucket holds: the
      // window is looked for by halving), in an earlier window…
      for (let i = 0; i < 70; i++)
        await w.freelancer.post(`/api/disputes/${d.id}/messages`, {
          channel: 'joint',
          body: `backlog ${i}`,
          clientMsgId: `fb-${i}`,
        });
      // …then, 25 s before the end of a later window, one more.
      const period = 5 * 60_000;
      enterFreshWindow(period, period - 25_000);
      const before = mailsTo(w.client).length;
      await w.freelancer.post(`/api/disputes/${d.id}/messages`, {
        channel: 'joint',
        body: 'after the backlog',
        clientMsgId: 'fb-last',
      });
      const ofIt = () =>
        mailsTo(w.client)
          .slice(before)
          .filter((m) => m.text?.includes('after the backlog'));
      await waitSaying(w.client, () => expect(ofIt().length).toBe(1));
      expect(ofIt()[0]!.subject).toBe('1 new message in 1 dispute');
      expect(ofIt()[0]!.text).not.toContain('backlog 69');
    },
  );

  it(
    'a message notification made after its window’s digest went is carried by the next, with its message',
    { timeout: 90_000 },
    async () => {
      const [early, late] = [
        await disputeInMediation(w, await newContract(w)),
        await disputeInMediation(w, await newContract(w)),
      ];
      await prefer(w.client, { email: 'digest', digestMinutes: 5 });
      const period = 5 * 60_000;
      const windowStart = enterFreshWindow(period, period - 25_000);
      const before = mailsTo(w.client).length;
      await w.freelancer.post(`/api/disputes/${early.id}/messages`, {
        channel: 'joint',
        body: 'on time',
        clientMsgId: 'lt-1',
      });
      const { notifications, digests, digestItems } = server.domain.notifications.models;
      const userId = w.client.user!.id;
      // Its notification has its place in the window's digest before email is switched off.
      await vi.waitFor(
        async () => {
          const onTime = await notifications
            .findOne({ userId, disputeId: early.id, kind: 'message' })
            .lean();
          expect(
            onTime && (await digestItems.findById(`${userId}.${windowStart}.5:${onTime._id}`)),
          ).toBeTruthy();
        },
        { timeout: 15_000, interval: 50 },
      );
      // The late dispute's message is in the same window, but its notification is not mailed
      // then (email off): it stands for one whose making was delayed past the window's end.
      await prefer(w.client, { email: 'off' });
      await w.freelancer.post(`/api/disputes/${late.id}/messages`, {
        channel: 'joint',
        body: 'told late',
        clientMsgId: 'lt-2',
      });
      let n: NotificationDoc | null = null;
      await vi.waitFor(
        async () => {
          n = await notifications.findOne({ userId, disputeId: late.id, kind: 'message' }).lean();
          expect(n).not.toBeNull();
        },
        { timeout: 15_000, interval: 50 },
      );
      await prefer(w.client, { email: 'digest', digestMinutes: 5 });
      const newMails = () => mailsTo(w.client).slice(before);
      await vi.waitFor(
        () => expect(newMails().some((m) => m.text?.includes('on time'))).toBe(true),
        {
          timeout: 60_000,
          interval: 100,
        },
      );
      expect(newMails().some((m) => m.text?.includes('told late'))).toBe(false);
      // Marked sent just after the SMTP server took it.
      await vi.waitFor(
        async () =>
          expect(
            (await digests.findById(`${userId}.${windowStart}.5`).lean<DigestDoc>())?.sentAt,
          ).toBeTruthy(),
        { timeout: 15_000, interval: 50 },
      );
      // Placed now, it goes to the next window's digest, whose job is brought forward here
      // rather than waiting for that window's end.
      await server.domain.mail.schedule(n!);
      const next = `${userId}.${windowStart + period}.5`;
      const item = await digestItems.findById(`${next}:${n!._id}`).lean<DigestItemDoc>();
      expect(item?.window?.start.getTime()).toBe(windowStart);
      const job = (await server.domain.jobs.queue('mail').getJob(`${next}.digest`))!;
      expect(await job.getState()).toBe('delayed');
      await job.promote();
      await vi.waitFor(
        () => expect(newMails().filter((m) => m.text?.includes('told late')).length).toBe(1),
        { timeout: 30_000, interval: 100 },
      );
      const carried = newMails().find((m) => m.text?.includes('told late'))!;
      expect(carried.subject).toBe('1 new message in 1 dispute');
      expect(carried.text).toContain(late.number);
      expect(carried.text).not.toContain('on time');
      expect(newMails().filter((m) => m.text?.includes('on time')).length).toBe(1);
    },
  );

  it(
    'a shorter digest window that starts where a longer one did is sent at its own end',
    { timeout: 90_000 },
    async () => {
      const d = await disputeInMediation(w, await newContract(w));
      await prefer(w.client, { email: 'digest', digestMinutes: 15 });
      // 25 s before the end of the first five minutes of a quarter hour: one message in the
      // 15-minute window, then the user shortens it to 5 minutes, which start at the same moment.
      enterFreshWindow(15 * 60_000, 5 * 60_000 - 25_000);
      const before = mailsTo(w.client).length;
      const digestsOfClient = () =>
        server.domain.notifications.models.digests.countDocuments({ userId: w.client.user!.id });
      const digests = await digestsOfClient();
      await w.freelancer.post(`/api/disputes/${d.id}/messages`, {
        channel: 'joint',
        body: 'in the long window',
        clientMsgId: 'sw-1',
      });
      await vi.waitFor(async () => expect(await digestsOfClient()).toBeGreaterThan(digests), {
        timeout: 15_000,
        interval: 50,
      });
      await prefer(w.client, { email: 'digest', digestMinutes: 5 });
      await w.freelancer.post(`/api/disputes/${d.id}/messages`, {
        channel: 'joint',
        body: 'in the short window',
        clientMsgId: 'sw-2',
      });
      // Sent when the five minutes end (about 25 s), not held until the quarter hour's end.
      await vi.waitFor(
        () =>
          expect(
            mailsTo(w.client)
              .slice(before)
              .some((m) => m.text?.includes('in the short window')),
          ).toBe(true),
        { timeout: 60_000, interval: 100 },
      );
    },
  );

  it('quiet hours hold a mail until they end in the recipient zone', async () => {
    const who = w.mediator;
    const tokyo = (at: Date) =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Tokyo',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(at);
    const now = new Date();
    // Quiet from an hour ago to two hours from now, Tokyo time (the mediator's zone is UTC:
    // the same hours read in UTC would not hold it unless Tokyo and UTC agreed).
    await prefer(who, {
      email: 'immediate',
      quietHours: {
        start: tokyo(new Date(now.getTime() - 3_600_000)),
        end: tokyo(new Date(now.getTime() + 2 * 3_600_000)),
      },
    });
    await server.domain.users.model.updateOne(
      { _id: who.user!.id },
      { $set: { timezone: 'Asia/Tokyo' } },
    );
    server.domain.users['cache'].clear();
    const n = await server.domain.notifications.notify({
      userId: who.user!.id,
      kind: 'state_changed',
      disputeId: null,
      title: 'Quiet test',
      body: 'held',
      url: '/',
      key: 'quiet-test',
    });
    const job = async () => (await server.domain.jobs.queue('mail').getJob(`${n!._id}.mail`))!;
    await vi.waitFor(async () => expect(await (await job()).getState()).toBe('delayed'), {
      timeout: 15_000,
      interval: 50,
    });
    await (await job()).promote();
    // Run again while still quiet: held again, nothing sent.
    await vi.waitFor(
      async () => {
        const j = await job();
        expect(await j.getState()).toBe('delayed');
        expect(j.attemptsStarted).toBeGreaterThanOrEqual(2);
      },
      { timeout: 15_000, interval: 50 },
    );
    expect(mailsTo(who).some((m) => m.subject === 'Quiet test')).toBe(false);
    // Past the end of the quiet hours in Tokyo it goes.
    offset = 2 * 3_600_000 + 60_000;
    await (await job()).promote();
    await vi.waitFor(
      () => expect(mailsTo(who).filter((m) => m.subject === 'Quiet test')).toHaveLength(1),
      { timeout: 15_000, interval: 50 },
    );
  });

  it('an SMTP server that refuses, then accepts, gets the mail exactly once; a permanent refusal is recorded for admins', async () => {
    const who = w.otherMediator;
    await prefer(who, { email: 'immediate' });
    sink.refuse = [451, 421];
    const notify = (key: string, title: string) =>
      server.domain.notifications.notify({
        userId: who.user!.id,
        kind: 'rule',
        disputeId: null,
        title,
        body: 'b',
        url: '/',
        key,
      });
    await notify('refuse-1', 'Eventually');
    await vi.waitFor(
      () => expect(mailsTo(who).filter((m) => m.subject === 'Eventually')).toHaveLength(1),
      { timeout: 15_000, interval: 50 },
    );
    expect(sink.refused).toBe(2);

    sink.refuse = [550];
    const n = await notify('refuse-2', 'Never');
    await vi.waitFor(
      async () => {
        const queues = await w.admin.get('/api/admin/queues');
        expect(queues.status).toBe(200);
        const mail = queues.body.queues.find((q: { name: string }) => q.name === 'mail');
        expect(mail.failed.map((f: { id: string }) => f.id)).toContain(`${n!._id}.mail`);
      },
      { timeout: 15_000, interval: 50 },
    );
    expect(
      await server.domain.notifications.models.mailFailures.findById(`${n!._id}.mail`).lean(),
    ).toMatchObject({
      to: who.user!.email,
    });
    expect(mailsTo(who).filter((m) => m.subject === 'Never')).toHaveLength(0);
  });

  it('a mail is framed in its recipient’s language', async () => {
    await prefer(w.freelancer, { email: 'immediate', locale: 'de' });
    try {
      const d = await fileDispute(w, w.client, await newContract(w));
      await vi.waitFor(
        () => expect(mailsTo(w.freelancer).some((m) => m.subject?.includes(d.number))).toBe(true),
        { timeout: 15_000, interval: 50 },
      );
      const mail = mailsTo(w.freelancer).find((m) => m.subject?.includes(d.number))!;
      expect(mail.html).toContain('Streitfall öffnen');
      expect(mail.html).not.toContain('Open the dispute');
      expect(mail.text).toContain(
        'Diese E-Mails ändern oder abbestellen: https://disputes.example.test/settings/notifications',
      );
      expect(mail.text).toContain(
        `Streitfall öffnen: https://disputes.example.test/disputes/${d.id}`,
      );
    } finally {
      await prefer(w.freelancer, { email: 'digest', locale: 'en' });
    }
  });
});
