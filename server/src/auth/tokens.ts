import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Schema, type Model } from 'mongoose';
import { createTokenBodySchema, type CreatedToken, type TokenInfo } from '@dispute-room/shared';
import type { Context } from '../context.js';
import type { EventBus } from '../events/bus.js';
import { notFound, parse } from '../http/errors.js';

interface TokenDoc {
  _id: string;
  userId: string;
  name: string;
  secretHash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const tokenSchema = new Schema<TokenDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true, index: true },
    name: { type: String, required: true },
    secretHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    lastUsedAt: { type: Date, default: null },
  },
  { versionKey: false, collection: 'tokens' },
);

const PREFIX = 'drt';
// `drt_<id>_<secret>`: the id makes lookup a primary-key read; only a hash of the secret is kept.
const tokenPattern = /^drt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** `drs_<id>_<secret>`: a sign-on session, kept in Redis only, for its lifetime. */
const sessionPattern = /^drs_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** How long an instance answers a personal token from memory (a lost revocation's bound). */
const TOKEN_CACHE_MS = 60_000;

/** How long a sign-on session token works (api.md: 12 h). */
export const SESSION_TOKEN_TTL_MS = 12 * 3_600_000;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

type KnownToken = Pick<TokenDoc, '_id' | 'userId' | 'secretHash' | 'lastUsedAt'>;

export class TokenService {
  private readonly model: Model<TokenDoc>;
  /**
   * Personal tokens are presented on every request and socket handshake of an integration,
   * and after a restart every socket of a token presents it again: a per-instance cache saves
   * those reads (concurrent misses share one). A revocation drops the entry here at once and
   * on the other instances through `token.revoked`; the TTL bounds what a lost announcement
   * could leave. Only the secret's hash is kept, as in the database.
   */
  private readonly known = new LRUCache<string, KnownToken>({
    max: 50_000,
    ttl: TOKEN_CACHE_MS,
    ignoreFetchAbort: true,
    fetchMethod: async (id) =>
      (await this.model
        .findById(id, { userId: 1, secretHash: 1, lastUsedAt: 1 })
        .lean<KnownToken>()) ?? undefined,
  });

  constructor(
    private readonly ctx: Context,
    private readonly events: EventBus,
  ) {
    this.model =
      (ctx.conn.models.Token as Model<TokenDoc> | undefined) ??
      ctx.conn.model<TokenDoc>('Token', tokenSchema);
  }

  async create(userId: string, body: unknown): Promise<CreatedToken> {
    const { name } = parse(createTokenBodySchema, body);
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    await this.model.create({
      _id: id,
      userId,
      name,
      secretHash: sha256(secret).toString('hex'),
      createdAt: new Date(),
      lastUsedAt: null,
    });
    return { id, name, token: `${PREFIX}_${id}_${secret}` };
  }

  async list(userId: string): Promise<TokenInfo[]> {
    const docs = await this.model.find({ userId }).sort({ createdAt: 1 }).lean();
    return docs.map((d) => ({
      id: d._id,
      name: d.name,
      createdAt: d.createdAt.toISOString(),
      lastUsedAt: d.lastUsedAt?.toISOString() ?? null,
    }));
  }

  /** Revokes one of the user's tokens; someone else's token is "not found". */
  async revoke(userId: string, tokenId: string): Promise<void> {
    const doc = await this.model.findById(tokenId).lean();
    if (!doc || doc.userId !== userId) throw notFound('token');
    await this.model.deleteOne({ _id: tokenId });
    this.forget(tokenId);
    this.events.publish('token.revoked', { tokenId });
  }

  /** Drops this instance's copy of a token (revoked here or on another instance). */
  forget(tokenId: string): void {
    this.known.delete(tokenId);
  }

  private sessionKey(id: string): string {
    return `${this.ctx.config.REDIS_PREFIX}sso-session:${id}`;
  }

  /**
   * A bearer token for a user signed on by the marketplace: valid SESSION_TOKEN_TTL_MS, for
   * REST and sockets alike, never listed with the personal tokens. It lives in Redis with that
   * expiry, so every page view's sign-on leaves nothing behind in the database.
   */
  async createSession(userId: string): Promise<string> {
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const value = JSON.stringify({ userId, secretHash: sha256(secret).toString('hex') });
    await this.ctx.redis.main.set(this.sessionKey(id), value, 'PX', SESSION_TOKEN_TTL_MS);
    return `drs_${id}_${secret}`;
  }

  private async resolveSession(token: string): Promise<{ userId: string; tokenId: string } | null> {
    const m = sessionPattern.exec(token);
    if (!m?.[1] || !m[2]) return null;
    const raw = await this.ctx.redis.main.get(this.sessionKey(m[1]));
    if (!raw) return null;
    const { userId, secretHash } = JSON.parse(raw) as { userId: string; secretHash: string };
    const given = sha256(m[2]);
    const stored = Buffer.from(secretHash, 'hex');
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) return null;
    return { userId, tokenId: `s${m[1]}` };
  }

  /** The owner of a presented token (personal or sign-on session), or null. */
  async resolve(token: string): Promise<{ userId: string; tokenId: string } | null> {
    if (token.startsWith('drs_')) return this.resolveSession(token);
    const m = tokenPattern.exec(token);
    if (!m?.[1] || !m[2]) return null;
    const doc = await this.known.fetch(m[1]);
    if (!doc) return null;
    const given = sha256(m[2]);
    const stored = Buffer.from(doc.secretHash, 'hex');
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) return null;
    // Record use at most once a minute: a write per request would cost more than it tells.
    const now = new Date();
    if (!doc.lastUsedAt || now.getTime() - doc.lastUsedAt.getTime() > 60_000) {
      doc.lastUsedAt = now;
      void this.model
        .updateOne({ _id: doc._id }, { lastUsedAt: now })
        .catch((err: unknown) => this.ctx.log.warn({ err }, 'could not record token use'));
    }
    return { userId: doc.userId, tokenId: doc._id };
  }
}
