import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  canonicalHistory,
  historyQuerySchema,
  idSchema,
  importHistoryBodySchema,
  type HistoryMessage,
  type HistoryPage,
  type User,
} from '@dispute-room/shared';
import { assertMay, requireRole } from '../auth/policy.js';
import type { Context } from '../context.js';
import type { ContractService } from '../contracts/service.js';
import type { DisputeService } from '../disputes/service.js';
import { insertNew } from '../db/mongo.js';
import { keyCursors } from '../http/cursors.js';
import { AppError, notFound, parse } from '../http/errors.js';
import type { UserService } from '../users/service.js';
import { historyModel, type HistoryDoc } from './model.js';

const toHistoryMessage = (d: HistoryDoc): HistoryMessage => ({
  externalId: d.externalId,
  authorId: d.authorId,
  body: d.body,
  sentAt: d.sentAt.toISOString(),
});

/** A page boundary: (sentAt, _id) of the message it is next to. */
const cursors = keyCursors(z.string().min(1).max(200));
const encodeCursor = (d: HistoryDoc) => cursors.encode(d.sentAt, d._id);

/**
 * The conversation a contract's parties had on the marketplace before a dispute: imported
 * by the marketplace (idempotent by its message ids), read with the dispute by whoever may
 * read its joint channel, and part of the transcript with a hash over it.
 */
export class HistoryService {
  private readonly model;

  constructor(
    private readonly ctx: Context,
    private readonly deps: {
      contracts: ContractService;
      disputes: DisputeService;
      users: UserService;
    },
  ) {
    this.model = historyModel(ctx.conn);
  }

  /** `POST /api/contracts/:id/history`: checked whole before anything is stored. */
  async import(
    user: User,
    contractId: string,
    body: unknown,
  ): Promise<{ imported: number; skipped: number }> {
    requireRole(user, 'admin');
    const contract = idSchema.safeParse(contractId).success
      ? await this.deps.contracts.byId(contractId)
      : null;
    if (!contract) throw notFound('contract');
    const { messages } = parse(importHistoryBodySchema, body);
    const authors = new Map<string, string | null>();
    for (const ext of new Set(messages.map((m) => m.authorExternalId))) {
      const author = await this.deps.users.byExternalId(ext);
      const party = author && [contract.clientId, contract.freelancerId].includes(author.id);
      authors.set(ext, party ? author.id : null);
    }
    const problems = messages.flatMap((m, i) =>
      authors.get(m.authorExternalId)
        ? []
        : [
            {
              path: `messages.${i}.authorExternalId`,
              message: "must be the external id of the contract's client or freelancer",
            },
          ],
    );
    if (problems.length) throw new AppError('validation_failed', 'request is invalid', problems);
    const importedAt = this.ctx.clock.now();
    const docs: HistoryDoc[] = messages.map((m) => ({
      _id: `${contractId}:${m.externalId}`,
      contractId,
      externalId: m.externalId,
      authorId: authors.get(m.authorExternalId)!,
      body: m.body,
      sentAt: new Date(m.sentAt),
      importedAt,
    }));
    // Messages imported before are the duplicates; anything else fails.
    const skipped = await insertNew(this.model.collection, docs);
    return { imported: docs.length - skipped, skipped };
  }

  /** `GET /api/disputes/:id/history`: for whoever may read the dispute's joint channel. */
  async page(user: User, disputeId: string, query: unknown): Promise<HistoryPage> {
    const { dispute, relation } = await this.deps.disputes.visible(user, disputeId);
    assertMay('read_history', user, relation, dispute);
    const q = parse(historyQuerySchema, query);
    if (q.cursor && q.before) {
      throw new AppError('validation_failed', 'request is invalid', [
        { path: 'before', message: 'give cursor or before, not both' },
      ]);
    }
    const base = { contractId: dispute.contractId };
    const backward = Boolean(q.before) || q.latest === 'true';
    const bound = q.before
      ? cursors.decode(q.before, 'before')
      : q.cursor
        ? cursors.decode(q.cursor, 'cursor')
        : null;
    // Keyed by (sentAt, _id), never skip; the contract's equality is what the index serves.
    const filter = bound
      ? {
          ...base,
          $or: backward
            ? [{ sentAt: { $lt: bound.at } }, { sentAt: bound.at, _id: { $lt: bound.id } }]
            : [{ sentAt: { $gt: bound.at } }, { sentAt: bound.at, _id: { $gt: bound.id } }],
        }
      : base;
    const order = backward ? -1 : 1;
    const docs = await this.model
      .find(filter)
      .sort({ sentAt: order, _id: order })
      .limit(q.limit + 1)
      .lean<HistoryDoc[]>();
    const more = docs.length > q.limit;
    const page = docs.slice(0, q.limit);
    if (backward) page.reverse();
    const first = page[0];
    const last = page.at(-1);
    return {
      messages: page.map(toHistoryMessage),
      nextCursor: last && (backward ? Boolean(bound) : more) ? encodeCursor(last) : null,
      prevCursor: first && (backward ? more : Boolean(bound)) ? encodeCursor(first) : null,
    };
  }

  /** The whole history of a dispute's contract, in order, with its hash (transcripts). */
  async ofContract(contractId: string): Promise<{ history: HistoryMessage[]; hash: string }> {
    const docs = await this.model
      .find({ contractId })
      .sort({ sentAt: 1, _id: 1 })
      .lean<HistoryDoc[]>();
    const history = docs.map(toHistoryMessage);
    const hash = createHash('sha256').update(canonicalHistory(history)).digest('hex');
    return { history, hash };
  }
}
