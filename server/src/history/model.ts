import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One message of a contract's conversation before any dispute, imported from the
 * marketplace. `_id` = `<contractId>:<externalId>`: importing it again is a duplicate key,
 * which is what makes an import idempotent on FerretDB as on MongoDB; the unique
 * (contractId, externalId) index says the same for anyone reading the schema.
 */
export interface HistoryDoc {
  _id: string;
  contractId: string;
  externalId: string;
  authorId: string;
  body: string;
  sentAt: Date;
  importedAt: Date;
}

const historySchema = new Schema<HistoryDoc>(
  {
    _id: { type: String, required: true },
    contractId: { type: String, required: true, index: true },
    externalId: { type: String, required: true },
    authorId: { type: String, required: true },
    body: { type: String, required: true },
    sentAt: { type: Date, required: true },
    importedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'contract_history' },
);
historySchema.index({ contractId: 1, externalId: 1 }, { unique: true });

export function historyModel(conn: Connection): Model<HistoryDoc> {
  return (
    (conn.models.ContractHistory as Model<HistoryDoc> | undefined) ??
    conn.model<HistoryDoc>('ContractHistory', historySchema)
  );
}
