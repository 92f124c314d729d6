import { z } from 'zod';
import { externalIdSchema, idSchema, isoDateSchema, labelSchema } from './common.js';

export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');

export const createContractBodySchema = z.strictObject({
  title: labelSchema(200),
  clientId: idSchema,
  freelancerId: idSchema,
  escrowCents: z.number().int().min(1).max(100_000_000_00),
  currency: currencySchema,
  externalId: externalIdSchema.optional(),
  /** Free text such as "web development" (trends group by it). */
  category: labelSchema(100).optional(),
});
export type CreateContractBody = z.infer<typeof createContractBodySchema>;

/** `PUT /api/contracts/by-external/:externalId`: parties named by their external ids. */
export const upsertContractBodySchema = z.strictObject({
  title: labelSchema(200),
  clientExternalId: externalIdSchema,
  freelancerExternalId: externalIdSchema,
  escrowCents: z.number().int().min(1).max(100_000_000_00),
  currency: currencySchema,
  category: labelSchema(100).optional(),
});
export type UpsertContractBody = z.infer<typeof upsertContractBodySchema>;

export const contractSchema = z.object({
  id: z.string(),
  title: z.string(),
  clientId: z.string(),
  freelancerId: z.string(),
  escrowCents: z.number().int(),
  currency: z.string(),
  externalId: z.string().nullable(),
  category: z.string().nullable(),
  createdAt: isoDateSchema,
});
export type Contract = z.infer<typeof contractSchema>;
