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
import type { DigestDoc, DigestItemDoc, NotificationDoc } from '../notifications/model.js';
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
    const now = this.ctx.clock.now();
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
    const start = windowStart(n.createdAt, minutes);
    // The window's length is part of its name: a window of 15 minutes and one of 5 can start
    // at the same moment (after the user changed their setting), and must not merge — the
    // later one would wait for the earlier one's end.
    const digestId = `${n.userId}.${start.getTime()}.${minutes}`;
    // Two notifications of one window at once: both open it (unique inserts, the loser's a
    // no-op) and each adds its own item, so neither can be lost.
    const { digests, digestItems } = this.deps.notifications.models;
    await insertNew(digests.collection as never, [
      { _id: digestId, userId: n.userId, windowStart: start, digestMinutes: minutes, sentAt: null },
    ]);
    await insertNew(digestItems.collection as never, [
      { _id: `${digestId}:${n._id}`, digestId, notificationId: n._id },
    ]);
    const sendAt = start.getTime() + minutes * 60_000;
    await this.deps.jobs.add(
      'mail',
      'digest',
      { digestId },
      this.jobOptions(jobIdOf(digestId, 'digest'), sendAt - now.getTime()),
    );
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
    const items = await this.deps.notifications.models.digestItems
      .find({ digestId: id })
      .lean<DigestItemDoc[]>();
    const ids = new Set([...(digest.notificationIds ?? []), ...items.map((i) => i.notificationId)]);
    const docs = await Promise.all([...ids].map((nid) => this.deps.notifications.byId(nid)));
    const groups = await this.digestGroups(
      user,
      docs.filter((d): d is NotificationDoc => d !== null),
      { start: digest.windowStart, end },
      format,
      t,
    );
    if (groups.length > 0) {
      const mail = await digestMail(groups, {
        settingsUrl: this.settingsUrl,
        window: `${format(digest.windowStart)} – ${format(end)}`,
        t,
      });
      const messageNotifications = docs.filter((d) => d?.kind === 'message');
      const replyTo =
        this.ctx.config.REPLY_DOMAIN && messageNotifications.length === 1
          ? messageNotifications[0]!._id
          : null;
      await this.send(job, user, mail, replyTo);
    }
    await digests.updateOne({ _id: id }, { $set: { sentAt: this.ctx.clock.now() } });
  }

  /**
   * What a digest says: per dispute, its other notifications and the messages of the window
   * the recipient has not read, per channel they may read (never another channel's).
   */
  private async digestGroups(
    user: User,
    docs: NotificationDoc[],
    window: { start: Date; end: Date },
    format: (d: Date) => string,
    t: Translate,
  ): Promise<DigestGroup[]> {
    const byDispute = new Map<string, NotificationDoc[]>();
    for (const d of docs) {
      const key = d.disputeId ?? '';
      byDispute.set(key, [...(byDispute.get(key) ?? []), d]);
    }
    const groups: DigestGroup[] = [];
    for (const [disputeId, list] of byDispute) {
      const items = list
        .filter((n) => n.kind !== 'message')
        .map((n) => ({
          title: n.title,
          body: n.body,
          when: format(n.createdAt),
          url: this.link(n.url),
        }));
      const dispute = disputeId ? await this.deps.store.load(disputeId) : null;
      const channels: DigestGroup['channels'] = [];
      if (dispute && list.some((n) => n.kind === 'message')) {
        const readable = readableChannels(relationTo(user, dispute));
        const reads = await this.deps.log.reads(dispute._id, readable, [user.id]);
        for (const channel of readable) {
          const after = reads[channel]?.[user.id] ?? 0;
          const page = await this.deps.log.page(
            dispute._id,
            channel,
            after,
            DIGEST_MESSAGES_PER_CHANNEL,
          );
          const missed = page.messages.filter(
            (m) =>
              (m.kind === 'text' || m.kind === 'evidence') &&
              m.authorId !== user.id &&
              m.createdAt >= window.start &&
              m.createdAt < window.end,
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
