import { Schema, type Connection, type Model } from 'mongoose';
import type { Role } from '@dispute-room/shared';

export interface UserDoc {
  _id: string;
  email: string;
  name: string;
  role: Role;
  timezone: string;
  /** Null for users who only sign in through the marketplace (SSO): no password works. */
  passwordHash: string | null;
  /**
   * The marketplace's id, absent (never null) when unset: the index is sparse, and a null
   * would be indexed and collide with the next one, on MongoDB and FerretDB alike.
   */
  externalId?: string;
  createdAt: Date;
}

const userSchema = new Schema<UserDoc>(
  {
    _id: { type: String, required: true },
    email: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    role: { type: String, required: true, index: true },
    timezone: { type: String, required: true },
    passwordHash: { type: String, default: null },
    externalId: { type: String, unique: true, sparse: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'users' },
);

export function userModel(conn: Connection): Model<UserDoc> {
  return (
    (conn.models.User as Model<UserDoc> | undefined) ?? conn.model<UserDoc>('User', userSchema)
  );
}
