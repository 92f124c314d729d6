import type { RequestHandler } from 'express';
import type { Context } from '../context.js';
import { AppError } from '../http/errors.js';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery guard for cookie-authenticated state changes.
 * The session cookie is SameSite=Lax, so browsers do not attach it to cross-site
 * POSTs; on top of that, a request whose Origin (or Referer) names another site is
 * refused unless that origin is in ALLOWED_ORIGINS. Bearer-token requests carry no
 * ambient credential and are exempt.
 */
export function csrfGuard(ctx: Context): RequestHandler {
  const allowed = new Set(ctx.config.allowedOrigins);
  return (req, _res, next) => {
    if (safeMethods.has(req.method) || req.headers.authorization?.startsWith('Bearer '))
      return next();
    const origin = req.headers.origin ?? refererOrigin(req.headers.referer);
    if (origin === undefined) return next();
    const own = `${req.protocol}://${req.get('host') ?? ''}`;
    if (origin === own || allowed.has(origin)) return next();
    next(new AppError('forbidden', 'cross-site request refused'));
  };
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}
