import { z } from 'zod';
import {
  externalIdSchema,
  idSchema,
  isoDateSchema,
  labelSchema,
  localeSchema,
  timezoneSchema,
} from './common.js';

export const roles = ['client', 'freelancer', 'mediator', 'ops', 'admin'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export const staffRoles: readonly Role[] = ['mediator', 'ops', 'admin'];

export const emailSchema = z.string().trim().toLowerCase().max(254).pipe(z.email());

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  timezone: z.string(),
  /** The marketplace's id of this user (SSO `sub`), null for users made here. */
  externalId: z.string().nullable(),
});
export type User = z.infer<typeof userSchema>;

export const passwordSchema = z.string().min(8).max(200);

export const createUserBodySchema = z.strictObject({
  email: emailSchema,
  name: labelSchema(120),
  role: roleSchema,
  password: passwordSchema,
  timezone: timezoneSchema.optional(),
  externalId: externalIdSchema.optional(),
});
export type CreateUserBody = z.infer<typeof createUserBodySchema>;

/** `PUT /api/users/by-external/:externalId`: the marketplace mirrors a user (no password). */
export const upsertUserBodySchema = z.strictObject({
  email: emailSchema,
  name: labelSchema(120),
  role: roleSchema,
  timezone: timezoneSchema.optional(),
  locale: localeSchema.optional(),
});
export type UpsertUserBody = z.infer<typeof upsertUserBodySchema>;

export const loginBodySchema = z.strictObject({
  email: emailSchema,
  password: z.string().min(1).max(200),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export const userResponseSchema = z.object({ user: userSchema });

/** `POST /api/auth/sso`: a JWT the marketplace signed for one of its users. */
export const ssoBodySchema = z.strictObject({ token: z.string().min(1).max(8_192) });
/** Its answer: the user, and a bearer token for REST and sockets (12 h, no cookie). */
export const ssoResponseSchema = z.object({ user: userSchema, sessionToken: z.string() });
export type SsoResponse = z.infer<typeof ssoResponseSchema>;

export const createTokenBodySchema = z.strictObject({
  name: labelSchema(100),
});
export const createdTokenSchema = z.object({ id: z.string(), name: z.string(), token: z.string() });
export type CreatedToken = z.infer<typeof createdTokenSchema>;
export const tokenInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: isoDateSchema,
  lastUsedAt: isoDateSchema.nullable(),
});
export type TokenInfo = z.infer<typeof tokenInfoSchema>;

export const userIdParamSchema = idSchema;
