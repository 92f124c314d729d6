import { z } from 'zod';

export const healthSchema = z.object({
  ok: z.boolean(),
  mongo: z.enum(['up', 'down']),
  redis: z.enum(['up', 'down', 'disabled']),
});
export type Health = z.infer<typeof healthSchema>;
