import { Schema, type Connection, type Model } from 'mongoose';
import { insertNew } from '../db/mongo.js';

/**
 * Work owed after a fact: one entry per job that must run, written before the fact itself is
 * stored (so a stored fact always has its entries) and removed when its job has run. The
 * collection holds only work in flight, never history: reading it whole stays cheap at any
 * age of the database, on FerretDB's SQLite handler too. Jobs lost with Redis (a flush, a
 * crash between storing and enqueuing) are enqueued again from here.
 */
export interface OutboxDoc {
  /** The job id: derived from the fact, so owing or enqueuing twice is one job. */
  _id: string;
  queue: string;
  name: string;
  data: Record<string, string>;
  /** When it was owed, by the real clock (operational time, not the domain's). */
  at: Date;
}

const outboxSchema = new Schema<OutboxDoc>(
  {
    _id: { type: String, required: true },
    queue: { type: String, required: true, index: true },
    name: { type: String, required: true },
    data: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'outbox', minimize: false },
);

/** BullMQ job ids may not contain ':', which our fact ids (`<dispute>:<version>`) do. */
export const jobIdOf = (factId: string, listener: string) =>
  `${factId.replace(/:/g, '.')}.${listener}`;

export class Outbox {
  readonly model: Model<OutboxDoc>;
  /** Durable follow-ups of every dispute event, by name (registered at start). */
  private readonly eventListeners: string[] = [];

  constructor(conn: Connection) {
    this.model =
      (conn.models.Outbox as Model<OutboxDoc> | undefined) ??
      conn.model<OutboxDoc>('Outbox', outboxSchema);
  }

  /** A job every dispute event owes from now on, run in the `facts` queue under this name. */
  followEvents(listener: string): void {
    this.eventListeners.push(listener);
  }

  get eventFollowers(): readonly string[] {
    return this.eventListeners;
  }

  /** Before storing a dispute event: the jobs it owes. */
  async oweForEvent(eventId: string): Promise<void> {
    const at = new Date();
    await this.owe(
      this.eventListeners.map((listener) => ({
        _id: jobIdOf(eventId, listener),
        queue: 'facts',
        name: listener,
        data: { eventId },
        at,
      })),
    );
  }

  /** Owes these jobs (repeats are no-ops). */
  async owe(docs: OutboxDoc[]): Promise<void> {
    await insertNew(this.model.collection, docs);
  }

  async settle(jobId: string): Promise<void> {
    await this.model.deleteOne({ _id: jobId });
  }

  /**
   * Everything still owed to these queues that was owed before `before`, oldest first: one
   * pushed-down equality per queue, so the reminders owed for days are not read with the
   * jobs owed for seconds.
   */
  async owedBefore(before: Date, queues: readonly string[]): Promise<OutboxDoc[]> {
    const docs = (
      await Promise.all(queues.map((queue) => this.model.find({ queue }).lean<OutboxDoc[]>()))
    ).flat();
    return docs.filter((d) => d.at < before).sort((a, b) => a.at.getTime() - b.at.getTime());
  }
}
