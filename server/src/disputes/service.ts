import {
  DISPUTE_LIST_MAX,
  assignBodySchema,
  createProposalBodySchema,
  escalateBodySchema,
  feedbackBodySchema,
  idSchema,
  isTerminal,
  listDisputesQuerySchema,
  respondBodySchema,
  withdrawBodySchema,
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
import { keyCursors } from '../http/cursors.js';
import { AppError, conflict, notFound, parse } from '../http/errors.js';
import type { ChannelLog } from '../messages/service.js';
import type { UserService } from '../users/service.js';
import { dayOfUtc } from './business-days.js';
import { newestFirst, previousMonth } from './day-buckets.js';
import { DisputeFiling } from './filing.js';
import {
  QUEUED,
  mediatorMonthKey,
  type DisputeDoc,
  type DisputeEventDoc,
  type FeedbackDoc,
  type ProposalDoc,
} from './model.js';
import { toFeedback, toProposal, viewDispute, type ViewOptions, type Viewer } from './presenter.js';
import type { DisputeStore } from './store.js';

/** The most disputes a list answers without `limit` (newest filing first). */
const LIST_LIMIT = DISPUTE_LIST_MAX;
/** A list page ends at a dispute's filing time and id. */
const listCursors = keyCursors(idSchema);

/**
 * Disputes as the API sees them: reading, filing and the lifecycle commands (respond,
 * assign, withdraw, escalate, proposals, feedback) and deadlines. Each command checks who
 * may do it, then applies it through the store, which decides by unique insert; everything
 * that follows a recorded event is published as `dispute.recorded` (events/bus.ts).
 */
export class DisputeService {
  private readonly filing: DisputeFiling;

  constructor(
    private readonly ctx: Context,
    private readonly deps: {
      users: UserService;
      contracts: ContractService;
      log: ChannelLog;
      store: DisputeStore;
    },
  ) {
    this.filing = new DisputeFiling(ctx, { store: deps.store, contracts: deps.contracts });
  }

  get models() {
    return this.deps.store.models;
  }

  // ---- reading -------------------------------------------------------------

  load(id: string): Promise<DisputeDoc | null> {
    return this.deps.store.load(id);
  }

  cachedLoad(id: string): Promise<DisputeDoc | null> {
    return this.deps.store.cachedLoad(id);
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
  view(d: DisputeDoc, viewer: Viewer, opts: ViewOptions = {}): Promise<Dispute> {
    return viewDispute(this.deps.log, d, viewer, opts);
  }

  async get(user: User, id: string): Promise<Dispute> {
    const { dispute } = await this.visible(user, id);
    return this.view(dispute, user);
  }

  /**
   * The caller's list, newest filing first (then id), a page of `limit` (LIST_LIMIT without
   * one) after `cursor`. Every read is an indexed equality FerretDB pushes down (no `$or`, no
   * `null`): a party's or mediator's own disputes, the `mediation` queue (live disputes only),
   * or, for staff, the latest days of filings; each walk starts at the cursor's day or month
   * and stops once a page and one more are found, so a later page costs what the first does.
   */
  async list(
    user: User,
    query: unknown,
  ): Promise<{ disputes: Dispute[]; nextCursor: string | null }> {
    const q = parse(listDisputesQuerySchema, query);
    const limit = q.limit ?? LIST_LIMIT;
    const after = q.cursor ? listCursors.decode(q.cursor) : null;
    // One past the page: whether there is a next one.
    const want = limit + 1;
    const onPage = (d: DisputeDoc) =>
      !after ||
      d.createdAt.getTime() < after.at.getTime() ||
      (d.createdAt.getTime() === after.at.getTime() && d._id < after.id);
    const unassigned = (d: DisputeDoc) => d.mediatorId === null;
    // The state is checked here, not pushed down beside the key: PostgreSQL would intersect
    // the key's rows with every dispute in that state (a BitmapAnd), a read that grows with
    // the history, where the key's own rows are few.
    const find = async (filter: Record<string, unknown>) =>
      (await this.models.disputes.find(filter).lean<DisputeDoc[]>()).filter(
        (d) => (!q.state || d.state === q.state) && onPage(d),
      );
    /** Where a walk back starts: the newest day with disputes, or the cursor's if older. */
    const top = (last: string | null) =>
      Math.min(Date.parse(last ?? ''), after ? after.at.getTime() : Infinity);
    let docs: DisputeDoc[];
    switch (user.role) {
      case 'client':
      case 'freelancer': {
        if (q.assigned === 'me') return { disputes: [], nextCursor: null };
        // A party's own disputes are few (tens over years): both keys read whole.
        const [asClient, asFreelancer] = await Promise.all([
          find({ clientId: user.id }),
          find({ freelancerId: user.id }),
        ]);
        docs = [...asClient, ...asFreelancer];
        if (q.assigned === 'none') docs = docs.filter(unassigned);
        break;
      }
      case 'mediator': {
        // The queue day by day (its key and the filing day, both pushed down), newest first,
        // back to the oldest day a live dispute was filed on: a backlog of thousands is read
        // a page at a time, not whole.
        const span = await this.deps.store.daySpan();
        const liveSince = [span.first, span.live]
          .filter((d) => d !== null)
          .sort()
          .at(-1);
        const queue = async () => {
          if (q.state && q.state !== 'mediation') return [];
          return newestFirst({
            by: 'createdAt',
            from: top(span.last),
            // Both bound the walk from below; the later is the tighter.
            until: Date.parse(liveSince ?? ''),
            want,
            bucket: async (day) =>
              (
                await this.models.disputes
                  .find({ queue: QUEUED, createdDay: day })
                  .lean<DisputeDoc[]>()
              ).filter(onPage),
          });
        };
        // Their own a month of filings at a time, newest first, until the page is full; for
        // a live state only back to the month the oldest live dispute was filed in (a year's
        // closed ones are never read to find the few still in mediation).
        const mine = async () => {
          if (!span.first || !span.last) return [];
          const oldest = (q.state && !isTerminal(q.state) ? liveSince : span.first) ?? span.first;
          const found: DisputeDoc[] = [];
          let month = new Date(top(span.last)).toISOString().slice(0, 7);
          while (found.length < want && month >= oldest.slice(0, 7)) {
            found.push(...(await find({ mediatorMonth: mediatorMonthKey(user.id, month) })));
            month = previousMonth(month);
          }
          return found;
        };
        const parts = await Promise.all(
          q.assigned === 'me' ? [mine()] : q.assigned === 'none' ? [queue()] : [queue(), mine()],
        );
        docs = parts.flat();
        break;
      }
      default: {
        if (q.assigned === 'me') return { disputes: [], nextCursor: null };
        const span = await this.deps.store.daySpan();
        docs = await newestFirst({
          by: 'createdAt',
          from: top(span.last),
          until: Date.parse(span.first ?? ''),
          want,
          bucket: async (day) =>
            (await find({ createdDay: day })).filter((d) => q.assigned !== 'none' || unassigned(d)),
        });
      }
    }
    const unique = [...new Map(docs.map((d) => [d._id, d])).values()]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a._id < b._id ? 1 : -1))
      .slice(0, want);
    const page = unique.slice(0, limit);
    const last = page.at(-1);
    // Heads as this instance knows them (raised by every append here and, within a second,
    // by the other instances' announcements; probed once when unknown): a probe per channel
    // of up to LIST_LIMIT disputes was 1,500 reads for a mediator's own list. A single
    // dispute (`get`) and a join still probe.
    return {
      disputes: await Promise.all(page.map((d) => this.view(d, user, { freshHeads: false }))),
      nextCursor:
        unique.length > limit && last ? listCursors.encode(last.createdAt, last._id) : null,
    };
  }

  // ---- filing and commands ------------------------------------------------

  async file(user: User, body: unknown): Promise<Dispute> {
    return this.view(await this.filing.file(user, body), user);
  }

  private apply(...args: Parameters<DisputeStore['apply']>) {
    return this.deps.store.apply(...args);
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
      await this.deps.store.storeMeasured(doc._id, id, async () => {
        await this.models.feedback.collection.insertOne(doc as never);
      });
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
    // Taken before the read: whatever is filed after it is filed on this day or later.
    const today = dayOfUtc(this.ctx.clock.now());
    // Live disputes only, by two pushed-down equalities (`$in` is filtered in Go over all).
    const live = (state: 'open' | 'mediation') =>
      this.models.disputes
        .find({ state }, { _id: 1, state: 1, respondBy: 1, mediationEndsBy: 1, createdAt: 1 })
        .lean<
          Pick<DisputeDoc, '_id' | 'state' | 'respondBy' | 'mediationEndsBy' | 'createdAt'>[]
        >();
    const candidates = (await Promise.all([live('open'), live('mediation')])).flat();
    let fired = 0;
    // The oldest filing day still live bounds the mediation queue's walk back (list); a
    // dispute whose deadline fired here is terminal (resolved or arbitration), no longer live.
    let liveSince = today;
    for (const c of candidates) {
      const due = c.state === 'open' ? c.respondBy : c.mediationEndsBy;
      let ended = false;
      if (due && due <= now) {
        try {
          ended = await this.applyDeadline(c._id, now);
          if (ended) fired += 1;
        } catch (err) {
          this.ctx.log.warn({ err, disputeId: c._id }, 'deadline could not be applied');
        }
      }
      if (!ended && dayOfUtc(c.createdAt) < liveSince) liveSince = dayOfUtc(c.createdAt);
    }
    await this.deps.store.noteLiveSince(liveSince);
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

  /** Records the assigned mediator's first text entry once (a unique insert), for metrics. */
  private readonly repliedDisputes = new Set<string>();

  async noteMediatorReply(d: DisputeDoc, authorId: string, at: Date): Promise<void> {
    if (d.mediatorId !== authorId || this.repliedDisputes.has(d._id)) return;
    this.repliedDisputes.add(d._id);
    await this.deps.store.storeMeasured(`${d._id}.first-reply`, d._id, () =>
      this.models.firstReplies.collection
        .insertOne({ _id: d._id, mediatorId: authorId, at } as never)
        .then(
          () => undefined,
          (err: unknown) => {
            if (!isDuplicateKey(err)) throw err;
          },
        ),
    );
  }

  /** For the transcript and ops: the event log in order. */
  /** The first and last day that hold disputes (ops search walks within them). */
  daySpan() {
    return this.deps.store.daySpan();
  }

  events(id: string): Promise<DisputeEventDoc[]> {
    return this.deps.store.events(id);
  }
}
