import { Schema, type Connection, type Model } from 'mongoose';

export interface ContractDoc {
  _id: string;
  title: string;
  clientId: string;
  freelancerId: string;
  escrowCents: number;
  currency: string;
  /** The marketplace's id: absent (never null) when unset, for the sparse unique index. */
  externalId?: string;
  category?: string | null;
  createdAt: Date;
}

const contractSchema = new Schema<ContractDoc>(
  {
    _id: { type: String, required: true },
    title: { type: String, required: true },
    clientId: { type: String, required: true, index: true },
    freelancerId: { type: String, required: true, index: true },
    escrowCents: { type: Number, required: true },
    currency: { type: String, required: true },
    externalId: { type: String, unique: true, sparse: true },
    category: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'contracts' },
);

export function contractModel(conn: Connection): Model<ContractDoc> {
  return (
    (conn.models.Contract as Model<ContractDoc> | undefined) ??
    conn.model<ContractDoc>('Contract', contractSchema)
  );
}
