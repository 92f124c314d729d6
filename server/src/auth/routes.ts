import { Router, type RequestHandler } from 'express';
import { loginBodySchema, type User } from '@dispute-room/shared';
import type { Context } from '../context.js';
import { AppError, parse } from '../http/errors.js';
import type { EventBus } from '../events/bus.js';
import { LoginLimits } from './login-limits.js';
import { requireUser } from './policy.js';
import { SESSION_COOKIE } from './session.js';
import type { createPassport } from './passport.js';
import type { TokenService } from './tokens.js';

export function authRoutes(
  ctx: Context,
  deps: {
    passport: ReturnType<typeof createPassport>['passport'];
    tokens: TokenService;
    events: EventBus;
  },
): Router {
  const { passport, tokens, events } = deps;
  const limits = new LoginLimits(ctx);
  const router = Router();

  const login: RequestHandler = async (req, res, next) => {
    const { email } = parse(loginBodySchema, req.body);
    const attempt = await limits.admit(email, req.ip ?? 'unknown');
    passport.authenticate('local', { session: false }, (err: unknown, user: User | false) => {
      if (err) return void attempt.abandoned().then(() => next(err));
      // One message for unknown email and wrong password: no user enumeration.
      if (!user) return next(new AppError('unauthorized', 'invalid email or password'));
      void attempt.succeeded().then(() =>
        // req.login regenerates the session id first, so a planted cookie is worthless.
        req.login(user, (loginErr) => {
          if (loginErr) return next(loginErr);
          res.json({ user });
        }),
      );
    })(req, res, next);
  };
  router.post('/auth/login', login);

  // Single sign-on: answers a bearer session token instead of setting a cookie, so an
  // embedded room works where third-party cookies are blocked.
  router.post('/auth/sso', (req, res, next) => {
    passport.authenticate('sso', { session: false }, (err: unknown, user: User | false) => {
      if (err) return next(err);
      if (!user) return next(new AppError('unauthorized', 'sign-on refused'));
      tokens.createSession(user.id).then(
        (sessionToken) => res.json({ user, sessionToken }),
        (e: unknown) => next(e),
      );
    })(req, res, next);
  });

  router.post('/auth/logout', (req, res, next) => {
    requireUser(req);
    if (!req.session) return void res.status(204).end();
    const sid = req.sessionID;
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(() => {
        events.publish('session.ended', { sid });
        res.clearCookie(SESSION_COOKIE);
        res.status(204).end();
      });
    });
  });

  router.get('/auth/me', (req, res) => {
    res.json({ user: requireUser(req) });
  });

  router.post('/auth/tokens', async (req, res) => {
    const user = requireUser(req);
    res.status(201).json(await tokens.create(user.id, req.body));
  });

  router.get('/auth/tokens', async (req, res) => {
    const user = requireUser(req);
    res.json({ tokens: await tokens.list(user.id) });
  });

  router.delete('/auth/tokens/:id', async (req, res) => {
    const user = requireUser(req);
    await tokens.revoke(user.id, req.params.id);
    res.status(204).end();
  });

  return router;
}
