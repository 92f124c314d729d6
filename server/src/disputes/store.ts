import { LRUCache } from 'lru-cache';
import { isTerminal } from '@dispute-room/shared';
import type { Context } from '../context.js';
import { isDuplicateKey, upsertRacing } from '../db/mongo.js';
import type { EventBus } from '../events/bus.js';
import { jobIdOf, type Outbox, type OutboxDoc } from '../events/outbox.js';
import { conflict, notFound } from '../http/errors.js';
import type { ChannelLog } from '../messages/service.js';
import type { UserService } from '../users/service.js';
import { dayOfUtc } from './business-days.js';
import { decide, evolve, type Actor, type Command } from './lifecycle.js';
import {
  disputeModels,
  mediatorMonthOf,
  searchKeysOf,
  queueOf,
  type DisputeDoc,
  type DisputeEventDoc,
  type ProposalDoc,
} from './model.js';
import { postSystemEntries } from './system-messages.js';

const CACHE_TTL_MS = 5_000;

/**
 * Which read-model formats this version reads: 1 the day buckets, 2 the mediation queue key,
 * 3 the dashboard's rollups by hour (they were by day), 4 the mediator's month key, 5 ops
 * search's keys (day and hour × state, outcome, mediator). A database whose span records
 * fewer gets what it lacks built once at start (buildMissingReadModels).
 */
export const DISPUTE_KEYS = 5;
/** The format from which the dashboard's rollups are kept by hour. */
export const HOURLY_ROLLUPS = 3;

/**
 * The event log of disputes and its projections. Every change is an event inserted under
 * `<disputeId>:<version>`: the insert decides. What follows (the dispute's projection,
 * proposal statuses, unlocking the contract, system entries) is safe to repeat, which is how
 * a crash between the two is repaired on the next load. Then `dispute.recorded` is published.
 */
export class DisputeStore {
  readonly models: ReturnType<typeof disputeModels>;

  constructor(
    private readonly ctx: Context,
    private readonly deps: {
      log: ChannelLog;
      users: UserService;
      events: EventBus;
      outbox: Outbox;
    },
  ) {
    this.models = disputeModels(ctx.conn);
  }

  private get rules() {
    return { mediationDays: this.ctx.config.MEDIATION_DAYS };
  }

  /** The current dispute, folding in any logged event its projection has not caught up with. */
  async load(id: string): Promise<DisputeDoc | null> {
    let d = await this.models.disputes.findById(id).lean<DisputeDoc>();
    if (!d) return null;
    for (;;) {
      const e = await this.models.events.findById(`${id}:${d.version + 1}`).lean<DisputeEventDoc>();
      if (!e) return d;
      const next = evolve(d, e);
      await this.project(d, next, e);
      d = next;
    }
  }

  /**
   * Hot paths (sending, typing, receipts) read disputes through a per-instance cache. Every
   * instance drops an entry as soon as any instance records an event for it (a server-side
   * Socket.IO message over Redis), and entries live at most CACHE_TTL_MS regardless, so the
   * cache is never staler than a read made a moment earlier. Commands always load fresh.
   */
  private readonly cache = new LRUCache<string, DisputeDoc>({
    max: 20_000,
    ttl: CACHE_TTL_MS,
    // Concurrent misses share one load (every socket of a dispute rejoins at once after a
    // restart); a load that a `forget` overtakes still answers its callers but is not kept.
    // Not allowStaleOnFetchAbort: with it, an overtaken load answers its callers with the
    // stale value, which on a miss is nothing (the dispute or user "not found").
    ignoreFetchAbort: true,
    fetchMethod: async (id) => (await this.load(id)) ?? undefined,
  });

  async cachedLoad(id: string): Promise<DisputeDoc | null> {
    return (await this.cache.fetch(id)) ?? null;
  }

  /** Another instance recorded an event for this dispute. */
  forget(id: string): void {
    this.cache.delete(id);
  }

  /** Stores a new event: owed to the outbox first, so a stored event always has its follow-up. */
  async insertEvent(event: DisputeEventDoc): Promise<void> {
    await this.deps.outbox.oweForEvent(event._id);
    await this.models.events.collection.insertOne(event as never);
  }

  /**
   * Applies a command: decide against the current state, insert the event under the next
   * version; if another writer took that version, reload and decide again (which may now
   * refuse with 409). Exactly one of two conflicting commands wins.
   */
  async apply(
    id: string,
    actor: Actor,
    command: Command,
    at?: Date,
  ): Promise<{ dispute: DisputeDoc; applied: boolean }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const d = await this.load(id);
      if (!d) throw notFound('dispute');
      const now = at ?? this.ctx.clock.now();
      const decision = decide(d, actor, command, now, this.rules);
      if (!decision) return { dispute: d, applied: false };
      const event: DisputeEventDoc = {
        _id: `${id}:${d.version + 1}`,
        disputeId: id,
        version: d.version + 1,
        actorId: actor.id,
        at: now,
        ...decision,
      };
      try {
        await this.insertEvent(event);
      } catch (err) {
        if (isDuplicateKey(err)) continue;
        throw err;
      }
      const next = evolve(d, event);
      await this.project(d, next, event);
      return { dispute: next, applied: true };
    }
    throw conflict('the dispute is changing too fast, try again');
  }

  /** A new dispute's first event and projection are stored: what follows, as for any event. */
  async filed(dispute: DisputeDoc, event: DisputeEventDoc): Promise<void> {
    await this.widenDaySpan(dispute.sortDay);
    await postSystemEntries(this.deps, null, dispute, event);
    this.deps.events.publish('dispute.recorded', { prev: null, next: dispute, event });
  }

  private async project(prev: DisputeDoc, next: DisputeDoc, e: DisputeEventDoc): Promise<void> {
    this.cache.delete(next._id);
    await this.models.disputes.collection.replaceOne(
      { _id: next._id, version: { $lt: next.version } } as never,
      next as never,
    );
    await this.projectProposals(prev, next, e);
    if (next.sortDay !== prev.sortDay) await this.widenDaySpan(next.sortDay);
    if (isTerminal(next.state)) {
      await this.models.active.deleteOne({ _id: next.contractId, disputeId: next._id });
    }
    await postSystemEntries(this.deps, prev, next, e);
    this.deps.events.publish('dispute.recorded', { prev, next, event: e });
  }

  private async projectProposals(
    prev: DisputeDoc,
    next: DisputeDoc,
    e: DisputeEventDoc,
  ): Promise<void> {
    const proposals = this.models.proposals;
    const set = (pid: string, fields: Partial<ProposalDoc>) =>
      proposals.collection.updateOne({ _id: pid, version: { $lt: e.version } } as never, {
        $set: { ...fields, version: e.version },
      });
    if (e.type === 'proposed' && next.pending) {
      if (prev.pending) await set(prev.pending.id, { status: 'superseded' });
      await proposals.collection
        .insertOne({
          _id: next.pending.id,
          disputeId: next._id,
          authorId: e.actorId,
          clientCents: next.pending.clientCents,
          freelancerCents: next.pending.freelancerCents,
          note: e.note,
          status: 'pending',
          acceptedBy: next.pending.acceptedBy,
          createdAt: e.at,
          version: e.version,
        } as never)
        .catch((err: unknown) => {
          if (!isDuplicateKey(err)) throw err;
        });
    } else if (e.type === 'proposal_accepted' && prev.pending) {
      const acceptedBy = [...prev.pending.acceptedBy, e.actorId];
      await set(prev.pending.id, { acceptedBy, status: e.data.resolves ? 'accepted' : 'pending' });
    } else if (e.type === 'proposal_rejected' && prev.pending) {
      await set(prev.pending.id, { status: 'rejected' });
    } else if (isTerminal(next.state) && prev.pending) {
      await set(prev.pending.id, { status: 'expired' });
    }
  }

  /**
   * Stores something a dispute's figures depend on that is not in its event log (feedback,
   * the mediator's first reply): the rollup refresh is owed before the fact, like an event's
   * follow-ups, and enqueued after it. A fact that turns out to exist already leaves a
   * refresh that changes nothing.
   */
  async storeMeasured(factId: string, disputeId: string, store: () => Promise<void>) {
    const owed: OutboxDoc = {
      _id: jobIdOf(factId, 'rollups'),
      queue: 'rollups',
      name: 'refresh',
      data: { disputeId },
      at: new Date(),
    };
    await this.deps.outbox.owe([owed]);
    await store();
    this.deps.events.publish('dispute.measured', { owed });
  }

  /**
   * The first and last day that hold disputes (by `sortDay`), two reads by `_id`. Widening is a
   * read and a write (FerretDB has no atomic min/max): two writers at once may leave the span
   * a little narrow until the next widening or `pnpm reindex`, never wider than the data.
   */
  async daySpan(): Promise<{
    first: string | null;
    last: string | null;
    keys: number;
    /** A day no live dispute was filed before (null: not known, use `first`). */
    live: string | null;
  }> {
    const [first, last, live] = await Promise.all(
      ['first', 'last', 'live'].map((k) =>
        this.models.daySpan.findById(k).lean<{ day: string; keys?: number }>(),
      ),
    );
    // A span from before the keys were recorded had the day buckets only; none yet is a new
    // database, whose disputes get every key as they are written.
    const keys = first ? (first.keys ?? 1) : DISPUTE_KEYS;
    return { first: first?.day ?? null, last: last?.day ?? null, keys, live: live?.day ?? null };
  }

  /**
   * Records that no live (open or mediation) dispute was filed before `day`, from a read of
   * all live ones (the deadline sweep's, or a reindex) that started after `day` began. It
   * stays true: a dispute filed later is filed on `day` or after, and no dispute becomes
   * live again. So writers may race and any of them may land last.
   */
  async noteLiveSince(day: string): Promise<void> {
    await upsertRacing((upsert) =>
      this.models.daySpan.collection.replaceOne(
        { _id: 'live' } as never,
        { _id: 'live', day } as never,
        { upsert },
      ),
    );
  }

  async widenDaySpan(day: string): Promise<void> {
    const span = await this.daySpan();
    // The first filings of a new day race to widen the span: each is applied.
    const put = (_id: string) =>
      upsertRacing((upsert) =>
        this.models.daySpan.collection.replaceOne(
          { _id } as never,
          (_id === 'first' ? { _id, day, keys: span.keys } : { _id, day }) as never,
          { upsert },
        ),
      );
    if (!span.first || day < span.first) await put('first');
    if (!span.last || day > span.last) await put('last');
  }

  /**
   * `pnpm reindex`: every dispute's day buckets, queue, mediator and search keys set from its
   * times and state (disputes stored before they existed get them) and the span of days
   * recomputed; the span's first day records which keys are set (DISPUTE_KEYS). Returns how
   * many were read.
   */
  async reindexDays(): Promise<number> {
    let n = 0;
    let first: string | null = null;
    let last: string | null = null;
    let live = dayOfUtc(this.ctx.clock.now());
    for await (const d of this.models.disputes.find().lean<DisputeDoc>().cursor()) {
      const doc = d as DisputeDoc;
      const sortDay = dayOfUtc(doc.sortAt);
      const createdDay = dayOfUtc(doc.createdAt);
      const queue = queueOf(doc);
      const mediatorMonth = mediatorMonthOf(doc);
      const searchKeys = searchKeysOf(doc);
      if (
        doc.sortDay !== sortDay ||
        doc.createdDay !== createdDay ||
        (doc.queue ?? null) !== queue ||
        (doc.mediatorMonth ?? null) !== mediatorMonth ||
        (doc.searchKeys ?? []).join('\n') !== searchKeys.join('\n')
      )
        await this.models.disputes.updateOne(
          { _id: doc._id },
          { $set: { sortDay, createdDay, queue, mediatorMonth, searchKeys } },
        );
      if (!first || createdDay < first) first = createdDay;
      if (!last || sortDay > last) last = sortDay;
      if (!isTerminal(doc.state) && createdDay < live) live = createdDay;
      n += 1;
    }
    await this.models.daySpan.deleteMany({});
    if (first && last)
      await this.models.daySpan.collection.insertMany([
        { _id: 'first', day: first, keys: DISPUTE_KEYS },
        { _id: 'last', day: last },
        { _id: 'live', day: live },
      ] as never[]);
    return n;
  }

  /** For the transcript and ops: the event log in order. */
  async events(id: string): Promise<DisputeEventDoc[]> {
    const docs = await this.models.events.find({ disputeId: id }).lean<DisputeEventDoc[]>();
    return docs.sort((a, b) => a.version - b.version);
  }

  async event(id: string): Promise<DisputeEventDoc | null> {
    return this.models.events.findById(id).lean<DisputeEventDoc>();
  }
}
