import { z } from 'zod';

/** Ids are opaque strings; a bounded charset keeps Mongo operators and huge keys out. */
export const idSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be an id');

export const isoDateSchema = z.string();

/**
 * A marketplace's own id for a user or a contract. It travels in API paths
 * (`/api/users/by-external/:externalId`), so it keeps to what a path segment may hold.
 */
export const externalIdSchema = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, "_" or "-" (at most 80)');

/** A BCP 47 language tag such as `en` or `pt-BR`. */
export const localeSchema = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag like en or pt-BR')
  .max(35);

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

/**
 * Bidirectional controls: embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069)
 * and the invisible direction marks (LRM, RLM, ALM). In a name or a title they reorder what
 * follows, so "Ada\u202Eevil" can pass for someone else; a label never needs one.
 */
export const bidiControls = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A short text shown to others as a label (a person's name, a title): no bidi controls. */
export const labelSchema = (max: number) =>
  z
    .string()
    .overwrite((text) => text.replace(bidiControls, ''))
    .trim()
    .min(1)
    .max(max);
