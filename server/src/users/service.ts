import { LRUCache } from 'lru-cache';
import type { Model } from 'mongoose';
import {
  createUserBodySchema,
  upsertUserBodySchema,
  type Role,
  type User,
} from '@dispute-room/shared';
import { assertStrongPassword, hashPassword } from '../auth/passwords.js';
import { ConfigError } from '../config.js';
import type { Context } from '../context.js';
import { isDuplicateKey } from '../db/mongo.js';
import { newId } from '../db/ids.js';
import type { EventBus } from '../events/bus.js';
import { AppError, conflict, parse } from '../http/errors.js';
import { userModel, type UserDoc } from './model.js';

const USER_CACHE_MS = 60_000;

export function toUser(
  doc: Pick<UserDoc, '_id' | 'email' | 'name' | 'role' | 'timezone' | 'externalId'>,
): User {
  return {
    id: doc._id,
    email: doc.email,
    name: doc.name,
    role: doc.role,
    timezone: doc.timezone,
    externalId: doc.externalId ?? null,
  };
}

/** What the marketplace says about one of its users (an upsert body, or SSO claims). */
export interface ExternalProfile {
  email: string;
  name: string;
  role: Role;
  timezone?: string;
  locale?: string;
}

/** Where a user's language is kept (their notification preferences). */
export interface LocaleSetter {
  setLocale(userId: string, locale: string): Promise<void>;
}

/** A duplicate-key error names the index it hit; which one tells taken email from a race. */
const hitIndex = (err: unknown, field: string) => {
  if (!isDuplicateKey(err)) return false;
  const e = err as { keyPattern?: unknown; message?: string };
  return `${JSON.stringify(e.keyPattern ?? {})} ${e.message ?? ''}`.includes(field);
};

export class UserService {
  readonly model: Model<UserDoc>;

  constructor(
    private readonly ctx: Context,
    private readonly deps: { events: EventBus; locales: LocaleSetter },
  ) {
    this.model = userModel(ctx.conn);
  }

  /** Creates a user from an untrusted body; 409 when the email (or external id) is taken. */
  async create(body: unknown): Promise<User> {
    const input = parse(createUserBodySchema, body);
    await assertStrongPassword(input.password, [input.email, input.name]);
    const doc: UserDoc = {
      _id: newId(),
      email: input.email,
      name: input.name,
      role: input.role,
      timezone: input.timezone ?? 'UTC',
      passwordHash: await hashPassword(input.password),
      ...(input.externalId ? { externalId: input.externalId } : {}),
      createdAt: new Date(),
    };
    try {
      await this.model.create(doc);
    } catch (err) {
      if (isDuplicateKey(err)) {
        throw conflict(
          hitIndex(err, 'externalId') ? 'external id already in use' : 'email already registered',
        );
      }
      throw err;
    }
    return toUser(doc);
  }

  /** `PUT /api/users/by-external/:externalId`: an untrusted body, checked here. */
  async upsertByExternalId(externalId: string, body: unknown): Promise<User> {
    return this.mirror(externalId, parse(upsertUserBodySchema, body));
  }

  /**
   * Creates or updates the user the marketplace knows as `externalId`, idempotently: the same
   * profile twice changes nothing the second time. Two mirrors of a new user at once race on
   * the unique external id; the loser updates what the winner created.
   */
  async mirror(externalId: string, profile: ExternalProfile): Promise<User> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await this.model.findOne({ externalId }, { passwordHash: 0 }).lean();
      try {
        const user = existing
          ? await this.updateMirrored(existing, profile)
          : await this.insertMirrored(externalId, profile);
        if (profile.locale) await this.deps.locales.setLocale(user.id, profile.locale);
        return user;
      } catch (err) {
        if (isDuplicateKey(err) && hitIndex(err, 'email')) {
          throw conflict('email already registered to another user');
        }
        if (!isDuplicateKey(err)) throw err;
        // The external id was taken a moment ago by a concurrent mirror: update it instead.
      }
    }
    throw conflict('the user is changing too fast, try again');
  }

  private async insertMirrored(externalId: string, p: ExternalProfile): Promise<User> {
    const doc: UserDoc = {
      _id: newId(),
      email: p.email,
      name: p.name,
      role: p.role,
      timezone: p.timezone ?? 'UTC',
      passwordHash: null,
      externalId,
      createdAt: new Date(),
    };
    await this.model.collection.insertOne(doc as never);
    return toUser(doc);
  }

  private async updateMirrored(
    existing: Omit<UserDoc, 'passwordHash'>,
    p: ExternalProfile,
  ): Promise<User> {
    const fields = {
      email: p.email,
      name: p.name,
      role: p.role,
      timezone: p.timezone ?? existing.timezone,
    };
    const next = toUser({ ...existing, ...fields });
    const same = (Object.keys(fields) as (keyof typeof fields)[]).every(
      (k) => existing[k] === fields[k],
    );
    if (same) return next;
    await this.model.updateOne({ _id: existing._id }, { $set: fields });
    this.forget(existing._id);
    this.deps.events.publish('user.changed', { userId: existing._id });
    return next;
  }

  /**
   * Users are read on every authenticated request and socket join: a short per-instance
   * cache saves those reads. A change made here drops the entry on every instance
   * (`user.changed`); the TTL bounds what a lost announcement could leave. Concurrent misses
   * share one read (fetch): after a restart every socket of a user asks at once. A load that
   * a change overtakes still answers its callers but is not kept.
   */
  private readonly cache = new LRUCache<string, User>({
    max: 50_000,
    ttl: USER_CACHE_MS,
    // Not allowStaleOnFetchAbort: with it, an overtaken load answers its callers with the
    // stale value, which on a miss is nothing (the dispute or user "not found").
    ignoreFetchAbort: true,
    fetchMethod: async (id) => {
      const doc = await this.model.findById(id, { passwordHash: 0 }).lean();
      return doc ? toUser(doc) : undefined;
    },
  });

  forget(id: string): void {
    this.cache.delete(id);
  }

  async byId(id: string): Promise<User | null> {
    return (await this.cache.fetch(id)) ?? null;
  }

  /** By primary key one at a time: on FerretDB an `$in` would read the whole collection. */
  async byIds(ids: string[]): Promise<User[]> {
    const users = await Promise.all(ids.map((id) => this.byId(id)));
    return users.filter((u): u is User => u !== null);
  }

  /** An indexed equality (the sparse unique index on externalId). */
  async byExternalId(externalId: string): Promise<User | null> {
    const doc = await this.model.findOne({ externalId }, { passwordHash: 0 }).lean();
    return doc ? toUser(doc) : null;
  }

  async credentialsByEmail(email: string): Promise<UserDoc | null> {
    return this.model.findOne({ email }).lean();
  }

  /** Everyone with a role (an indexed equality): staff a notification goes to. */
  async idsWithRole(role: Role): Promise<string[]> {
    const docs = await this.model.find({ role }, { _id: 1 }).lean();
    return docs.map((d) => String(d._id));
  }

  async anyWithRole(role: Role): Promise<boolean> {
    return (await this.model.exists({ role })) !== null;
  }

  /** ADMIN_EMAIL/ADMIN_PASSWORD: create the first admin when there is none. */
  async bootstrapAdmin(): Promise<void> {
    const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = this.ctx.config;
    if (!email || !password || (await this.anyWithRole('admin'))) return;
    try {
      await this.create({ email, password, name: 'Administrator', role: 'admin' });
      this.ctx.log.info({ email }, 'created the bootstrap admin');
    } catch (err) {
      // Another instance starting at the same moment won the unique email insert.
      if (err instanceof AppError && err.code === 'conflict') return;
      if (err instanceof AppError && err.code === 'validation_failed') {
        const problems = err.details as { path: string; message: string }[];
        throw new ConfigError(problems.map((p) => `ADMIN_${p.path.toUpperCase()}: ${p.message}`));
      }
      throw err;
    }
  }
}
