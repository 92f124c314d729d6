import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import EmailReplyParser from 'email-reply-parser';
import { simpleParser, type AddressObject, type HeaderValue, type ParsedMail } from 'mailparser';
import {
  MAX_BODY_CHARS,
  canWrite,
  isTerminal,
  type NotificationKind,
  type User,
} from '@dispute-room/shared';
import type { Context } from '../context.js';
import type { DisputeService } from '../disputes/service.js';
import type { EvidenceService } from '../evidence/service.js';
import { AppError } from '../http/errors.js';
import type { ThreadService } from '../messages/thread.js';
import type { NotificationDoc } from '../notifications/model.js';
import type { NotificationService } from '../notifications/service.js';
import type { UserService } from '../users/service.js';
import { MailService } from './service.js';

/** The kinds whose mails carry a reply address (see MailService). */
const replyableKinds: readonly NotificationKind[] = ['message', 'proposal'];
/** A message takes at most this many evidence ids. */
const MAX_ATTACHMENTS = 20;
/** Base64 with a line break every 76 characters: how much one file grows inside a mail. */
const BASE64_GROWTH = (4 / 3) * (78 / 76);
const HEADROOM_BYTES = 1024 * 1024;

const outOfOfficeSubject =
  /^\s*(auto(matic)?[ -]?(reply|response|antwort)|automatische antwort|out of (the )?office|abwesen|absence|r[ée]ponse automatique|respuesta autom[áa]tica)/i;

export type InboundResult =
  | { accepted: true; messageId: string }
  /** An auto-reply: dropped without a bounce, so two robots never answer each other for ever. */
  | { accepted: false; messageId: null };

/** What the SMTP session knew; absent for mail handed over by HTTP (the headers say it). */
export interface Envelope {
  recipients: string[];
  /** MAIL FROM; empty for the null sender `<>`. */
  sender: string;
}

const refused = (message: string) => new AppError('unprocessable', message);

/** Errors worth trying again later (SMTP 451, HTTP as they are); every other one is a refusal. */
export function isTemporary(err: unknown): boolean {
  return (
    !(err instanceof AppError) || ['rate_limited', 'unavailable', 'internal'].includes(err.code)
  );
}

/**
 * Replies by email: a mail to `reply+<token>@REPLY_DOMAIN` from the address of the user the
 * token's notification was for becomes a text message of that user in the notification's
 * channel, without the quoted history and the signature; its attachments become evidence of
 * that channel. Everything is checked before anything is stored, so a refused mail (bad or
 * expired token, another sender, a closed dispute, a channel the user may no longer write,
 * nothing left to say) leaves no trace.
 */
export class RepliesByEmail {
  /** The largest mail taken: one file of the evidence limit in base64, plus text and headers. */
  readonly maxBytes: number;
  private readonly replyParser = new EmailReplyParser();

  constructor(
    private readonly ctx: Context,
    private readonly deps: {
      mail: MailService;
      notifications: NotificationService;
      users: UserService;
      disputes: DisputeService;
      thread: ThreadService;
      evidence: EvidenceService;
    },
  ) {
    this.maxBytes = Math.ceil(ctx.config.EVIDENCE_MAX_BYTES * BASE64_GROWTH) + HEADROOM_BYTES;
  }

  /** The token of an address `reply+<token>@REPLY_DOMAIN`, or null for any other address. */
  tokenOf(address: string): string | null {
    const domain = this.ctx.config.REPLY_DOMAIN?.toLowerCase();
    const m = /^reply\+([^@\s]+)@([^@\s]+)$/i.exec(address.trim());
    return domain && m && m[2]!.toLowerCase() === domain ? m[1]! : null;
  }

  async receive(raw: Buffer, envelope?: Envelope): Promise<InboundResult> {
    let mail: ParsedMail;
    try {
      mail = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
    } catch {
      throw refused('the mail could not be read');
    }
    if (isAutoReply(mail)) return { accepted: false, messageId: null };

    const addresses = envelope ? envelope.recipients : headerRecipients(mail);
    const token = addresses.map((a) => this.tokenOf(a)).find((t) => t !== null);
    if (!token) throw refused('no reply address of this server among the recipients');
    const n = await this.notificationOf(token);
    const user = await this.deps.users.byId(n.userId);
    if (!user) throw refused('this reply address is no longer valid');
    const from = mail.from?.value[0]?.address ?? '';
    const senders = envelope ? [from, envelope.sender] : [from];
    if (!senders.every((s) => s.toLowerCase() === user.email.toLowerCase()))
      throw refused('this reply address belongs to another sender');

    const body = this.replyText(mail);
    if (!body)
      throw refused('the reply has no text of its own (quotes and signatures are left out)');
    if (body.length > MAX_BODY_CHARS)
      throw refused(`the reply is longer than ${MAX_BODY_CHARS} characters`);
    const files = mail.attachments.filter((a) => !a.related);
    if (files.length > MAX_ATTACHMENTS)
      throw refused(`a reply takes at most ${MAX_ATTACHMENTS} attachments`);

    const disputeId = n.disputeId!;
    const channel = n.channel!;
    const clientMsgId = clientMsgIdOf(mail, body);
    const before = await this.deps.thread.sentBefore(user, disputeId, clientMsgId);
    if (before) return { accepted: true, messageId: before.id };
    try {
      await this.mayWrite(user, n);
      const evidence = files.length
        ? await this.deps.evidence.attachFiles(
            user,
            disputeId,
            channel,
            files.map((f, i) => ({
              stream: Readable.from([f.content]),
              filename: f.filename ?? `attachment-${i + 1}`,
            })),
          )
        : [];
      const { message } = await this.deps.thread.send(user, disputeId, {
        channel,
        body,
        clientMsgId,
        ...(evidence.length ? { evidenceIds: evidence.map((e) => e._id) } : {}),
      });
      return { accepted: true, messageId: message.id };
    } catch (err) {
      if (isTemporary(err)) throw err;
      const e = err as AppError;
      throw new AppError('unprocessable', e.message, e.details);
    }
  }

  private async notificationOf(token: string): Promise<NotificationDoc> {
    const id = this.deps.mail.replyTokens.verify(token);
    const n = id ? await this.deps.notifications.byId(id) : null;
    if (!n || !replyableKinds.includes(n.kind) || !n.disputeId || !n.channel)
      throw refused('this reply address is not valid');
    if (MailService.replyExpired(n, this.ctx.clock.now()))
      throw refused('this reply address has expired: answer in the dispute room');
    return n;
  }

  /** As a send would decide it, before any attachment is stored. */
  private async mayWrite(user: User, n: NotificationDoc): Promise<void> {
    const { dispute, relation } = await this.deps.disputes.visible(user, n.disputeId!);
    if (!canWrite(relation, n.channel!)) throw refused('you may no longer write in this channel');
    if (isTerminal(dispute.state))
      throw refused(`the dispute is ${dispute.state}; the thread is closed`);
  }

  /** The text the sender wrote: quoted history and the signature left out. */
  private replyText(mail: ParsedMail): string {
    const text = (mail.text ?? '').replace(/\r\n?/g, '\n');
    // The parser keeps a signature that nothing precedes; the separator line decides alone
    // (mail systems often drop its trailing space).
    const unsigned = text.split(/^--[ \t]*$/m)[0]!;
    return this.replyParser.read(unsigned).getVisibleText().trim();
  }
}

function headerText(value: HeaderValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => headerText(v as HeaderValue)).join(',');
  if (value instanceof Date) return '';
  if ('value' in value && Array.isArray(value.value))
    return (value as AddressObject).value.map((a) => a.address ?? '').join(',');
  return String((value as { value?: unknown }).value ?? '');
}

/** Where a provider's hook says the mail was for: its final recipients first. */
function headerRecipients(mail: ParsedMail): string[] {
  const names = ['delivered-to', 'x-original-to', 'envelope-to', 'to', 'cc'];
  return names
    .flatMap((name) => headerText(mail.headers.get(name)).split(','))
    .map((a) => a.replace(/^.*<|>.*$/g, '').trim())
    .filter(Boolean);
}

/** RFC 3834 and the headers of the common autoresponders, and out-of-office subjects. */
function isAutoReply(mail: ParsedMail): boolean {
  const h = (name: string) => headerText(mail.headers.get(name)).trim().toLowerCase();
  const submitted = h('auto-submitted');
  if (submitted && submitted !== 'no') return true;
  if (mail.headers.has('x-autoreply') || mail.headers.has('x-autorespond')) return true;
  if (['auto_reply', 'bulk', 'junk'].includes(h('precedence'))) return true;
  return outOfOfficeSubject.test(mail.subject ?? '');
}

/**
 * The same mail delivered twice (a retrying MTA, a provider's hook called again) has the same
 * Message-ID, so it is stored once; one without a Message-ID is known by what it says.
 */
function clientMsgIdOf(mail: ParsedMail, body: string): string {
  const identity =
    mail.messageId ??
    `${mail.from?.text ?? ''}\n${mail.date?.toISOString() ?? ''}\n${mail.subject ?? ''}\n${body}`;
  return `email:${createHash('sha256').update(identity).digest('hex').slice(0, 40)}`;
}
