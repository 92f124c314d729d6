import { LRUCache } from 'lru-cache';
import { addBusinessDays } from 'date-fns';
import {
  assignBodySchema,
  createProposalBodySchema,
  escalateBodySchema,
  feedbackBodySchema,
  fileDisputeBodySchema,
  formatDisputeNumber,
  isTerminal,
  listDisputesQuerySchema,
  readableChannels,
  relationTo,
  respondBodySchema,
  withdrawBodySchema,
  type Channel,
  type Dispute,
  type Feedback,
  type Proposal,
  type Relation,
  type User,
} from '@dispute-room/shared';
import { assertMay, isParty, relationOrNotFound } from '../auth/policy.js';
import type { Context } from '../context.js';
import type { ContractService } from '../contracts/service.js';
import { newId } from '../db/ids.js';
import { isDuplicateKey } from '../db/mongo.js';
import { AppError, conflict, notFound, parse } from '../http/errors.js';
import type { ChannelLog, NewEntry } from '../messages/service.js';
import type { Hub } from '../realtime/hub.js';
import type { UserService } from '../users/service.js';
import { decide, evolve, type Actor, type Command } from './lifecycle.js';
import {
  disputeModels,
  type DisputeDoc,
  type DisputeEventDoc,
  type FeedbackDoc,
  type ProposalDoc,
} from './model.js';

const CACHE_TTL_MS = 5_000;

export type EventListener = (
  prev: DisputeDoc | null,
  next: DisputeDoc,
  e: DisputeEventDoc,
) => Promise<void>;

const money = (cents: number, currency: string) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);

export function toProposal(doc: ProposalDoc): Proposal {
  return {
    id: doc._id,
    disputeId: doc.disputeId,
    authorId: doc.authorId,
    clientCents: doc.clientCents,
    freelancerCents: doc.freelancerCents,
    note: doc.note,
    status: doc.status,
    acceptedBy: doc.acceptedBy,
    createdAt: doc.createdAt.toISOString(),
  };
}

function toFeedback(doc: FeedbackDoc): Feedback {
  return {
    id: doc._id,
    disputeId: doc.disputeId,
    userId: doc.userId,
    rating: doc.rating,
    comment: doc.comment,
    createdAt: doc.createdAt.toISOString(),
  };
}

/**
 * Disputes: filing, the lifecycle commands, proposals, feedback and deadlines.
 * Every change is an event inserted under `<disputeId>:<version>`; the insert decides,
 * the rest (projection, proposal statuses, system messages, broadcasts) follows from it
 * and is safe to repeat, which is how a crash between the two is repaired on next load.
 */
export class DisputeService {
  readonly models: ReturnType<typeof disputeModels>;
  private lastNumber: number | null = null;
  private readonly pendingBroadcasts = new Map<string, NodeJS.Timeout>();
  private readonly sending = new Map<string, Promise<void>>();

  constructor(
    private readonly ctx: Context,
    private readonly deps: {
      users: UserService;
      contracts: ContractService;
      log: ChannelLog;
      hub: Hub;
    },
  ) {
    this.models = disputeModels(ctx.conn);
  }

  private get rules() {
    return { mediationDays: this.ctx.config.MEDIATION_DAYS };
  }

  // ---- reading -------------------------------------------------------------

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
  private readonly cache = new LRUCache<string, DisputeDoc>({ max: 20_000, ttl: CACHE_TTL_MS });

  async cachedLoad(id: string): Promise<DisputeDoc | null> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const doc = await this.load(id);
    if (doc) this.cache.set(id, doc);
    return doc;
  }

  /** Another instance recorded an event for this dispute. */
  forget(id: string): void {
    this.cache.delete(id);
  }

  /** Loads a dispute the user may see (else 404) with the user's relation to it. */
  async visible(
    user: User,
    id: string,
    opts: { cached?: boolean } = {},
  ): Promise<{ dispute: DisputeDoc; relation: Relation }> {
    const dispute = opts.cached ? await this.cachedLoad(id) : await this.load(id);
    if (!dispute) throw notFound('dispute');
    return { dispute, relation: relationOrNotFound(user, dispute) };
  }

  /** The API shape of a dispute for one viewer: heads and unread only of channels it may read. */
  async view(
    d: DisputeDoc,
    user: User | { id: string; role: User['role'] },
    opts: {
      freshHeads?: boolean;
      /** Heads and read positions the caller has just loaded (a join), to avoid reading twice. */
      known?: {
        heads: Partial<Record<Channel, number>>;
        reads: Partial<Record<Channel, Record<string, number>>>;
      };
    } = {},
  ): Promise<Dispute> {
    const relation = relationTo(user, d);
    const channels = readableChannels(relation);
    const heads: Partial<Record<Channel, number>> = {};
    const unread: Partial<Record<Channel, number>> = {};
    const known = opts.known;
    const loaded = await Promise.all(
      channels.map((c) =>
        known?.heads[c] !== undefined
          ? known.heads[c]
          : opts.freshHeads === false
            ? this.deps.log.knownHead(d._id, c)
            : this.deps.log.loadHead(d._id, c).then((h) => h.seq),
      ),
    );
    const reads = known?.reads ?? (await this.deps.log.reads(d._id, channels, [user.id]));
    channels.forEach((c, i) => {
      const head = loaded[i]!;
      heads[c] = head;
      unread[c] = Math.max(0, head - (reads[c]?.[user.id] ?? 0));
    });
    return {
      id: d._id,
      number: d.number,
      contractId: d.contractId,
      contractTitle: d.contractTitle,
      state: d.state,
      claimantId: d.claimantId,
      respondentId: d.respondentId,
      clientId: d.clientId,
      freelancerId: d.freelancerId,
      mediatorId: d.mediatorId,
      reason: d.reason,
      description: d.description,
      claimCents: d.claimCents,
      escrowCents: d.escrowCents,
      currency: d.currency,
      respondBy: d.respondBy.toISOString(),
      mediationEndsBy: d.mediationEndsBy?.toISOString() ?? null,
      outcome: d.outcome
        ? { ...d.outcome, decidedAt: new Date(d.outcome.decidedAt).toISOString() }
        : null,
      heads,
      unread,
      createdAt: d.createdAt.toISOString(),
      updatedAt: d.updatedAt.toISOString(),
      closedAt: d.closedAt?.toISOString() ?? null,
    };
  }

  async get(user: User, id: string): Promise<Dispute> {
    const { dispute } = await this.visible(user, id);
    return this.view(dispute, user);
  }

  async list(user: User, query: unknown): Promise<Dispute[]> {
    const q = parse(listDisputesQuerySchema, query);
    const filters: Record<string, unknown>[] = [];
    switch (user.role) {
      case 'client':
      case 'freelancer':
        if (q.assigned === 'me') return [];
        filters.push({ $or: [{ clientId: user.id }, { freelancerId: user.id }] });
        if (q.assigned === 'none') filters.push({ mediatorId: null });
        break;
      case 'mediator': {
        const queue = { state: 'mediation', mediatorId: null };
        const mine = { mediatorId: user.id };
        filters.push(
          q.assigned === 'me' ? mine : q.assigned === 'none' ? queue : { $or: [queue, mine] },
        );
        break;
      }
      default:
        if (q.assigned === 'me') return [];
        if (q.assigned === 'none') filters.push({ mediatorId: null });
    }
    if (q.state) filters.push({ state: q.state });
    const docs = await this.models.disputes
      .find(filters.length ? { $and: filters } : {})
      .sort({ createdAt: -1 })
      .limit(500)
      .lean<DisputeDoc[]>();
    return Promise.all(docs.map((d) => this.view(d, user)));
  }

  // ---- filing --------------------------------------------------------------

  async file(user: User, body: unknown): Promise<Dispute> {
    const input = parse(fileDisputeBodySchema, body);
    const contract = await this.deps.contracts.byId(input.contractId);
    if (!contract || (user.id !== contract.clientId && user.id !== contract.freelancerId)) {
      throw notFound('contract');
    }
    if (input.claimCents > contract.escrowCents) {
      throw new AppError('validation_failed', 'request is invalid', [
        { path: 'claimCents', message: `must be at most the escrow (${contract.escrowCents})` },
      ]);
    }
    const id = newId();
    await this.lockContract(contract._id, id);
    const now = this.ctx.clock.now();
    const n = await this.allocateNumber(id);
    const claimantIsClient = user.id === contract.clientId;
    const dispute: DisputeDoc = {
      _id: id,
      number: formatDisputeNumber(n),
      contractId: contract._id,
      contractTitle: contract.title,
      state: 'open',
      claimantId: user.id,
      respondentId: claimantIsClient ? contract.freelancerId : contract.clientId,
      clientId: contract.clientId,
      freelancerId: contract.freelancerId,
      mediatorId: null,
      reason: input.reason,
      description: input.description,
      claimCents: input.claimCents,
      escrowCents: contract.escrowCents,
      currency: contract.currency,
      respondBy: addBusinessDays(now, this.ctx.config.RESPOND_BUSINESS_DAYS),
      mediationEndsBy: null,
      mediationStartedAt: null,
      everAssigned: false,
      pending: null,
      outcome: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      sortAt: now,
    };
    const event: DisputeEventDoc = {
      _id: `${id}:1`,
      disputeId: id,
      version: 1,
      type: 'filed',
      actorId: user.id,
      from: 'open',
      to: 'open',
      at: now,
      note: '',
      data: {},
    };
    await this.models.events.collection.insertOne(event as never);
    await this.models.disputes.collection.insertOne(dispute as never);
    await this.appendSystem(dispute, event, 'joint', 0, {
      kind: 'system',
      body: `Dispute ${dispute.number} filed by the ${claimantIsClient ? 'client' : 'freelancer'} (${input.reason.replace('_', ' ')}): claim of ${money(input.claimCents, dispute.currency)} of ${money(dispute.escrowCents, dispute.currency)} in escrow.`,
      event: { type: 'filed', reason: input.reason, claimCents: input.claimCents },
    });
    this.broadcast(dispute);
    await this.notify(null, dispute, event);
    return this.view(dispute, user);
  }

  /** One open or mediation dispute per contract, decided by a unique insert on the contract id. */
  private async lockContract(contractId: string, disputeId: string): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.models.active.collection.insertOne({ _id: contractId, disputeId } as never);
        return;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const lock = await this.models.active.findById(contractId).lean();
        const holder = lock && (await this.load(lock.disputeId));
        // A holder that reached a terminal state but crashed before unlocking: release it.
        if (lock && (!holder || isTerminal(holder.state))) {
          await this.models.active.deleteOne({ _id: contractId, disputeId: lock.disputeId });
          continue;
        }
        throw conflict('this contract already has an open dispute', { disputeId: lock?.disputeId });
      }
    }
    throw conflict('this contract already has an open dispute');
  }

  private async allocateNumber(disputeId: string): Promise<number> {
    if (this.lastNumber === null) {
      const last = await this.models.numbers.findOne({}, { _id: 1 }).sort({ _id: -1 }).lean();
      this.lastNumber = last?._id ?? 0;
    }
    for (;;) {
      const n: number = (this.lastNumber ?? 0) + 1;
      try {
        await this.models.numbers.collection.insertOne({ _id: n, disputeId } as never);
        this.lastNumber = n;
        return n;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        this.lastNumber = n;
      }
    }
  }

  // ---- commands ------------------------------------------------------------

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
        await this.models.events.collection.insertOne(event as never);
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

  async respond(user: User, id: string, body: unknown): Promise<Dispute> {
    const { dispute, relation } = await this.visible(user, id);
    assertMay('respond', user, relation, dispute);
    const input = parse(respondBodySchema, body);
    const result = await this.apply(
      id,
      { id: user.id, isParty: true },
      {
        type: 'respond',
        accept: input.accept,
        note: input.note ?? '',
      },
    );
    return this.view(result.dispute, user);
  }

  async assign(user: User, id: string, body: unknown): Promise<Dispute> {
    const { dispute, relation } = await this.visible(user, id);
    const input = parse(assignBodySchema, body ?? {});
    let mediatorId: string;
    let claim = false;
    if (user.role === 'mediator') {
      assertMay('claim', user, relation, dispute);
      if (input.mediatorId && input.mediatorId !== user.id) {
        throw new AppError('forbidden', 'a mediator may only claim a dispute for themselves');
      }
      mediatorId = user.id;
      claim = true;
    } else {
      assertMay('assign', user, relation, dispute);
      if (!input.mediatorId) {
        throw new AppError('validation_failed', 'request is invalid', [
          { path: 'mediatorId', message: 'required' },
        ]);
      }
      const mediator = await this.deps.users.byId(input.mediatorId);
      if (mediator?.role !== 'mediator') {
        throw new AppError('validation_failed', 'request is invalid', [
          { path: 'mediatorId', message: 'must be a mediator' },
        ]);
      }
      mediatorId = mediator.id;
    }
    const result = await this.apply(
      id,
      { id: user.id, isParty: false },
      { type: 'assign', mediatorId, claim, note: '' },
    );
    return this.view(result.dispute, user);
  }

  async withdraw(user: User, id: string, body: unknown): Promise<Dispute> {
    const { dispute, relation } = await this.visible(user, id);
    assertMay('withdraw', user, relation, dispute);
    const input = parse(withdrawBodySchema, body ?? {});
    const result = await this.apply(
      id,
      { id: user.id, isParty: true },
      { type: 'withdraw', note: input.note ?? '' },
    );
    return this.view(result.dispute, user);
  }

  async escalate(user: User, id: string, body: unknown): Promise<Dispute> {
    const { dispute, relation } = await this.visible(user, id);
    assertMay('escalate', user, relation, dispute);
    const input = parse(escalateBodySchema, body ?? {});
    const result = await this.apply(
      id,
      { id: user.id, isParty: isParty(relation) },
      {
        type: 'escalate',
        note: input.note ?? '',
      },
    );
    return this.view(result.dispute, user);
  }

  async propose(user: User, id: string, body: unknown): Promise<Proposal> {
    const { dispute, relation } = await this.visible(user, id);
    assertMay('propose', user, relation, dispute);
    const input = parse(createProposalBodySchema, body);
    if (input.clientCents + input.freelancerCents !== dispute.escrowCents) {
      throw new AppError('validation_failed', 'request is invalid', [
        {
          path: 'clientCents',
          message: `clientCents + freelancerCents must equal the escrow (${dispute.escrowCents})`,
        },
      ]);
    }
    const proposalId = newId();
    await this.apply(
      id,
      { id: user.id, isParty: isParty(relation) },
      {
        type: 'propose',
        proposalId,
        clientCents: input.clientCents,
        freelancerCents: input.freelancerCents,
        note: input.note ?? '',
      },
    );
    const doc = await this.models.proposals.findById(proposalId).lean<ProposalDoc>();
    if (!doc) throw new AppError('internal', 'proposal was not recorded');
    return toProposal(doc);
  }

  async proposals(user: User, id: string): Promise<Proposal[]> {
    const { dispute, relation } = await this.visible(user, id);
    assertMay('read_proposals', user, relation, dispute);
    const docs = await this.models.proposals
      .find({ disputeId: id })
      .sort({ createdAt: 1 })
      .lean<ProposalDoc[]>();
    return docs.map(toProposal);
  }

  async decideProposal(
    user: User,
    id: string,
    proposalId: string,
    verdict: 'accept' | 'reject',
  ): Promise<{ proposal: Proposal; dispute: Dispute }> {
    const { dispute, relation } = await this.visible(user, id);
    const proposal = await this.models.proposals.findById(proposalId).lean<ProposalDoc>();
    if (!proposal || proposal.disputeId !== id) throw notFound('proposal');
    assertMay('decide_proposal', user, relation, dispute);
    const result = await this.apply(
      id,
      { id: user.id, isParty: true },
      {
        type: verdict === 'accept' ? 'accept_proposal' : 'reject_proposal',
        proposalId,
      },
    );
    const updated = await this.models.proposals.findById(proposalId).lean<ProposalDoc>();
    return {
      proposal: toProposal(updated ?? proposal),
      dispute: await this.view(result.dispute, user),
    };
  }

  async feedback(user: User, id: string, body: unknown): Promise<Feedback> {
    const { dispute, relation } = await this.visible(user, id);
    assertMay('feedback', user, relation, dispute);
    const input = parse(feedbackBodySchema, body);
    if (!isTerminal(dispute.state)) throw conflict('feedback opens when the dispute has ended');
    const doc: FeedbackDoc = {
      _id: `${id}:${user.id}`,
      disputeId: id,
      userId: user.id,
      rating: input.rating,
      comment: input.comment ?? '',
      createdAt: this.ctx.clock.now(),
    };
    try {
      await this.models.feedback.collection.insertOne(doc as never);
    } catch (err) {
      if (isDuplicateKey(err)) throw conflict('you have already rated this dispute');
      throw err;
    }
    return toFeedback(doc);
  }

  // ---- deadlines -----------------------------------------------------------

  /**
   * Applies every deadline due at `now`. Safe on any number of instances at once: each
   * firing is an event insert under the next version, so exactly one instance records it.
   * Returns how many transitions this call recorded.
   */
  async tick(now: Date): Promise<number> {
    const candidates = await this.models.disputes
      .find(
        { state: { $in: ['open', 'mediation'] } },
        { _id: 1, state: 1, respondBy: 1, mediationEndsBy: 1 },
      )
      .lean<Pick<DisputeDoc, '_id' | 'state' | 'respondBy' | 'mediationEndsBy'>[]>();
    let fired = 0;
    for (const c of candidates) {
      const due = c.state === 'open' ? c.respondBy : c.mediationEndsBy;
      if (!due || due > now) continue;
      try {
        const result = await this.applyDeadline(c._id, now);
        if (result) fired += 1;
      } catch (err) {
        this.ctx.log.warn({ err, disputeId: c._id }, 'deadline could not be applied');
      }
    }
    return fired;
  }

  private async applyDeadline(id: string, now: Date): Promise<boolean> {
    const { applied } = await this.apply(
      id,
      { id: 'system', isParty: false },
      { type: 'deadline' },
      now,
    );
    return applied;
  }

  // ---- consequences of an event (idempotent) -------------------------------

  private async project(prev: DisputeDoc, next: DisputeDoc, e: DisputeEventDoc): Promise<void> {
    this.cache.delete(next._id);
    this.deps.hub.invalidateDispute(next._id);
    await this.models.disputes.collection.replaceOne(
      { _id: next._id, version: { $lt: next.version } } as never,
      next as never,
    );
    await this.projectProposals(prev, next, e);
    if (isTerminal(next.state)) {
      await this.models.active.deleteOne({ _id: next.contractId, disputeId: next._id });
    }
    if (e.type === 'assigned' && e.data.previousMediatorId) {
      this.deps.hub.removeFromDispute(e.data.previousMediatorId, next._id);
    }
    await this.postSystemMessages(prev, next, e);
    this.broadcast(next, true);
    await this.notify(prev, next, e);
  }

  /** Subscribers to recorded events (webhooks). Called again on repair, so they must be idempotent. */
  private readonly listeners: EventListener[] = [];

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  private async notify(
    prev: DisputeDoc | null,
    next: DisputeDoc,
    e: DisputeEventDoc,
  ): Promise<void> {
    for (const listener of this.listeners) {
      await listener(prev, next, e).catch((err: unknown) =>
        this.ctx.log.warn({ err, event: e._id }, 'event listener failed'),
      );
    }
  }

  /** Records the assigned mediator's first text entry once (a unique insert), for metrics. */
  private readonly repliedDisputes = new Set<string>();

  async noteMediatorReply(d: DisputeDoc, authorId: string, at: Date): Promise<void> {
    if (d.mediatorId !== authorId || this.repliedDisputes.has(d._id)) return;
    this.repliedDisputes.add(d._id);
    await this.models.firstReplies.collection
      .insertOne({ _id: d._id, mediatorId: authorId, at } as never)
      .catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
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

  private async appendSystem(
    d: DisputeDoc,
    e: Pick<DisputeEventDoc, 'version'>,
    channel: Channel,
    index: number,
    entry: Pick<NewEntry, 'kind' | 'body' | 'event' | 'proposalId'> & {
      authorId?: string | null;
      authorRole?: string | null;
    },
  ): Promise<void> {
    const { doc, created } = await this.deps.log.append({
      disputeId: d._id,
      channel,
      kind: entry.kind,
      authorId: entry.authorId ?? null,
      authorRole: entry.authorRole ?? null,
      body: entry.body,
      event: entry.event ?? null,
      proposalId: entry.proposalId ?? null,
      idemKey: `evt:${d._id}:${e.version}:${channel}:${index}`,
    });
    if (created) this.deps.hub.emitMessage(doc);
  }

  private async postSystemMessages(
    prev: DisputeDoc,
    next: DisputeDoc,
    e: DisputeEventDoc,
  ): Promise<void> {
    const stateChanged = { type: 'state_changed', from: e.from, to: e.to };
    const note = e.note ? ` Note: ${e.note}` : '';
    const outcome = next.outcome;
    const split =
      typeof outcome?.clientCents === 'number' && typeof outcome.freelancerCents === 'number'
        ? ` Client ${money(outcome.clientCents, next.currency)}, freelancer ${money(outcome.freelancerCents, next.currency)}.`
        : '';
    const post = (
      channel: Channel,
      index: number,
      body: string,
      event: Record<string, string | number | boolean | null>,
      extra: Partial<NewEntry> = {},
    ) =>
      this.appendSystem(next, e, channel, index, {
        kind: 'system',
        body,
        event: event as never,
        ...extra,
      });
    switch (e.type) {
      case 'responded':
        await post(
          'joint',
          0,
          e.data.accept
            ? `The respondent accepted the claim: resolved.${split}${note}`
            : `The respondent rejected the claim: the dispute moves to mediation.${note}`,
          stateChanged,
        );
        break;
      case 'assigned':
        await post(
          'joint',
          0,
          prev.mediatorId
            ? 'A new mediator has taken over this dispute.'
            : 'A mediator has joined the dispute.',
          {
            type: 'assigned',
            mediatorId: e.data.mediatorId ?? null,
          },
        );
        await post(
          'internal',
          0,
          `Assigned to mediator ${e.data.mediatorId} by ${e.actorId === e.data.mediatorId ? 'claim' : e.actorId}.`,
          {
            type: 'assigned',
            mediatorId: e.data.mediatorId ?? null,
            by: e.actorId,
          },
        );
        break;
      case 'withdrawn':
        await post('joint', 0, `The claimant withdrew the dispute.${note}`, stateChanged);
        break;
      case 'escalated':
        await post('joint', 0, `The dispute was escalated to arbitration.${note}`, stateChanged);
        break;
      case 'proposed':
        await this.appendSystem(next, e, 'joint', 0, {
          kind: 'proposal',
          authorId: e.actorId,
          authorRole:
            e.actorId === next.clientId
              ? 'client'
              : e.actorId === next.freelancerId
                ? 'freelancer'
                : 'mediator',
          body: `Proposal: client ${money(e.data.clientCents ?? 0, next.currency)}, freelancer ${money(e.data.freelancerCents ?? 0, next.currency)}.${note}`,
          proposalId: e.data.proposalId ?? null,
        });
        break;
      case 'proposal_accepted':
      case 'proposal_rejected': {
        // A party's answer to a proposal, in the joint thread.
        const answer = e.type === 'proposal_accepted' ? 'accepted' : 'rejected';
        await post(
          'joint',
          0,
          `${e.actorId === next.clientId ? 'The client' : 'The freelancer'} ${answer} the proposal.`,
          { type: e.type, proposalId: e.data.proposalId ?? null, userId: e.actorId },
          { proposalId: e.data.proposalId ?? null },
        );
        if (e.type === 'proposal_accepted' && e.data.resolves) {
          await post(
            'joint',
            1,
            `Both parties accepted the proposal: resolved by settlement.${split}`,
            stateChanged,
          );
        }
        break;
      }
      case 'deadline':
        await post(
          'joint',
          0,
          e.data.deadline === 'respond'
            ? `No answer by the response deadline: resolved by default in the claimant's favour.${split}`
            : 'The mediation period ended without a settlement: escalated to arbitration.',
          { ...stateChanged, deadline: e.data.deadline ?? null },
        );
        break;
      case 'filed':
        break;
    }
  }

  // ---- realtime ------------------------------------------------------------

  /**
   * `dispute:updated` to every user who may see the dispute, shaped for each, at once after
   * a transition. After messages only the three people get it (their unread counts moved),
   * at most once per dispute per 2 s, from the heads this instance knows.
   */
  broadcast(d: DisputeDoc, transition = true): void {
    // One at a time per dispute, each reading the latest state: an older state can never
    // overtake a newer one on the way to the clients.
    const send = (everyone: boolean) => {
      const previous = this.sending.get(d._id) ?? Promise.resolve();
      const next = previous
        .then(() => this.sendUpdated(d._id, everyone))
        .catch((err: unknown) => this.ctx.log.warn({ err }, 'dispute:updated failed'));
      this.sending.set(d._id, next);
      void next.then(() => {
        if (this.sending.get(d._id) === next) this.sending.delete(d._id);
      });
    };
    if (transition) return send(true);
    if (this.pendingBroadcasts.has(d._id)) return;
    this.pendingBroadcasts.set(
      d._id,
      setTimeout(() => {
        this.pendingBroadcasts.delete(d._id);
        send(false);
      }, 2_000),
    );
  }

  private async sendUpdated(id: string, everyone: boolean): Promise<void> {
    const d = everyone
      ? await this.models.disputes.findById(id).lean<DisputeDoc>()
      : await this.cachedLoad(id);
    if (!d) return;
    const hub = this.deps.hub;
    const people = [d.clientId, d.freelancerId, ...(d.mediatorId ? [d.mediatorId] : [])];
    const roles: { id: string; role: User['role'] }[] = [
      { id: d.clientId, role: 'client' },
      { id: d.freelancerId, role: 'freelancer' },
      ...(d.mediatorId ? [{ id: d.mediatorId, role: 'mediator' as const }] : []),
    ];
    await Promise.all(
      roles.map(async (who) =>
        hub.toUser(who.id, 'dispute:updated', {
          dispute: await this.view(d, who, { freshHeads: everyone }),
        }),
      ),
    );
    if (!everyone) return;
    // Staff see every channel; per-person unread is theirs to fetch, so it is left empty here.
    const staffView = await this.view(d, { id: 'staff', role: 'ops' });
    hub.toRole('ops', 'dispute:updated', { dispute: { ...staffView, unread: {} } }, people);
    hub.toRole('admin', 'dispute:updated', { dispute: { ...staffView, unread: {} } }, people);
    if (d.state === 'mediation') {
      const queueView = await this.view(d, { id: 'queue', role: 'mediator' });
      hub.toRole('mediator', 'dispute:updated', { dispute: queueView }, people);
    }
  }

  shutdown(): void {
    for (const timer of this.pendingBroadcasts.values()) clearTimeout(timer);
    this.pendingBroadcasts.clear();
  }

  /** For the transcript and ops: the event log in order. */
  async events(id: string): Promise<DisputeEventDoc[]> {
    const docs = await this.models.events.find({ disputeId: id }).lean<DisputeEventDoc[]>();
    return docs.sort((a, b) => a.version - b.version);
  }
}
