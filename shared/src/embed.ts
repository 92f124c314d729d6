import { z } from 'zod';
import { localeSchema } from './common.js';

/**
 * The embedded room and its host page talk by postMessage. Every message says who sent it
 * (`source`), and each side checks the other's origin: the room only listens to (and posts
 * to) origins in EMBED_ORIGINS, the host script only to the room's own origin.
 */
export const EMBED_SOURCE = 'dispute-room';
export const HOST_SOURCE = 'dispute-room-host';

/** What the room tells its host. */
export const embedEventTypes = ['ready', 'resize', 'unread', 'state'] as const;
export type EmbedEventType = (typeof embedEventTypes)[number];

/** A CSS value a host may set: colours, lengths and font stacks, nothing that ends a rule. */
const cssValue = z
  .string()
  .max(200)
  .regex(/^[#(),.%\w\s'"/+-]+$/, 'must be a plain CSS value');

/** `theme` of DisputeRoom.mount: the room's colours and font, as CSS variables. */
export const embedThemeSchema = z.strictObject({
  accent: cssValue.optional(),
  background: cssValue.optional(),
  surface: cssValue.optional(),
  text: cssValue.optional(),
  muted: cssValue.optional(),
  border: cssValue.optional(),
  font: cssValue.optional(),
  radius: cssValue.optional(),
});
export type EmbedTheme = z.infer<typeof embedThemeSchema>;

/** The host hands over the sign-on token (never in the URL) and the look. */
export const hostInitSchema = z.object({
  source: z.literal(HOST_SOURCE),
  type: z.literal('init'),
  ssoToken: z.string().min(1).max(8_192),
  locale: localeSchema.optional(),
  theme: embedThemeSchema.optional(),
});
export type HostInit = z.infer<typeof hostInitSchema>;

/** Which CSS variable of the room each theme field sets. */
export const embedThemeVariables: Record<keyof EmbedTheme, string[]> = {
  accent: ['--accent', '--accent-hover'],
  background: ['--bg'],
  surface: ['--surface', '--surface-2'],
  text: ['--text', '--text-2'],
  muted: ['--muted'],
  border: ['--border', '--border-strong'],
  font: ['--font'],
  radius: ['--radius', '--radius-lg'],
};
