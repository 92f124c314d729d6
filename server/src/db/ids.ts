import { Types } from 'mongoose';

/** A new document id: an ObjectId's hex form, so ids sort by creation time. */
export function newId(): string {
  return new Types.ObjectId().toHexString();
}

/** When an id made by newId() was created. */
export function idTime(id: string): Date {
  return new Types.ObjectId(id).getTimestamp();
}
