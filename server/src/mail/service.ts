import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { createTransport, type Transporter } from 'nodemailer';
import {
  readableChannels,
  relationTo,
  translatorFor,
  type Channel,
  type NotificationKind,
  type Translate,
  type User,
} from '@dispute-room/shared';
import { insertNew, upsertRacing } from '../db/mongo.js';
import type { Context } from '../context.js';
import type { DisputeStore } from '../disputes/store.js';
import { jobIdOf } from '../events/outbox.js';
import type { Jobs } from '../jobs/queues.js';
import type { ChannelLog } from '../messages/service.js';
import type { MessageDoc } from '../messages/model.js';
import type {
  DigestDoc,
  DigestItemDoc,
  DigestWindow,
  NotificationDoc,
} from '../notifications/model.js';
import type { NotificationService } from '../notifications/service.js';
import { disputeUrl, windowStart } from '../notifications/who.js';
import type { UserService } from '../users/service.js';
import { quietUntil } from './quiet-hours.js';
import { REPLY_TOKEN_DAYS, ReplyTokens } from './reply-token.js';
import { digestMail, notificationMail, type DigestGroup } from './templates.js';

/** Never held by a digest window: they are about a deadline that may decide against someone. */
const urgentKinds: readonly NotificationKind[] = [
  'dispute_filed',
  'deadline_soon',
  'webhook_disabled',
];
/** Their mails take a reply (it becomes a message in the notification's channel). */
const replyableKinds: readonly NotificationKind[] = ['message', 'proposal'];
const DIGEST_MESSAGES_PER_CHANNEL = 50;

export function smtpTransport(url: string): Transporter {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  return createTransport({
    host: u.hostname,
    port: Number(u.port) || (secure ? 465 : 587),
    secure,
    auth: u.username
      ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) }
      : undefined,
    // One connection per mail would cost a TCP and SMTP handshake each (digest runs).
    pool: true,
    maxConnections: 5,
  });
}

interface MailJob {
  notificationId?: string;
  digestId?: string;
}

/**
 * Notifications by email, as each recipient prefers: one mail each (`immediate`, and always
 * for a filing or a deadline), or one digest per window; none in quiet hours (they wait for
 * the end) and none when `off`. Every mail is a `mail` job whose id is derived from what it
 * sends, so it goes out once; SMTP errors are retried, a permanent one is recorded.
 */
export class MailService {
  private readonly transport: Transporter | null;
  readonly replyTokens: ReplyTokens;
  /** The server's own URL once it listens: links use it when PUBLIC_URL is unset. */
  listeningUrl = 'http://127.0.0.1:3000';

  constructor(
    private readonly ctx: Context,
    private readonly deps: {
      jobs: Jobs;
      notifications: NotificationService;
      users: UserService;
      store: DisputeStore;
      log: ChannelLog;
    },
  ) {
    this.transport = ctx.config.SMTP_URL ? smtpTransport(ctx.config.SMTP_URL) : null;
    this.replyTokens = new ReplyTokens(ctx.config.sessionSecret);
  }

  get enabled(): boolean {
    return this.transport !== null;
  }

  private get publicUrl(): string {
    return (this.ctx.config.PUBLIC_URL ?? this.listeningUrl).replace(/\/+$/, '');
  }

  private get settingsUrl(): string {
    return `${this.publicUrl}/settings/notifications`;
  }

  private jobOptions(jobId: string, delay: number) {
    return {
      jobId,
      delay: Math.max(0, delay),
      attempts: this.ctx.config.MAIL_MAX_ATTEMPTS,
      backoff: { type: 'exponential', delay: this.ctx.config.MAIL_BACKOFF_MS },
    };
  }

  /** After a notification is stored: its mail, or its place in the recipient's digest. */
  async schedule(n: NotificationDoc): Promise<void> {
    if (!this.transport) return;
    const prefs = await this.deps.notifications.preferences(n.userId);
    if (prefs.email === 'off') return;
    if (prefs.email === 'immediate' || urgentKinds.includes(n.kind)) {
      await this.deps.jobs.add(
        'mail',
        'notification',
        { notificationId: n._id },
        this.jobOptions(jobIdOf(n._id, 'mail'), 0),
      );
      return;
    }
    const minutes = prefs.digestMinutes;
    await this.placeInDigest(n, { start: windowStart(n.createdAt, minutes), minutes }, null);
  }

  /**
   * A notification's place in its user's digest of `window`. Two notifications of one window
   * at once both open it (unique inserts, the loser's a no-op) and each adds its own item, so
   * neither can be lost. One that comes after the digest went (made late, or while it was
   * being sent) is not among those it mailed: it goes on to the digest of the window the last
   * one was sent in, carrying the window its messages are from (`origin`). The sender does the
   * same for items it finds after sending; both place an item under the same unique id, so
   * it is carried once.
   */
  private async placeInDigest(
    n: { _id: string; userId: string },
    window: DigestWindow,
    origin: DigestWindow | null,
  ): Promise<void> {
    const { digests, digestItems } = this.deps.notifications.models;
    for (;;) {
      const { start, minutes } = window;
      // The window's length is part of its name: a window of 15 minutes and one of 5 can
      // start at the same moment (after the user changed their setting), and must not merge
      // — the later one would wait for the earlier one's end.
      const digestId = `${n.userId}.${start.getTime()}.${minutes}`;
      await insertNew(digests.collection as never, [
        {
          _id: digestId,
          userId: n.userId,
          windowStart: start,
          digestMinutes: minutes,
          sentAt: null,
        },
      ]);
      await insertNew(digestItems.collection as never, [
        {
          _id: `${digestId}:${n._id}`,
          digestId,
          notificationId: n._id,
          ...(origin && { window: origin }),
        },
      ]);
      const digest = await digests.findById(digestId).lean<DigestDoc>();
      if (!digest?.sentAt) {
        const sendAt = start.getTime() + minutes * 60_000;
        await this.deps.jobs.add(
          'mail',
          'digest',
          { digestId },
          this.jobOptions(jobIdOf(digestId, 'digest'), sendAt - this.ctx.clock.now().getTime()),
        );
        return;
      }
      if (digest.mailed?.includes(n._id)) return;
      origin ??= window;
      window = { start: laterWindow(digest.sentAt, window), minutes };
    }
  }

  /** The `mail` queue's processor. */
  async process(job: Job<MailJob>, token: string | undefined): Promise<void> {
    const { notificationId, digestId } = job.data;
    const user = await this.deps.users.byId((notificationId ?? digestId ?? '').split(/[_.]/)[0]!);
    if (!user) return;
    const prefs = await this.deps.notifications.preferences(user.id);
    if (prefs.email === 'off') return;
    const now = this.ctx.clock.now();
    const until = quietUntil(now, prefs.quietHours, user.timezone);
    if (until) {
      // Quiet hours in the recipient's zone: the same job waits for their end.
      await job.moveToDelayed(Date.now() + (until.getTime() - now.getTime()), token);
      throw new DelayedError();
    }
    const format = timeFormat(prefs.locale, user.timezone);
    const t = translatorFor(prefs.locale);
    if (notificationId) await this.sendNotification(job, user, notificationId, format, t);
    else if (digestId) await this.sendDigest(job, user, digestId, format, t);
  }

  private async sendNotification(
    job: Job,
    user: User,
    id: string,
    format: (d: Date) => string,
    t: Translate,
  ): Promise<void> {
    const n = await this.deps.notifications.byId(id);
    if (!n || n.mailedAt) return;
    const replyable = replyableKinds.includes(n.kind) && Boolean(this.ctx.config.REPLY_DOMAIN);
    const mail = await notificationMail(
      { title: n.title, body: n.body, when: format(n.createdAt), url: this.link(n.url) },
      { settingsUrl: this.settingsUrl, replyable, t },
    );
    await this.send(job, user, mail, replyable ? n._id : null);
    await this.deps.notifications.models.notifications.updateOne(
      { _id: n._id },
      { $set: { mailedAt: this.ctx.clock.now() } },
    );
  }

  private async sendDigest(
    job: Job,
    user: User,
    id: string,
    format: (d: Date) => string,
    t: Translate,
  ): Promise<void> {
    const digests = this.deps.notifications.models.digests;
    const digest = await digests.findById(id).lean<DigestDoc>();
    if (!digest || digest.sentAt) return;
    const prefs = await this.deps.notifications.preferences(user.id);
    const minutes = digest.digestMinutes ?? prefs.digestMinutes;
    const end = new Date(digest.windowStart.getTime() + minutes * 60_000);
    const digestItems = this.deps.notifications.models.digestItems;
    const items = await digestItems.find({ digestId: id }).lean<DigestItemDoc[]>();
    const ids = new Set([...(digest.notificationIds ?? []), ...items.map((i) => i.notificationId)]);
    const docs = (
      await Promise.all([...ids].map((nid) => this.deps.notifications.byId(nid)))
    ).filter((d): d is NotificationDoc => d !== null);
    const own: DigestWindow = { start: digest.windowStart, minutes };
    const windowOf = new Map(items.map((i) => [i.notificationId, i.window ?? own]));
    const groups = await this.digestGroups(
      user,
      docs.map((n) => ({ n, window: windowOf.get(n._id) ?? own })),
      format,
      t,
    );
    if (groups.length > 0) {
      const mail = await digestMail(groups, {
        settingsUrl: this.settingsUrl,
        window: `${format(digest.windowStart)} – ${format(end)}`,
        t,
      });
      const messageNotifications = docs.filter((d) => d.kind === 'message');
      const replyTo =
        this.ctx.config.REPLY_DOMAIN && messageNotifications.length === 1
          ? messageNotifications[0]!._id
          : null;
      await this.send(job, user, mail, replyTo);
    }
    const sentAt = this.ctx.clock.now();
    await digests.updateOne({ _id: id }, { $set: { sentAt, mailed: [...ids] } });
    // Items that came in while this one was being sent go on to a later digest.
    const late = await digestItems.find({ digestId: id }).lean<DigestItemDoc[]>();
    for (const item of late.filter((i) => !ids.has(i.notificationId)))
      await this.placeInDigest(
        { _id: item.notificationId, userId: user.id },
        { start: laterWindow(sentAt, own), minutes },
        item.window ?? own,
      );
  }

  /**
   * What a digest says: per dispute, its other notifications and the messages the recipient
   * has not read of the windows its message notifications are from (the digest's own, or an
   * earlier one a late notification carries), per channel they may read (never another's).
   */
  private async digestGroups(
    user: User,
    placed: { n: NotificationDoc; window: DigestWindow }[],
    format: (d: Date) => string,
    t: Translate,
  ): Promise<DigestGroup[]> {
    const byDispute = new Map<string, typeof placed>();
    for (const p of placed) {
      const key = p.n.disputeId ?? '';
      byDispute.set(key, [...(byDispute.get(key) ?? []), p]);
    }
    const groups: DigestGroup[] = [];
    for (const [disputeId, list] of byDispute) {
      const items = list
        .filter(({ n }) => n.kind !== 'message')
        .map(({ n }) => ({
          title: n.title,
          body: n.body,
          when: format(n.createdAt),
          url: this.link(n.url),
        }));
      const windows = [
        ...new Map(
          list
            .filter(({ n }) => n.kind === 'message')
            .map(({ window }) => [window.start.getTime(), window] as const),
        ).values(),
      ];
      const dispute = disputeId ? await this.deps.store.load(disputeId) : null;
      const channels: DigestGroup['channels'] = [];
      if (dispute && windows.length > 0) {
        const readable = readableChannels(relationTo(user, dispute));
        const reads = await this.deps.log.reads(dispute._id, readable, [user.id]);
        for (const channel of readable) {
          const missed = await this.missedIn(
            dispute._id,
            channel,
            reads[channel]?.[user.id] ?? 0,
            windows,
            user.id,
          );
          if (missed.length === 0) continue;
          const messages = [];
          for (const m of missed)
            messages.push({
              author:
                (m.authorId && (await this.deps.users.byId(m.authorId))?.name) || t('role.someone'),
              when: format(m.createdAt),
              body: m.kind === 'evidence' ? `${t('mail.sharedFile')} ${m.body}`.trim() : m.body,
            });
          channels.push({
            name: mailChannelName(channel as Channel, t),
            url: this.link(disputeUrl(dispute._id, channel)),
            messages,
          });
        }
      }
      if (items.length === 0 && channels.length === 0) continue;
      groups.push({
        title: dispute ? `${dispute.number}: ${dispute.contractTitle}` : t('mail.other'),
        url: this.link(dispute ? disputeUrl(dispute._id) : '/'),
        channels,
        items,
      });
    }
    return groups;
  }

  /**
   * Others' messages of one channel in the given windows that the reader has not read (after
   * their read position), in order. Each window is found by time, not by counting from the
   * read position: a reader who stopped reading long ago still gets this window's messages.
   */
  private async missedIn(
    disputeId: string,
    channel: Channel,
    after: number,
    windows: DigestWindow[],
    readerId: string,
  ): Promise<MessageDoc[]> {
    const bySeq = new Map<number, MessageDoc>();
    for (const w of windows) {
      const end = w.start.getTime() + w.minutes * 60_000;
      const page = await this.deps.log.pageSince(
        disputeId,
        channel,
        after,
        w.start,
        DIGEST_MESSAGES_PER_CHANNEL,
      );
      for (const m of page)
        if (
          (m.kind === 'text' || m.kind === 'evidence') &&
          m.authorId !== readerId &&
          m.createdAt.getTime() < end
        )
          bySeq.set(m.seq, m);
    }
    return [...bySeq.values()].sort((a, b) => a.seq - b.seq).slice(0, DIGEST_MESSAGES_PER_CHANNEL);
  }

  private link(path: string): string {
    return `${this.publicUrl}${path}`;
  }

  private async send(
    job: Job,
    user: User,
    mail: { subject: string; text: string; html: string },
    replyTo: string | null,
  ): Promise<void> {
    try {
      await this.transport!.sendMail({
        from: this.ctx.config.MAIL_FROM,
        to: user.email,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        replyTo: replyTo
          ? `reply+${this.replyTokens.sign(replyTo)}@${this.ctx.config.REPLY_DOMAIN}`
          : undefined,
        headers: { 'Auto-Submitted': 'auto-generated' },
        list: { unsubscribe: { url: this.settingsUrl, comment: 'Notification settings' } },
      });
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode ?? 0;
      const permanent = code >= 500;
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (permanent || last) {
        await upsertRacing((upsert) =>
          this.deps.notifications.models.mailFailures.updateOne(
            { _id: String(job.id) },
            {
              $set: {
                userId: user.id,
                to: user.email,
                error: err instanceof Error ? err.message : String(err),
                at: this.ctx.clock.now(),
              },
            },
            { upsert },
          ),
        );
      }
      if (permanent) throw new UnrecoverableError(err instanceof Error ? err.message : String(err));
      throw err;
    }
  }

  /** Whether a reply to a mail made now still works at `at`. */
  static replyExpired(n: NotificationDoc, at: Date): boolean {
    return at.getTime() - n.createdAt.getTime() > REPLY_TOKEN_DAYS * 86_400_000;
  }

  close(): void {
    this.transport?.close();
  }
}

/** The window after `window` that `at` falls in (a later one than `window` in any case). */
function laterWindow(at: Date, window: DigestWindow): Date {
  const next = windowStart(at, window.minutes).getTime();
  return new Date(Math.max(next, window.start.getTime() + window.minutes * 60_000));
}

/** A channel as a digest names it to its reader: a party's caucus is their private channel. */
function mailChannelName(channel: Channel, t: Translate): string {
  if (channel === 'joint') return t('channel.staff.joint');
  if (channel === 'internal') return t('channel.staff.internal');
  return t('channel.party.private');
}

function timeFormat(locale: string, timeZone: string): (d: Date) => string {
  const options: Intl.DateTimeFormatOptions = {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  };
  let f: Intl.DateTimeFormat;
  try {
    f = new Intl.DateTimeFormat(locale, options);
  } catch {
    f = new Intl.DateTimeFormat('en', options);
  }
  return (d) => f.format(d);
}
