import type { z } from 'zod';
import {
  channels,
  idSchema,
  metricsQuerySchema,
  opsSearchQuerySchema,
  reviewBodySchema,
  type AuditEntry,
  type Dispute,
  type Evidence,
  type Feedback,
  type HistoryMessage,
  type Metrics,
  type Review,
  type Transcript,
  type User,
} from '@dispute-room/shared';
import { upsertRacing } from '../db/mongo.js';
import { requireRole } from '../auth/policy.js';
import type { Context } from '../context.js';
import {
  searchKey,
  type DisputeDoc,
  type FeedbackDoc,
  type ProposalDoc,
  type SearchFacets,
} from '../disputes/model.js';
import { newestFirst } from '../disputes/day-buckets.js';
import { toProposal } from '../disputes/presenter.js';
import type { DisputeService } from '../disputes/service.js';
import { keyCursors } from '../http/cursors.js';
import { notFound, parse } from '../http/errors.js';
import type { ChannelLog } from '../messages/service.js';
import { toMessage } from '../messages/service.js';
import type { UserService } from '../users/service.js';
import type { Rollups } from '../metrics/rollups.js';
import { opsModels, type ReviewDoc } from './model.js';
import { searchableWords, wordsOf, type SearchWords, type WordHit } from './search-words.js';

/** The conversation before the dispute, in order, and its hash. */
export interface HistorySource {
  ofContract(contractId: string): Promise<{ history: HistoryMessage[]; hash: string }>;
}

export interface EvidenceSource {
  forTranscript(disputeId: string): Promise<Evidence[]>;
}

type SearchQuery = z.infer<typeof opsSearchQuerySchema>;

/**
 * A search's filters: the equalities (state, outcome, mediator) name one bucket key of a day
 * or an hour (searchKeys), pushed down as one indexed equality; the rest (ranges on filing,
 * text) is checked in memory on the rows of that bucket.
 */
function searchFilter(q: SearchQuery) {
  const facets: SearchFacets = {};
  if (q.state) facets.state = q.state;
  if (q.outcome) facets.outcome = q.outcome;
  if (q.mediatorId) facets.mediatorId = q.mediatorId;
  const bucketOf = (dayOrHour: string) => ({ searchKeys: searchKey(dayOrHour, facets) });
  // No $text on FerretDB: whole words of the number, title and description, every one given.
  const words = q.q ? wordsOf(q.q) : [];
  const rest = (d: DisputeDoc) => {
    if ((q.from && d.createdAt < q.from) || (q.to && d.createdAt >= q.to)) return false;
    if (words.length === 0) return true;
    const has = new Set(searchableWords(d));
    return words.every((w) => has.has(w));
  };
  const all = (d: DisputeDoc) =>
    (!facets.state || d.state === facets.state) &&
    (!facets.outcome || d.outcome?.kind === facets.outcome) &&
    (!facets.mediatorId || d.mediatorId === facets.mediatorId);
  // A text search reads, day by day, the ids of the disputes that have each of its (longest,
  // up to 3) words, and only the disputes in all of them.
  const keyWords = [...words].sort((a, b) => b.length - a.length).slice(0, 3);
  return { bucketOf, rest, all, keyWords, nothing: Boolean(q.q) && words.length === 0 };
}

const DAY = 86_400_000;

/** Ops search pages by (sortAt, _id). */
const cursors = keyCursors(idSchema);
/** A word with more rows than this on a day does not narrow a text search's day by itself. */
const COMMON_WORD_ROWS = 200;

const toReview = (d: ReviewDoc): Review => ({
  id: d._id,
  disputeId: d.disputeId,
  reviewerId: d.reviewerId,
  score: d.score,
  notes: d.notes,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
});

/** The people who look back: search, transcripts, QA reviews and metrics. Ops and admin only. */
export class OpsService {
  readonly models: ReturnType<typeof opsModels>;

  constructor(
    private readonly ctx: Context,
    private readonly deps: {
      disputes: DisputeService;
      log: ChannelLog;
      users: UserService;
      evidence: EvidenceSource;
      rollups: Rollups;
      words: SearchWords;
      history: HistorySource;
    },
  ) {
    this.models = opsModels(ctx.conn);
  }

  /**
   * The newest `want` disputes of a day that have every one of `words` and pass `keep` (which
   * checks every word on the dispute itself): by the word index, then by `_id` in the index's
   * time order, only as many as that takes (a busy day's common word names a thousand
   * disputes; a page is 25). A word with more than COMMON_WORD_ROWS rows that day is left to
   * `keep` when a rarer one narrows the day ("brief 42": 42's dozen, not brief's thousand);
   * when every word is that common, the first one's rows are read whole. Rows without a time
   * (written before it was kept) are all loaded: their order is not known.
   */
  private async disputesWith(
    words: string[],
    day: string,
    want: number,
    keep: (d: DisputeDoc) => boolean,
    before: { at: Date; id: string } | null,
  ): Promise<DisputeDoc[]> {
    const read = await Promise.all(
      words.map((w) => this.deps.words.on(w, day, COMMON_WORD_ROWS + 1)),
    );
    const narrow = read.filter((hits) => hits.length <= COMMON_WORD_ROWS);
    const [first, ...others] =
      narrow.length > 0 ? narrow : [await this.deps.words.on(words[0]!, day)];
    const inOthers = others.map((hits) => new Set(hits.map((h) => h.disputeId)));
    const hits = first!.filter((h) => inOthers.every((ids) => ids.has(h.disputeId)));
    const untimed = hits.filter((h) => !h.at);
    // A row's time may lag its dispute's closing, never run ahead of it: one newer than the
    // cursor is not on this page.
    const timed = hits
      .filter(
        (h): h is Required<WordHit> =>
          h.at !== undefined &&
          (!before ||
            h.at < before.at ||
            (h.at.getTime() === before.at.getTime() && h.disputeId < before.id)),
      )
      .sort((a, b) => b.at.getTime() - a.at.getTime() || (a.disputeId < b.disputeId ? 1 : -1));
    const load = async (some: WordHit[]) =>
      (await Promise.all(some.map((h) => this.deps.disputes.load(h.disputeId)))).filter(
        // The index may lag a closing by a moment: keep only disputes still on that day.
        (d): d is DisputeDoc => d !== null && d.sortDay === day && keep(d),
      );
    const found = await load(untimed);
    let fromTimed = 0;
    for (let i = 0; i < timed.length && fromTimed < want; i += want) {
      const docs = await load(timed.slice(i, i + want));
      fromTimed += docs.length;
      found.push(...docs);
    }
    return found;
  }

  private staffView(d: DisputeDoc): Promise<Dispute> {
    return this.deps.disputes.view(d, { id: 'staff', role: 'ops' });
  }

  async search(
    user: User,
    query: unknown,
  ): Promise<{
    disputes: Dispute[];
    nextCursor: string | null;
    mediators: { id: string; name: string }[];
  }> {
    requireRole(user, 'ops', 'admin');
    const q = parse(opsSearchQuerySchema, query);
    const match = searchFilter(q);
    const cursor = q.cursor ? cursors.decode(q.cursor) : null;
    const span = await this.deps.disputes.daySpan();
    const inRange = (d: DisputeDoc) =>
      match.rest(d) &&
      (!cursor ||
        d.sortAt < cursor.at ||
        (d.sortAt.getTime() === cursor.at.getTime() && d._id < cursor.id));
    const keyed = async (dayOrHour: string) =>
      (
        await this.deps.disputes.models.disputes
          .find(match.bucketOf(dayOrHour))
          .lean<DisputeDoc[]>()
      ).filter(inRange);
    const byText = !match.nothing && match.keyWords.length > 0;
    const docs = await newestFirst({
      by: 'sortAt',
      // Within the days that hold disputes (to the end of the last): a cursor or `from`
      // outside them walks nothing extra.
      from: Math.min(
        cursor ? cursor.at.getTime() : Infinity,
        Date.parse(span.last ?? '') + DAY - 1,
      ),
      // sortAt is never before createdAt: a `from` on filing bounds the days to walk too.
      until: Math.max(q.from?.getTime() ?? -Infinity, Date.parse(span.first ?? '')),
      want: q.limit + 1,
      bucket: async (day) =>
        match.nothing
          ? []
          : byText
            ? this.disputesWith(
                match.keyWords,
                day,
                q.limit + 1,
                (d) => match.all(d) && inRange(d),
                cursor,
              )
            : keyed(day),
      // The word index is by day; filters read the newest day hour by hour.
      hourly: match.nothing || byText ? undefined : keyed,
    });
    const page = docs.slice(0, q.limit);
    // Every mediator by name, so results and the mediator filter never show a bare id.
    const mediators = await this.deps.users.model
      .find({ role: 'mediator' }, { name: 1 })
      .sort({ name: 1 })
      .lean<{ _id: unknown; name: string }[]>();
    return {
      disputes: await Promise.all(page.map((d) => this.staffView(d))),
      nextCursor:
        docs.length > q.limit ? cursors.encode(page.at(-1)!.sortAt, page.at(-1)!._id) : null,
      mediators: mediators.map((m) => ({ id: String(m._id), name: m.name })),
    };
  }

  async transcript(user: User, id: string): Promise<Transcript> {
    requireRole(user, 'ops', 'admin');
    const d = await this.deps.disputes.load(id);
    if (!d) throw notFound('dispute');
    const { models } = this.deps.disputes;
    const [perChannel, checks, proposals, audit, feedback, reviews, evidence, people, before] =
      await Promise.all([
        Promise.all(channels.map((c) => this.deps.log.all(id, c))),
        Promise.all(channels.map((c) => this.deps.log.verify(id, c))),
        models.proposals.find({ disputeId: id }).lean<ProposalDoc[]>(),
        this.deps.disputes.events(id),
        Promise.all(
          [d.clientId, d.freelancerId].map((u) =>
            models.feedback.findById(`${id}:${u}`).lean<FeedbackDoc>(),
          ),
        ),
        this.models.reviews.find({ disputeId: id }).lean<ReviewDoc[]>(),
        this.deps.evidence.forTranscript(id),
        this.deps.users.byIds([d.clientId, d.freelancerId, ...new Set(await this.mediatorsOf(id))]),
        this.deps.history.ofContract(d.contractId),
      ]);
    const broken = checks
      .filter((c) => !c.verified)
      .map((c) => ({ channel: c.channel, seq: c.brokenAt ?? 0 }));
    return {
      dispute: await this.staffView(d),
      participants: Object.fromEntries(
        people.map((p) => [p.id, { name: p.name, role: p.role, email: p.email }]),
      ),
      messages: perChannel.flat().map(toMessage),
      evidence,
      proposals: proposals
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
        .map(toProposal),
      audit: audit.map((e): AuditEntry => ({
        version: e.version,
        type: e.type,
        actorId: e.actorId,
        from: e.from,
        to: e.to,
        at: e.at.toISOString(),
        note: e.note,
        data: e.data as Record<string, unknown>,
      })),
      feedback: feedback
        .filter((f): f is FeedbackDoc => f !== null)
        .map((f): Feedback => ({
          id: f._id,
          disputeId: f.disputeId,
          userId: f.userId,
          rating: f.rating,
          comment: f.comment,
          createdAt: f.createdAt.toISOString(),
        })),
      reviews: reviews.map(toReview),
      chain: { verified: broken.length === 0, broken },
      history: before.history,
      historyHash: before.hash,
    };
  }

  /** Every mediator who ever held the dispute, from its log. */
  private async mediatorsOf(id: string): Promise<string[]> {
    const events = await this.deps.disputes.events(id);
    return events.flatMap((e) =>
      e.type === 'assigned' && e.data.mediatorId ? [e.data.mediatorId] : [],
    );
  }

  /** One review per reviewer per dispute: a second replaces the first. */
  async review(user: User, id: string, body: unknown): Promise<Review> {
    requireRole(user, 'ops', 'admin');
    if (!(await this.deps.disputes.models.disputes.exists({ _id: id }))) throw notFound('dispute');
    const input = parse(reviewBodySchema, body);
    const _id = `${id}:${user.id}`;
    const now = this.ctx.clock.now();
    const previous = await this.models.reviews.findById(_id).lean<ReviewDoc>();
    const doc: ReviewDoc = {
      _id,
      disputeId: id,
      reviewerId: user.id,
      score: input.score,
      notes: input.notes,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
    };
    await upsertRacing((upsert) =>
      this.models.reviews.collection.replaceOne({ _id } as never, doc as never, { upsert }),
    );
    return toReview(doc);
  }

  /** The dashboard, from the per-day rollups (metrics/rollups.ts). */
  async metrics(user: User, query: unknown): Promise<Metrics> {
    requireRole(user, 'ops', 'admin');
    const q = parse(metricsQuerySchema, query);
    const to = q.to ?? this.ctx.clock.now();
    const from = q.from ?? new Date(to.getTime() - 90 * 86_400_000);
    return this.deps.rollups.metrics(from, to);
  }
}
