import { z } from 'zod';
import { idSchema, isoDateSchema, labelSchema } from './common.js';

export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');

export const createContractBodySchema = z.strictObject({
  title: labelSchema(200),
  clientId: idSchema,
  freelancerId: idSchema,
  escrowCents: z.number().int().min(1).max(100_000_000_00),
  currency: currencySchema,
});
export type CreateContractBody = z.infer<typeof createContractBodySchema>;

export const contractSchema = z.object({
  id: z.string(),
  title: z.string(),
  clientId: z.string(),
  freelancerId: z.string(),
  escrowCents: z.number().int(),
  currency: z.string(),
  createdAt: isoDateSchema,
});
export type Contract = z.infer<typeof contractSchema>;
