import { createHash } from 'node:crypto';
import {
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWTHeaderParameters,
  type JWTPayload,
  type FlattenedJWSInput,
  type KeyObject,
  type CryptoKey,
} from 'jose';
import { z } from 'zod';
import {
  emailSchema,
  externalIdSchema,
  labelSchema,
  localeSchema,
  roleSchema,
  timezoneSchema,
  type Role,
} from '@dispute-room/shared';
import type { Context } from '../context.js';
import { AppError } from '../http/errors.js';
import type { ExternalProfile } from '../users/service.js';

/** The furthest ahead a sign-on token may expire (api.md: 10 minutes). */
export const SSO_MAX_LIFETIME_SEC = 600;
/** Clock skew forgiven between the marketplace and us, on `exp` and `nbf`. */
const SKEW_SEC = 5;
/** Key types the JWKS may hold; HS256 is only ever checked against SSO_JWT_SECRET. */
const ASYMMETRIC = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];

/** What a sign-on token must say about its user. */
const claimsSchema = z.object({
  sub: externalIdSchema,
  email: emailSchema,
  name: labelSchema(120),
  role: roleSchema,
  tz: timezoneSchema.optional(),
  locale: localeSchema.optional(),
  jti: z.string().min(1).max(200),
  exp: z.number(),
});

export interface SsoIdentity {
  externalId: string;
  profile: ExternalProfile;
}

const refused = (message: string) => new AppError('unauthorized', message);

type KeyLookup = (
  header: JWTHeaderParameters,
  token: FlattenedJWSInput,
) => Promise<KeyObject | CryptoKey | Uint8Array>;

/**
 * Verifies the marketplace's sign-on tokens (jose): the signature (HS256 with SSO_JWT_SECRET,
 * or a key of SSO_JWKS_URL chosen by `kid`, the set cached and fetched again when an unknown
 * `kid` appears), `iss`, `aud`, an `exp` no more than 10 minutes ahead, the claims, the role;
 * only then is the `jti` spent (Redis SET NX until the token expires), so a refused token
 * never uses up its id, and an accepted one works once.
 */
export class SsoVerifier {
  private readonly secret: Uint8Array | null;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | null;

  constructor(private readonly ctx: Context) {
    const c = ctx.config;
    this.secret = c.SSO_JWT_SECRET ? new TextEncoder().encode(c.SSO_JWT_SECRET) : null;
    this.jwks = c.SSO_JWKS_URL
      ? createRemoteJWKSet(new URL(c.SSO_JWKS_URL), {
          cooldownDuration: c.SSO_JWKS_COOLDOWN_MS,
          timeoutDuration: 5_000,
        })
      : null;
  }

  get configured(): boolean {
    const c = this.ctx.config;
    return Boolean((this.secret || this.jwks) && c.SSO_ISSUER && c.SSO_AUDIENCE);
  }

  private readonly key: KeyLookup = async (header, token) => {
    if (header.alg === 'HS256' && this.secret) return this.secret;
    if (this.jwks && ASYMMETRIC.includes(header.alg)) return this.jwks(header, token);
    throw refused(`tokens signed with ${header.alg} are not accepted`);
  };

  /** The identity a token vouches for; 401 (403 for a role not allowed) without side effects. */
  async check(token: string): Promise<{ identity: SsoIdentity; spend: () => Promise<void> }> {
    const c = this.ctx.config;
    if (!this.configured) throw refused('single sign-on is not configured');
    const now = this.ctx.clock.now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        issuer: c.SSO_ISSUER,
        audience: c.SSO_AUDIENCE,
        requiredClaims: ['exp', 'jti', 'sub'],
        currentDate: now,
        clockTolerance: SKEW_SEC,
      }));
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw refused(describe(err));
    }
    const nowSec = Math.floor(now.getTime() / 1000);
    if ((payload.exp ?? 0) > nowSec + SSO_MAX_LIFETIME_SEC + SKEW_SEC) {
      throw refused(`the token may expire at most ${SSO_MAX_LIFETIME_SEC / 60} minutes ahead`);
    }
    const parsed = claimsSchema.safeParse(payload);
    if (!parsed.success) {
      throw new AppError(
        'unauthorized',
        'the token lacks a claim or has a bad one',
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      );
    }
    const claims = parsed.data;
    if (!this.allowed(claims.role)) {
      throw new AppError('forbidden', `sign-on is not open to the ${claims.role} role`);
    }
    const identity: SsoIdentity = {
      externalId: claims.sub,
      profile: {
        email: claims.email,
        name: claims.name,
        role: claims.role,
        ...(claims.tz ? { timezone: claims.tz } : {}),
        ...(claims.locale ? { locale: claims.locale } : {}),
      },
    };
    const ttlMs = Math.max(1_000, (claims.exp + SKEW_SEC) * 1000 - now.getTime());
    return { identity, spend: () => this.spend(`${payload.iss ?? ''}\n${claims.jti}`, ttlMs) };
  }

  private allowed(role: Role): boolean {
    return role === 'client' || role === 'freelancer' || this.ctx.config.ssoRoles.includes(role);
  }

  /** Marks a token id used until the token has expired anyway; a second use is refused. */
  private async spend(id: string, ttlMs: number): Promise<void> {
    const key = `${this.ctx.config.REDIS_PREFIX}sso-jti:${createHash('sha256').update(id).digest('hex')}`;
    const set = await this.ctx.redis.main.set(key, '1', 'PX', ttlMs, 'NX');
    if (set !== 'OK') throw refused('this token was already used');
  }
}

/** jose's reasons, in words for the caller (never the token itself). */
function describe(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    return `the token's ${err.claim} claim is not accepted`;
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad token signature';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'no key matches the token';
  if (err instanceof joseErrors.JOSEError) return 'the token is not valid';
  return 'the token could not be verified';
}
