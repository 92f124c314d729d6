import type { RequestHandler } from 'express';
import { Passport } from 'passport';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import { Strategy as CustomStrategy } from 'passport-custom';
import { Strategy as LocalStrategy } from 'passport-local';
import { emailSchema, ssoBodySchema, type User, type User as ApiUser } from '@dispute-room/shared';
import { parse } from '../http/errors.js';
import type { SsoVerifier } from './sso.js';
import type { UserService } from '../users/service.js';
import { toUser } from '../users/service.js';
import type { TokenService } from './tokens.js';
import { verifyPassword } from './passwords.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Readonly<ApiUser> {}
    interface AuthInfo {
      tokenId?: string;
    }
  }
}

/** One Passport per server instance: local login, bearer tokens, sign-on and the session. */
export function createPassport(users: UserService, tokens: TokenService, sso: SsoVerifier) {
  const passport = new Passport();

  // The marketplace's signed token: verified whole before its jti is spent or anyone is
  // created, so every refusal leaves the database and the token's id as they were.
  passport.use(
    'sso',
    new CustomStrategy((req, done) => {
      void (async () => {
        const { token } = parse(ssoBodySchema, req.body);
        const { identity, spend } = await sso.check(token);
        await spend();
        return users.mirror(identity.externalId, identity.profile);
      })().then(
        (user) => done(null, user),
        (err: unknown) => done(err),
      );
    }),
  );

  passport.use(
    new LocalStrategy(
      { usernameField: 'email', passwordField: 'password' },
      (email, password, done) => {
        const parsed = emailSchema.safeParse(email);
        void (async () => {
          const doc = parsed.success ? await users.credentialsByEmail(parsed.data) : null;
          // Always run the hash, so an unknown email takes as long as a wrong password.
          const ok = await verifyPassword(doc?.passwordHash ?? null, password);
          return ok && doc ? toUser(doc) : false;
        })().then(
          (user) => done(null, user),
          (err: unknown) => done(err),
        );
      },
    ),
  );

  passport.use(
    new BearerStrategy((token, done) => {
      void (async () => {
        const found = await tokens.resolve(token);
        if (!found) return { user: false as const };
        const user = await users.byId(found.userId);
        return user ? { user, info: { tokenId: found.tokenId } } : { user: false as const };
      })().then(
        ({ user, info }) => done(null, user, info as never),
        (err: unknown) => done(err),
      );
    }),
  );

  passport.serializeUser<string>((user, done) => done(null, user.id));
  passport.deserializeUser<string>((id, done) => {
    users.byId(id).then(
      (user: User | null) => done(null, user ?? false),
      (err: unknown) => done(err),
    );
  });

  /** Bearer when an Authorization header is present (a bad token is 401), else the session. */
  const authenticate: RequestHandler = (req, res, next) => {
    if (req.headers.authorization?.startsWith('Bearer ')) {
      passport.authenticate('bearer', { session: false, failWithError: true })(req, res, next);
      return;
    }
    passport.session()(req, res, next);
  };

  return { passport, authenticate };
}
