import { LRUCache } from 'lru-cache';
import {
  canRead,
  isTerminal,
  membersOf,
  relationTo,
  renderSystemMessage,
  type Channel,
  type NotificationKind,
  type Translate,
} from '@dispute-room/shared';
import type { Context } from '../context.js';
import type { DisputeDoc, DisputeEventDoc } from '../disputes/model.js';
import type { DisputeStore } from '../disputes/store.js';
import { systemEntriesFor } from '../disputes/system-messages.js';
import type { MessageDoc } from '../messages/model.js';
import type { UserService } from '../users/service.js';
import type { NewNotification, NotificationService } from './service.js';
import { readerWordsOf, type ReaderWords } from './words.js';

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
      /** Which of `userIds` have a socket joined to the dispute, on any instance. */
      joined: (disputeId: string, userIds: string[]) => Promise<Set<string>>;
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

  private async nameOf(userId: string, t: Translate): Promise<string> {
    if (userId === 'system') return t('notify.theDeadline');
    return (await this.deps.users.byId(userId))?.name ?? t('notify.someone');
  }

  private words(userId: string): Promise<ReaderWords> {
    return readerWordsOf(userId, this.deps);
  }

  /** Each notification worded for its recipient: their language, zone and money format. */
  private async eventNotifications(d: DisputeDoc, e: DisputeEventDoc): Promise<NewNotification[]> {
    const parties = [d.clientId, d.freelancerId];
    const url = disputeUrl(d._id);
    const out: NewNotification[] = [];
    const make = async (
      userId: string,
      kind: NotificationKind,
      say: (w: ReaderWords, actor: string) => Promise<[string, string]> | [string, string],
    ) => {
      const w = await this.words(userId);
      const [title, body] = await say(w, await this.nameOf(e.actorId, w.t));
      out.push({
        userId,
        kind,
        disputeId: d._id,
        channel: 'joint' as const,
        title,
        body,
        url,
        key: `${e._id}:${kind}:${userId}`,
      });
    };
    const money = (w: ReaderWords) => (cents: number) => w.money(cents, d.currency);
    if (e.type === 'filed') {
      await make(d.respondentId, 'dispute_filed', (w, actor) => [
        w.t('notify.filedTitle', { actor, number: d.number }),
        w.t('notify.filedBody', {
          title: d.contractTitle,
          claim: money(w)(d.claimCents),
          escrow: money(w)(d.escrowCents),
          due: w.when(d.respondBy),
        }),
      ]);
      return out;
    }
    if (e.type === 'assigned') {
      for (const id of parties)
        await make(id, 'mediator_assigned', async (w) => [
          w.t('notify.assignedTitle', {
            mediator: await this.nameOf(e.data.mediatorId ?? '', w.t),
            number: d.number,
          }),
          w.t('notify.assignedBody', { title: d.contractTitle }),
        ]);
    }
    if (e.type === 'proposed') {
      const recommendation = e.actorId === d.mediatorId;
      // Its author too: the contract tells both parties, and the mail is their record of it.
      for (const id of parties)
        await make(id, 'proposal', (w, actor) => {
          const terms =
            w.t('notify.terms', {
              client: money(w)(e.data.clientCents ?? 0),
              freelancer: money(w)(e.data.freelancerCents ?? 0),
            }) + (e.note ? ` “${snippet(e.note)}”` : '');
          return id === e.actorId
            ? [
                w.t('notify.ownProposalTitle', { number: d.number }),
                w.t('notify.ownProposalBody', { terms }),
              ]
            : [
                w.t(recommendation ? 'notify.recommendationTitle' : 'notify.proposalTitle', {
                  number: d.number,
                }),
                w.t('notify.proposalBody', { actor, terms }),
              ];
        });
    }
    if (e.from !== e.to) {
      const stateEntry = systemEntriesFor(null, d, e).find(
        (entry) => entry.channel === 'joint' && entry.event?.type === 'state_changed',
      );
      for (const id of parties) {
        await make(id, 'state_changed', async (w) => {
          const names = new Map<string, string>();
          for (const who of [...parties, d.mediatorId, e.actorId].filter(Boolean) as string[])
            names.set(who, await this.nameOf(who, w.t));
          const state = w.t(`state.${e.to}`);
          const body =
            renderSystemMessage(stateEntry?.event ?? null, {
              nameOf: (who) => names.get(who) ?? w.t('notify.someone'),
              money: (cents, currency) => w.money(cents, currency || d.currency),
              t: w.t,
            }) ?? w.t('notify.stateBody', { state });
          return [
            w.t(id === e.actorId ? 'notify.stateTitleOwn' : 'notify.stateTitle', {
              number: d.number,
              state,
            }),
            body,
          ];
        });
      }
      if (isTerminal(e.to) && !isTerminal(e.from)) {
        for (const id of parties) {
          await make(id, 'feedback_request', (w) => [
            w.t('notify.feedbackTitle', { number: d.number }),
            w.t('notify.feedbackBody'),
          ]);
          // Once per dispute, whichever event ended it.
          out.at(-1)!.key = `${d._id}:feedback_request:${id}`;
        }
      }
    }
    return out;
  }

  /**
   * A message arrived: its readers among the dispute's members who are not joined to it get
   * one `message` notification per dispute per digest window (their own window length).
   */
  /**
   * A webhook switched off after its failures in a row: its owner (the admin who registered
   * it) is told once per switch-off, with a link to the dead letters they can retry.
   */
  async forWebhookDisabled(e: {
    webhookId: string;
    ownerId: string;
    url: string;
    failures: number;
    disabledAt: Date;
  }): Promise<void> {
    const { t } = await this.words(e.ownerId);
    await this.deps.notifications.notify({
      userId: e.ownerId,
      kind: 'webhook_disabled',
      disputeId: null,
      title: t('notify.webhookDisabledTitle', { url: e.url }),
      body: t('notify.webhookDisabledBody', { url: e.url, failures: e.failures }),
      url: '/admin/queues',
      key: `webhook-disabled:${e.webhookId}:${e.disabledAt.getTime()}`,
    });
  }

  /** Entries of one dispute being noted, in the order they were stored. */
  private readonly noting = new Map<string, Promise<void>>();

  /**
   * One dispute's entries are noted one after another, in the order they were stored: the
   * first message of a window is the one its notification quotes, however the reads of two
   * listeners at once interleave.
   */
  forEntry(entry: MessageDoc): Promise<void> {
    const prev = this.noting.get(entry.disputeId) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => this.noteEntry(entry));
    this.noting.set(entry.disputeId, next);
    void next
      .catch(() => undefined)
      .finally(() => {
        if (this.noting.get(entry.disputeId) === next) this.noting.delete(entry.disputeId);
      });
    return next;
  }

  private async noteEntry(entry: MessageDoc): Promise<void> {
    if ((entry.kind !== 'text' && entry.kind !== 'evidence') || !entry.authorId) return;
    const d = await this.deps.store.cachedLoad(entry.disputeId);
    if (!d) return;
    const keys = new Map<string, string>();
    for (const userId of membersOf(d).filter((id) => id !== entry.authorId)) {
      const minutes = (await this.deps.notifications.preferences(userId)).digestMinutes;
      const window = windowStart(entry.createdAt, minutes);
      // With the window's length: a shorter window starting where a longer one did is new.
      const key = `${userId}:${d._id}:${window.getTime()}:${minutes}`;
      if (!this.noted.has(key)) keys.set(userId, key);
    }
    if (keys.size === 0) return;
    const joined = await this.deps.joined(d._id, [...keys.keys()]);
    for (const [userId, key] of keys) {
      if (joined.has(userId)) continue;
      const user = await this.deps.users.byId(userId);
      const relation = user ? relationTo(user, d) : null;
      if (!user || !relation || !canRead(relation, entry.channel)) continue;
      const w = await this.words(userId);
      const author = await this.nameOf(entry.authorId, w.t);
      await this.deps.notifications.notify({
        userId,
        kind: 'message',
        disputeId: d._id,
        channel: entry.channel,
        title: w.t('notify.messagesTitle', {
          number: d.number,
          channel: w.channel(entry.channel, relation === 'client' || relation === 'freelancer'),
        }),
        body:
          entry.kind === 'evidence'
            ? w.t('notify.sharedFile', { author })
            : w.t('notify.said', { author, text: snippet(entry.body) }),
        url: disputeUrl(d._id, entry.channel),
        key,
        at: entry.createdAt,
      });
      this.noted.set(key, true);
    }
  }
}
