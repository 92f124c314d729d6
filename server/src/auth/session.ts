import RedisStore from 'connect-redis';
import session, { type Store } from 'express-session';
import type { RequestHandler } from 'express';
import type { Context } from '../context.js';

export const SESSION_COOKIE = 'dr.sid';

/** Cookie sessions, in Redis: shared by every instance. */
export function createSessionMiddleware(ctx: Context): RequestHandler {
  const store: Store = new RedisStore({
    client: ctx.redis.main,
    prefix: `${ctx.config.REDIS_PREFIX}sess:`,
  });
  const secure = ctx.config.COOKIE_SECURE === 'auto' ? 'auto' : ctx.config.COOKIE_SECURE === 'true';
  return session({
    name: SESSION_COOKIE,
    secret: ctx.config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: undefined,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure,
      maxAge: 7 * 24 * 3600 * 1000,
    },
  });
}
