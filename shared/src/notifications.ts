import { z } from 'zod';
import { isoDateSchema, localeSchema } from './common.js';

export const notificationKinds = [
  'dispute_filed',
  'mediator_assigned',
  'message',
  'proposal',
  'deadline_soon',
  'state_changed',
  'evidence_requested',
  'feedback_request',
  'settlement',
  'rule',
  /** An addition: a webhook switched off after its failures, told to the admin who made it. */
  'webhook_disabled',
] as const;
export const notificationKindSchema = z.enum(notificationKinds);
export type NotificationKind = z.infer<typeof notificationKindSchema>;

export const notificationSchema = z.object({
  id: z.string(),
  kind: notificationKindSchema,
  disputeId: z.string().nullable(),
  title: z.string(),
  body: z.string(),
  url: z.string(),
  createdAt: isoDateSchema,
  readAt: isoDateSchema.nullable(),
});
export type Notification = z.infer<typeof notificationSchema>;

/** Ids are `<userId>_<seq>`: a cursor is the seq the next (older) page starts below. */
export const notificationsQuerySchema = z.object({
  cursor: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const notificationPageSchema = z.object({
  notifications: z.array(notificationSchema),
  nextCursor: z.string().nullable(),
  unreadCount: z.number().int(),
});
export type NotificationPage = z.infer<typeof notificationPageSchema>;

export const markReadBodySchema = z.union([
  z.strictObject({ ids: z.array(z.string().min(1).max(100)).min(1).max(500) }),
  z.strictObject({ all: z.literal(true) }),
]);

export const emailModes = ['immediate', 'digest', 'off'] as const;
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm');

export const preferencesSchema = z.strictObject({
  email: z.enum(emailModes),
  digestMinutes: z.number().int().min(5).max(1440),
  quietHours: z.strictObject({ start: clockTime, end: clockTime }).nullable(),
  locale: localeSchema,
});
export type Preferences = z.infer<typeof preferencesSchema>;

export const defaultPreferences: Preferences = {
  email: 'digest',
  digestMinutes: 15,
  quietHours: null,
  locale: 'en',
};
