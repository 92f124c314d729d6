import { z } from 'zod';
import { labelSchema } from './common.js';

export const macroSchema = z.object({ id: z.string(), title: z.string(), body: z.string() });
export type Macro = z.infer<typeof macroSchema>;

export const createMacroBodySchema = z.strictObject({
  title: labelSchema(200),
  body: z.string().trim().min(1).max(10_000),
});
export const updateMacroBodySchema = createMacroBodySchema.partial();

export const macroPlaceholders = [
  'client.name',
  'freelancer.name',
  'mediator.name',
  'dispute.number',
  'respondBy',
  'mediationEndsBy',
] as const;
export type MacroPlaceholder = (typeof macroPlaceholders)[number];
