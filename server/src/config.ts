import { z } from 'zod';
import { roles, type Role } from '@dispute-room/shared';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Every environment variable the server reads. The README's table mirrors this. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  MONGODB_URI: z.url({ protocol: /^mongodb(\+srv)?$/ }).optional(),
  MONGODB_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/)
    .default('dispute_room'),
  DATA_DIR: z.string().min(1).optional(),
  /**
   * The embedded FerretDB's backend. auto: a private PostgreSQL when its server binaries are
   * installed (or FERRETDB_POSTGRESQL_URL's), SQLite otherwise.
   */
  FERRETDB_HANDLER: z.enum(['auto', 'sqlite', 'postgresql']).default('auto'),
  /** A PostgreSQL of yours for the embedded FerretDB; unset: the private one it starts. */
  FERRETDB_POSTGRESQL_URL: z.string().optional(),
  /** PostgreSQL's server binaries (initdb, postgres); unset: Debian's newest. */
  POSTGRES_BIN_DIR: z.string().min(1).optional(),
  EMBEDDED_RESTART_ATTEMPTS: int(0, 1000).default(10),

  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  REDIS_PREFIX: z.string().max(64).default('dr:'),

  SESSION_SECRET: z.string().min(16).optional(),
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  TRUST_PROXY: z.string().default('loopback'),
  ALLOWED_ORIGINS: z.string().default(''),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'like 1mb or 200kb')
    .default('1mb'),
  HTTP_HEADERS_TIMEOUT_MS: int(100, 600_000).default(20_000),
  HTTP_REQUEST_TIMEOUT_MS: int(100, 3_600_000).default(60_000),
  HTTP_KEEPALIVE_TIMEOUT_MS: int(100, 600_000).default(5_000),
  UPLOAD_MIN_BYTES_PER_WINDOW: int(1, 100 * 1024 * 1024).default(16 * 1024),
  UPLOAD_RATE_WINDOW_MS: int(100, 600_000).default(10_000),
  CLIENT_DIST: z.string().optional(),

  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(8).optional(),
  SEED_DEMO: bool.optional(),

  LOGIN_FAILURES_PER_ACCOUNT_IP: int(1, 1_000_000).default(5),
  LOGIN_LIMIT_WINDOW_SEC: int(1, 86_400).default(900),
  LOGIN_FAILURES_PER_IP_PER_DAY: int(1, 1_000_000).default(100),
  MESSAGE_LIMIT_PER_MIN: int(1, 1_000_000).default(120),
  UPLOAD_LIMIT_PER_HOUR: int(1, 1_000_000).default(60),
  JOIN_LIMIT_PER_MIN: int(1, 1_000_000).default(120),
  SOCKETS_PER_USER: int(1, 1_000_000).default(50),
  SOCKETS_PER_TOKEN: int(1, 1_000_000).default(20),
  SOCKET_MAX_PAYLOAD_BYTES: int(1_024, 100 * 1024 * 1024).default(64 * 1024),

  RESPOND_BUSINESS_DAYS: int(1, 365).default(5),
  MEDIATION_DAYS: int(1, 3650).default(30),
  SWEEP_INTERVAL_MS: int(0, 86_400_000).default(60_000),
  /** How often owed jobs whose BullMQ job is missing are enqueued again (0: only at start). */
  OUTBOX_REPAIR_MS: int(0, 86_400_000).default(30_000),
  /** An owed job younger than this is left to its normal enqueue (it may be on its way). */
  OUTBOX_REPAIR_AGE_MS: int(0, 86_400_000).default(30_000),
  /** Build missing read models (a database from before them) in the background at start. */
  READ_MODELS_AT_START: bool.default(true),
  /** Tests and demos only: shifts the server's clock (deadlines, timestamps) by this much. */
  CLOCK_OFFSET_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(10 * 365 * 86_400_000)
    .default(0),
  PRESENCE_SWEEP_MS: int(0, 3_600_000).default(15_000),

  WEBHOOK_MAX_ATTEMPTS: int(1, 50).default(6),
  WEBHOOK_BACKOFF_MS: int(1, 3_600_000).default(2_000),
  /** Failed attempts in a row after which a webhook is switched off (its owner is told). */
  WEBHOOK_DISABLE_AFTER_FAILURES: int(1, 1_000_000).default(25),
  /** The longest wait between two attempts, however many failed. */
  WEBHOOK_BACKOFF_MAX_MS: int(1, 86_400_000).default(3_600_000),
  WEBHOOK_TIMEOUT_MS: int(100, 60_000).default(5_000),

  /** Outgoing mail: `smtp://host:port` or `smtps://…` (credentials in the URL). */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).max(320).default('The dispute room <no-reply@dispute-room.test>'),
  /** Where links in mail point (the client's origin as its users reach it). */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Replies by email go to reply+<token>@REPLY_DOMAIN; unset: mail carries no Reply-To. */
  REPLY_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+\.[a-z]{2,}$|^localhost$/i, 'a domain name')
    .optional(),
  /** Inbound replies over SMTP on this port (unset: off). */
  SMTP_INBOUND_PORT: int(0, 65535).optional(),
  MAIL_MAX_ATTEMPTS: int(1, 50).default(8),
  MAIL_BACKOFF_MS: int(1, 3_600_000).default(5_000),
  /** The embedded mail catcher's web page (without SMTP_URL, `pnpm start` only). */
  MAIL_CATCHER_PORT: int(0, 65535).default(1080),

  /** Single sign-on: the marketplace's HS256 secret (or keys from SSO_JWKS_URL, or both). */
  SSO_JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  SSO_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** A token whose `kid` is not in the cached key set fetches it again at most this often. */
  SSO_JWKS_COOLDOWN_MS: int(0, 3_600_000).default(30_000),
  SSO_ISSUER: z.string().min(1).max(500).optional(),
  SSO_AUDIENCE: z.string().min(1).max(500).optional(),
  /** Roles besides client and freelancer that a sign-on token may carry (comma-separated). */
  SSO_ROLES: z.string().default(''),
  /** Origins whose pages may frame `/embed/disputes/:id` (comma-separated). */
  EMBED_ORIGINS: z.string().default(''),
  /** The dev-only demo marketplace of `pnpm start` (development, no SSO set): its port. */
  DEMO_HOST_PORT: int(0, 65535).default(3001),

  EVIDENCE_MAX_BYTES: int(1, 1024 * 1024 * 1024).default(25 * 1024 * 1024),
  EVIDENCE_TYPES: z.string().default('png,jpg,gif,webp,pdf,txt,csv,zip,docx,xlsx'),
});

export type Env = z.infer<typeof envSchema>;

export interface Config extends Env {
  allowedOrigins: string[];
  /** Staff roles a sign-on token may carry besides client and freelancer. */
  ssoRoles: Role[];
  embedOrigins: string[];
  /** Dev default only: production refuses to start without SESSION_SECRET. */
  sessionSecret: string;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/** `scheme://host[:port]` and nothing more: what a browser sends as an Origin. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) && url.origin === value;
  } catch {
    return false;
  }
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "unset", as in most twelve-factor setups.
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`),
    );
  }
  const env = parsed.data;
  if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
    throw new ConfigError(['SESSION_SECRET: required when NODE_ENV=production']);
  }
  const ssoRoles = list(env.SSO_ROLES);
  const embedOrigins = list(env.EMBED_ORIGINS);
  const problems = [
    ...ssoRoles
      .filter((r) => !(roles as readonly string[]).includes(r))
      .map((r) => `SSO_ROLES: ${r} is not a role (${roles.join(', ')})`),
    ...embedOrigins
      .filter((o) => !isOrigin(o))
      .map((o) => `EMBED_ORIGINS: ${o} is not an origin like https://market.example`),
  ];
  if (problems.length) throw new ConfigError(problems);
  return {
    ...env,
    allowedOrigins: list(env.ALLOWED_ORIGINS),
    ssoRoles: ssoRoles as Role[],
    embedOrigins,
    sessionSecret: env.SESSION_SECRET ?? 'dev-only-insecure-session-secret',
  };
}
