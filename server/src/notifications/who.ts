import { LRUCache } from 'lru-cache';
import {
  canRead,
  formatMoney,
  isTerminal,
  membersOf,
  relationTo,
  renderSystemMessage,
  type Channel,
  type NotificationKind,
} from '@dispute-room/shared';
import type { Context } from '../context.js';
import type { DisputeDoc, DisputeEventDoc } from '../disputes/model.js';
import type { DisputeStore } from '../disputes/store.js';
import { systemEntriesFor } from '../disputes/system-messages.js';
import type { MessageDoc } from '../messages/model.js';
import type { UserService } from '../users/service.js';
import type { NewNotification, NotificationService } from './service.js';

export const channelNames: Record<Channel, string> = {
  joint: 'Joint',
  'caucus:client': 'Private with mediator',
  'caucus:freelancer': 'Private with mediator',
  internal: 'Internal notes',
};

export const disputeUrl = (disputeId: string, channel: Channel = 'joint') =>
  `/disputes/${encodeURIComponent(disputeId)}?channel=${encodeURIComponent(channel)}`;

/** The start of the digest window `at` falls in, for a window of `minutes`. */
export function windowStart(at: Date, minutes: number): Date {
  const size = minutes * 60_000;
  return new Date(Math.floor(at.getTime() / size) * size);
}

const snippet = (text: string, max = 200) =>
  text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;

/**
 * Who is told what, as the contract says. Everything a notification says comes from a channel
 * its recipient may read (the joint channel for dispute events), never from another.
 */
export class Notifier {
  constructor(
    private readonly ctx: Context,
    private readonly deps: {
      store: DisputeStore;
      users: UserService;
      notifications: NotificationService;
      /** Users with a socket joined to the dispute, on any instance. */
      joined: (disputeId: string) => Promise<Set<string>>;
    },
  ) {}

  /**
   * Message notifications this instance has already made (or found made) per (user, dispute,
   * window): every later message of that window skips the lookups and the insert. The unique
   * key in the database still decides across instances.
   */
  private readonly noted = new LRUCache<string, true>({ max: 100_000, ttl: 24 * 3_600_000 });
  /** The `notifications` fact job: what a recorded dispute event tells whom, once each. */
  async forEvent(eventId: string): Promise<void> {
    const e = await this.deps.store.event(eventId);
    if (!e) return;
    const d = await this.deps.store.load(e.disputeId);
    if (!d) return;
    for (const n of await this.eventNotifications(d, e)) await this.deps.notifications.notify(n);
  }

  private async nameOf(userId: string): Promise<string> {
    if (userId === 'system') return 'The deadline';
    return (await this.deps.users.byId(userId))?.name ?? 'Someone';
  }

  private async eventNotifications(d: DisputeDoc, e: DisputeEventDoc): Promise<NewNotification[]> {
    const parties = [d.clientId, d.freelancerId];
    const url = disputeUrl(d._id);
    const make = (userId: string, kind: NotificationKind, title: string, body: string) => ({
      userId,
      kind,
      disputeId: d._id,
      channel: 'joint' as const,
      title,
      body,
      url,
      key: `${e._id}:${kind}:${userId}`,
    });
    const out: NewNotification[] = [];
    const actor = await this.nameOf(e.actorId);
    const money = (cents: number) => formatMoney(cents, d.currency, 'en-US');
    if (e.type === 'filed') {
      out.push(
        make(
          d.respondentId,
          'dispute_filed',
          `${actor} filed dispute ${d.number} against you`,
          `"${d.contractTitle}": a claim of ${money(d.claimCents)} of ${money(d.escrowCents)} in escrow. Respond by ${d.respondBy.toISOString().slice(0, 16).replace('T', ' ')} UTC, or it is decided against you.`,
        ),
      );
      return out;
    }
    if (e.type === 'assigned') {
      const mediator = await this.nameOf(e.data.mediatorId ?? '');
      for (const id of parties)
        out.push(
          make(
            id,
            'mediator_assigned',
            `${mediator} is mediating ${d.number}`,
            `A mediator now works on "${d.contractTitle}" with you both.`,
          ),
        );
    }
    if (e.type === 'proposed') {
      const recommendation = e.actorId === d.mediatorId;
      const terms = `client ${money(e.data.clientCents ?? 0)}, freelancer ${money(e.data.freelancerCents ?? 0)}.${e.note ? ` "${snippet(e.note)}"` : ''}`;
      // Its author too: the contract tells both parties, and the mail is their record of it.
      for (const id of parties)
        out.push(
          id === e.actorId
            ? make(
                id,
                'proposal',
                `Your proposal in ${d.number}`,
                `You propose: ${terms} It waits for the other party.`,
              )
            : make(
                id,
                'proposal',
                `${recommendation ? 'A recommendation' : 'A new proposal'} in ${d.number}`,
                `${actor} proposes: ${terms}`,
              ),
        );
    }
    if (e.from !== e.to) {
      const names = new Map<string, string>();
      for (const id of [...parties, d.mediatorId, e.actorId].filter(Boolean) as string[])
        names.set(id, await this.nameOf(id));
      const stateEntry = systemEntriesFor(null, d, e).find(
        (entry) => entry.channel === 'joint' && entry.event?.type === 'state_changed',
      );
      const body =
        renderSystemMessage(stateEntry?.event ?? null, {
          nameOf: (id) => names.get(id) ?? 'Someone',
          money,
        }) ?? `The dispute is now ${e.to}.`;
      for (const id of parties)
        out.push(
          make(
            id,
            'state_changed',
            `${d.number} is now ${e.to}${id === e.actorId ? ' (your action)' : ''}`,
            body,
          ),
        );
      if (isTerminal(e.to) && !isTerminal(e.from)) {
        for (const id of parties)
          out.push({
            ...make(
              id,
              'feedback_request',
              `How did ${d.number} go?`,
              'Rate the resolution process: it takes a minute and helps us improve.',
            ),
            // Once per dispute, whichever event ended it.
            key: `${d._id}:feedback_request:${id}`,
          });
      }
    }
    return out;
  }

  /**
   * A message arrived: its readers among the dispute's members who are not joined to it get
   * one `message` notification per dispute per digest window (their own window length).
   */
  async forEntry(entry: MessageDoc): Promise<void> {
    if ((entry.kind !== 'text' && entry.kind !== 'evidence') || !entry.authorId) return;
    const d = await this.deps.store.cachedLoad(entry.disputeId);
    if (!d) return;
    const keys = new Map<string, string>();
    for (const userId of membersOf(d).filter((id) => id !== entry.authorId)) {
      const window = windowStart(
        entry.createdAt,
        (await this.deps.notifications.preferences(userId)).digestMinutes,
      );
      const key = `${userId}:${d._id}:${window.getTime()}`;
      if (!this.noted.has(key)) keys.set(userId, key);
    }
    if (keys.size === 0) return;
    const joined = await this.deps.joined(d._id);
    const author = await this.nameOf(entry.authorId);
    for (const [userId, key] of keys) {
      if (joined.has(userId)) continue;
      const user = await this.deps.users.byId(userId);
      if (!user || !canRead(relationTo(user, d), entry.channel)) continue;
      await this.deps.notifications.notify({
        userId,
        kind: 'message',
        disputeId: d._id,
        channel: entry.channel,
        title: `New messages in ${d.number} (${channelNames[entry.channel]})`,
        body:
          entry.kind === 'evidence'
            ? `${author} shared a file.`
            : `${author}: ${snippet(entry.body)}`,
        url: disputeUrl(d._id, entry.channel),
        key,
      });
      this.noted.set(key, true);
    }
  }
}
