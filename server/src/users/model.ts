import { Schema, type Connection, type Model } from 'mongoose';
import type { Role } from '@dispute-room/shared';

export interface UserDoc {
  _id: string;
  email: string;
  name: string;
  role: Role;
  timezone: string;
  passwordHash: string;
  createdAt: Date;
}

const userSchema = new Schema<UserDoc>(
  {
    _id: { type: String, required: true },
    email: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    role: { type: String, required: true, index: true },
    timezone: { type: String, required: true },
    passwordHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'users' },
);

export function userModel(conn: Connection): Model<UserDoc> {
  return (
    (conn.models.User as Model<UserDoc> | undefined) ?? conn.model<UserDoc>('User', userSchema)
  );
}
