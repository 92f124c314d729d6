import { LRUCache } from 'lru-cache';
import type { Model } from 'mongoose';
import { createUserBodySchema, type Role, type User } from '@dispute-room/shared';
import { assertStrongPassword, hashPassword } from '../auth/passwords.js';
import { ConfigError } from '../config.js';
import type { Context } from '../context.js';
import { isDuplicateKey } from '../db/mongo.js';
import { newId } from '../db/ids.js';
import { AppError, parse } from '../http/errors.js';
import { userModel, type UserDoc } from './model.js';

const USER_CACHE_MS = 60_000;

export function toUser(doc: Pick<UserDoc, '_id' | 'email' | 'name' | 'role' | 'timezone'>): User {
  return { id: doc._id, email: doc.email, name: doc.name, role: doc.role, timezone: doc.timezone };
}

export class UserService {
  readonly model: Model<UserDoc>;

  constructor(private readonly ctx: Context) {
    this.model = userModel(ctx.conn);
  }

  /** Creates a user from an untrusted body; 409 when the email is taken. */
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
      createdAt: new Date(),
    };
    try {
      await this.model.create(doc);
    } catch (err) {
      if (isDuplicateKey(err)) throw new AppError('conflict', 'email already registered');
      throw err;
    }
    return toUser(doc);
  }

  /**
   * Users are read on every authenticated request and socket join, and the API never changes
   * one after creation: a short per-instance cache saves those reads.
   */
  private readonly cache = new LRUCache<string, User>({ max: 50_000, ttl: USER_CACHE_MS });

  async byId(id: string): Promise<User | null> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const doc = await this.model.findById(id, { passwordHash: 0 }).lean();
    if (!doc) return null;
    const user = toUser(doc);
    this.cache.set(id, user);
    return user;
  }

  /** By primary key one at a time: on FerretDB an `$in` would read the whole collection. */
  async byIds(ids: string[]): Promise<User[]> {
    const users = await Promise.all(ids.map((id) => this.byId(id)));
    return users.filter((u): u is User => u !== null);
  }

  async credentialsByEmail(email: string): Promise<UserDoc | null> {
    return this.model.findOne({ email }).lean();
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
