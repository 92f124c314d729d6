import { z } from 'zod';

/** Ids are opaque strings; a bounded charset keeps Mongo operators and huge keys out. */
export const idSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be an id');

export const isoDateSchema = z.string();

export const centsSchema = z.number().int().min(0).max(1_000_000_000_00);

/** Validates an IANA zone name by asking the runtime's Intl database. */
export const timezoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone name');
