import {
  canRead,
  channelSchema,
  editMessageBodySchema,
  isTerminal,
  joinPayloadSchema,
  listMessagesQuerySchema,
  membersOf,
  readPayloadSchema,
  readableChannels,
  sendMessageBodySchema,
  typingPayloadSchema,
  type Channel,
  type JoinResult,
  type Message,
  type User,
} from '@dispute-room/shared';
import { z } from 'zod';
import { assertCanRead, assertCanWrite } from '../auth/policy.js';
import type { Context } from '../context.js';
import type { DisputeService } from '../disputes/service.js';
import type { DisputeDoc } from '../disputes/model.js';
import { AppError, conflict, forbidden, notFound, parse } from '../http/errors.js';
import { consume, createLimiter } from '../http/rate-limit.js';
import type { EventBus } from '../events/bus.js';
import type { UserService } from '../users/service.js';
import type { MessageDoc } from './model.js';
import { toMessage, type ChannelLog } from './service.js';

/** Resolves evidence ids for a message: checks they belong to the dispute and channel. */
export interface EvidenceLookup {
  attachable(
    disputeId: string,
    channel: Channel,
    ids: string[],
  ): Promise<{ id: string; sha256: string }[]>;
}

const channelOnly = z.object({ channel: channelSchema }).loose();

export const JOIN_PAGE = 200;

const sendKey = (disputeId: string, userId: string, clientMsgId: string) =>
  `${disputeId}:${userId}:${clientMsgId}`;

/**
 * The conversation of a dispute: sending, reading, editing, joining, read receipts.
 * REST routes and socket handlers both call this, so they cannot disagree on rules.
 */
export class ThreadService {
  private readonly sendLimiter;
  /** Bounds the lookups that answer repeats of senders over their limit. */
  private readonly repeatLimiter;
  constructor(
    private readonly ctx: Context,
    private readonly deps: {
      disputes: DisputeService;
      log: ChannelLog;
      users: UserService;
      evidence: EvidenceLookup;
      events: EventBus;
    },
  ) {
    this.sendLimiter = createLimiter(ctx, 'send', ctx.config.MESSAGE_LIMIT_PER_MIN, 60);
    this.repeatLimiter = createLimiter(ctx, 'send-repeat', ctx.config.MESSAGE_LIMIT_PER_MIN, 60);
  }

  /** Stores a message (or returns the original for a repeated clientMsgId) and fans it out. */
  async send(
    user: User,
    disputeId: string,
    body: unknown,
  ): Promise<{ message: Message; created: boolean }> {
    const { dispute, relation } = await this.deps.disputes.visible(user, disputeId, {
      cached: true,
    });
    const { channel } = parse(channelOnly, body);
    assertCanWrite(relation, channel);
    const input = parse(sendMessageBodySchema, body);
    if (isTerminal(dispute.state))
      throw conflict(`the dispute is ${dispute.state}; the thread is closed`);
    const idemKey = sendKey(disputeId, user.id, input.clientMsgId);
    try {
      await consume(this.sendLimiter, user.id);
    } catch (err) {
      const original = await this.storedRepeat(err, user, idemKey);
      if (!original) throw err;
      return { message: toMessage(original), created: false };
    }
    const evidence = input.evidenceIds?.length
      ? await this.attachable(disputeId, channel, input.evidenceIds)
      : [];
    const { doc, created } = await this.deps.log.append({
      disputeId,
      channel,
      kind: 'text',
      authorId: user.id,
      authorRole: user.role,
      body: input.body,
      clientMsgId: input.clientMsgId,
      idemKey,
      evidenceIds: evidence.map((e) => e.id),
      evidenceSha256: evidence.map((e) => e.sha256),
    });
    if (created) {
      this.afterAppend(dispute, doc, user.id);
      if (relation === 'assigned_mediator') {
        void this.deps.disputes
          .noteMediatorReply(dispute, user.id, doc.createdAt)
          .catch((err: unknown) =>
            this.ctx.log.warn({ err }, 'could not record the first mediator reply'),
          );
      }
    }
    return { message: toMessage(doc), created };
  }

  /** What a sender already stored under a clientMsgId (before redoing work a send follows). */
  async sentBefore(user: User, disputeId: string, clientMsgId: string): Promise<Message | null> {
    const doc = await this.deps.log.byIdemKey(sendKey(disputeId, user.id, clientMsgId));
    return doc ? toMessage(doc) : null;
  }

  /**
   * A repeat gets its original even over the send limit (the contract's idempotency). Only a
   * refused send looks: the append answers repeats by itself, and a lookup by the idempotency
   * key on every send would cost a read each. Those lookups are limited too, as a sender over
   * its limit could otherwise make one read per attempt.
   */
  private async storedRepeat(refusal: unknown, user: User, idemKey: string) {
    if (!(refusal instanceof AppError) || refusal.code !== 'rate_limited') return null;
    try {
      await this.repeatLimiter.consume(user.id);
    } catch {
      return null;
    }
    return this.deps.log.byIdemKey(idemKey);
  }

  private attachable(disputeId: string, channel: Channel, ids: string[]) {
    return this.deps.evidence.attachable(disputeId, channel, ids);
  }

  /** An author has read what they just wrote (fan-out follows from `entry.appended`). */
  private afterAppend(dispute: DisputeDoc, doc: MessageDoc, authorId: string): void {
    this.deps.log.raiseRead(dispute._id, doc.channel, authorId, doc.seq);
  }

  async list(user: User, disputeId: string, query: unknown) {
    const { relation } = await this.deps.disputes.visible(user, disputeId);
    const { channel } = parse(channelOnly, query);
    assertCanRead(relation, channel);
    const q = parse(listMessagesQuerySchema, query);
    const page = await this.deps.log.page(disputeId, channel, q.after, q.limit);
    return { messages: page.messages.map(toMessage), hasMore: page.hasMore };
  }

  /** Appends an `edit` entry (the original stays in the log) and shows the new text. */
  async edit(user: User, disputeId: string, messageId: string, body: unknown): Promise<Message> {
    const { dispute, relation } = await this.deps.disputes.visible(user, disputeId);
    const original = await this.deps.log.byId(messageId);
    if (!original || original.disputeId !== disputeId || !canRead(relation, original.channel)) {
      throw notFound('message');
    }
    if (original.authorId !== user.id) throw forbidden('only the author may edit a message');
    assertCanWrite(relation, original.channel);
    const input = parse(editMessageBodySchema, body);
    if (original.kind !== 'text') throw conflict('only text messages can be edited');
    if (isTerminal(dispute.state))
      throw conflict(`the dispute is ${dispute.state}; the thread is closed`);
    const { doc } = await this.deps.log.append({
      disputeId,
      channel: original.channel,
      kind: 'edit',
      authorId: user.id,
      authorRole: user.role,
      body: input.body,
      editOf: original._id,
      idemKey: `edit:${original._id}:${this.ctx.clock.now().getTime()}:${Math.random().toString(36).slice(2)}`,
    });
    await this.deps.log.setBody(original._id, input.body, doc.createdAt);
    this.afterAppend(dispute, doc, user.id);
    return toMessage({ ...original, body: input.body, editedAt: doc.createdAt });
  }

  /** What `dispute:join` answers: missed entries per readable channel, presence, receipts. */
  async join(
    user: User,
    payload: unknown,
    live: {
      online: (dispute: DisputeDoc) => Promise<Set<string>>;
      /** Starts live delivery of these channels; called before the backfill is read. */
      subscribe: (disputeId: string, channels: Channel[]) => Promise<void>;
    },
  ): Promise<
    JoinResult & {
      channels: Channel[];
      participants: Record<string, { name: string; role: string }>;
    }
  > {
    const input = parse(joinPayloadSchema, payload);
    const { dispute, relation } = await this.deps.disputes.visible(user, input.disputeId, {
      cached: true,
    });
    const channels = readableChannels(relation);
    if (channels.length === 0) throw forbidden('claim the dispute to read its thread');
    // Live delivery first, then the backfill: an entry stored in between arrives both ways
    // (clients de-duplicate by id) instead of neither.
    await live.subscribe(dispute._id, channels);
    const pages = await Promise.all(
      channels.map((c) => this.deps.log.page(dispute._id, c, input.after?.[c] ?? 0, JOIN_PAGE)),
    );
    const members = membersOf(dispute);
    const readers = members.includes(user.id) ? members : [...members, user.id];
    const [reads, onlineUsers, people] = await Promise.all([
      this.deps.log.reads(dispute._id, channels, readers),
      live.online(dispute),
      this.deps.users.byIds(members),
    ]);
    const heads = Object.fromEntries(channels.map((c, i) => [c, pages[i]!.head]));
    const view = await this.deps.disputes.view(dispute, user, { known: { heads, reads } });
    // Staff reading along are not members: their own positions are not part of the answer.
    if (!members.includes(user.id)) for (const c of channels) delete reads[c]?.[user.id];
    const hasMore: JoinResult['hasMore'] = {};
    channels.forEach((c, i) => (hasMore[c] = pages[i]!.hasMore));
    return {
      dispute: view,
      channels,
      messages: pages.flatMap((p) => p.messages.map(toMessage)),
      hasMore,
      presence: Object.fromEntries(members.map((m) => [m, onlineUsers.has(m)])),
      reads,
      participants: Object.fromEntries(people.map((p) => [p.id, { name: p.name, role: p.role }])),
    };
  }

  /** The client, freelancer and mediator of a dispute (whose presence others see). */
  async members(disputeId: string): Promise<DisputeDoc | null> {
    return this.deps.disputes.cachedLoad(disputeId);
  }

  /** A read receipt checked: its shape, and that the user may read that channel. */
  async readTarget(
    user: User,
    payload: unknown,
  ): Promise<{ disputeId: string; channel: Channel; seq: number; dispute: DisputeDoc }> {
    const input = parse(readPayloadSchema, payload);
    const { dispute, relation } = await this.deps.disputes.visible(user, input.disputeId, {
      cached: true,
    });
    assertCanRead(relation, input.channel);
    return { ...input, dispute };
  }

  /** Moves a checked read position (see readTarget); answers the position it moved to. */
  async markRead(
    user: User,
    input: { disputeId: string; channel: Channel; seq: number },
  ): Promise<{ disputeId: string; channel: Channel; seq: number }> {
    // Capped at the head, so a position can never point past the log. The head this instance
    // knows may lag entries another instance just stored (and the reader already got): only
    // then is it read afresh.
    const known = await this.deps.log.knownHead(input.disputeId, input.channel);
    const head =
      input.seq > known
        ? (await this.deps.log.loadHead(input.disputeId, input.channel)).seq
        : known;
    const seq = Math.min(input.seq, head);
    this.deps.log.raiseRead(input.disputeId, input.channel, user.id, seq);
    return { disputeId: input.disputeId, channel: input.channel, seq };
  }

  async typing(
    user: User,
    payload: unknown,
  ): Promise<{ disputeId: string; channel: Channel; dispute: DisputeDoc }> {
    const input = parse(typingPayloadSchema, payload);
    const { dispute, relation } = await this.deps.disputes.visible(user, input.disputeId, {
      cached: true,
    });
    assertCanWrite(relation, input.channel);
    if (isTerminal(dispute.state)) throw conflict('the thread is closed');
    return { ...input, dispute };
  }
}
