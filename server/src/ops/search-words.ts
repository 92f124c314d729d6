import { Schema, type Connection, type Model } from 'mongoose';
import { emptyCollection, insertNew } from '../db/mongo.js';
import type { DisputeDoc } from '../disputes/model.js';
import type { DisputeStore } from '../disputes/store.js';

/** The words a dispute is found by, at most this many (a long description's first ones). */
const MAX_WORDS = 500;

/**
 * The words of a text as search compares them: lower case, NFKC, split on anything that is
 * not a letter or a digit, two characters at least. "D-000123" gives "000123".
 */
export function wordsOf(...texts: string[]): string[] {
  const words = new Set<string>();
  for (const text of texts)
    for (const w of text
      .normalize('NFKC')
      .toLocaleLowerCase()
      .split(/[^\p{L}\p{N}]+/u))
      if (w.length >= 2 && words.size < MAX_WORDS) words.add(w);
  return [...words];
}

export const searchableWords = (d: Pick<DisputeDoc, 'number' | 'contractTitle' | 'description'>) =>
  wordsOf(d.number, d.contractTitle, d.description);

/**
 * One document per (dispute, word), carrying the dispute's `sortDay`: a text search reads,
 * day by day, only the disputes that have its word (two equalities FerretDB pushes down),
 * never every dispute of the day. `_id` = `<disputeId>|<word>`, so writing twice is one.
 * `at` is the dispute's `sortAt`: a search loads a day's disputes newest first, only as many
 * as its page needs (absent on rows written before it was kept: those are all loaded).
 */
export interface SearchWordDoc {
  _id: string;
  disputeId: string;
  word: string;
  day: string;
  at?: Date;
}

/** A dispute a day's word rows name, and its `sortAt` when the row has it. */
export interface WordHit {
  disputeId: string;
  at?: Date;
}

const schema = new Schema<SearchWordDoc>(
  {
    _id: { type: String, required: true },
    disputeId: { type: String, required: true, index: true },
    word: { type: String, required: true },
    day: { type: String, required: true },
    at: { type: Date },
  },
  { versionKey: false, collection: 'search_words' },
);
schema.index({ word: 1, day: 1 });

export class SearchWords {
  readonly model: Model<SearchWordDoc>;

  constructor(
    conn: Connection,
    private readonly deps: { store: DisputeStore },
  ) {
    this.model =
      (conn.models.SearchWord as Model<SearchWordDoc> | undefined) ??
      conn.model<SearchWordDoc>('SearchWord', schema);
  }

  private docsOf(d: DisputeDoc): SearchWordDoc[] {
    return searchableWords(d).map((word) => ({
      _id: `${d._id}|${word}`,
      disputeId: d._id,
      word,
      day: d.sortDay,
      at: d.sortAt,
    }));
  }

  /**
   * The `search` follow-up of a dispute event: its words, filed under its current day. The
   * words never change (number, title and description are fixed at filing); the day moves
   * once, when the dispute closes.
   */
  async forEvent(eventId: string): Promise<void> {
    const e = await this.deps.store.event(eventId);
    if (!e) return;
    const d = await this.deps.store.load(e.disputeId);
    if (!d) return;
    if (e.type === 'filed') {
      await insertNew(this.model.collection, this.docsOf(d));
    } else if (e.from !== e.to) {
      await this.model.updateMany({ disputeId: d._id }, { $set: { day: d.sortDay, at: d.sortAt } });
    }
  }

  /** The disputes of one day that have this word (at most `limit` of them, when given). */
  async on(word: string, day: string, limit?: number): Promise<WordHit[]> {
    const query = this.model.find({ word, day }, { disputeId: 1, at: 1 });
    if (limit !== undefined) query.limit(limit);
    const rows = await query.lean<Pick<SearchWordDoc, 'disputeId' | 'at'>[]>();
    return rows.map((r) =>
      r.at ? { disputeId: r.disputeId, at: r.at } : { disputeId: r.disputeId },
    );
  }

  /** `pnpm reindex`: every dispute's words again. Returns how many disputes were read. */
  async rebuild(): Promise<number> {
    await emptyCollection(this.model);
    let batch: SearchWordDoc[] = [];
    let n = 0;
    const flush = async () => {
      if (batch.length) await this.model.collection.insertMany(batch as never[]);
      batch = [];
    };
    for await (const d of this.deps.store.models.disputes.find().lean<DisputeDoc>().cursor()) {
      batch.push(...this.docsOf(d as DisputeDoc));
      n += 1;
      if (batch.length >= 5_000) await flush();
    }
    await flush();
    return n;
  }
}
