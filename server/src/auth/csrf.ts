import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RequestHandler } from 'express';
import proxyaddr from 'proxy-addr';
import type { Config } from '../config.js';
import type { Context } from '../context.js';
import { AppError } from '../http/errors.js';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a cookie-authenticated request comes from a site allowed to use the cookie: the one
 * origin rule of the REST guard and the Socket.IO handshake. A request whose Origin (or
 * Referer) names another site than ours is refused unless that origin is in ALLOWED_ORIGINS;
 * one naming no site at all (not a browser) passes. Ours is the scheme and Host it came in
 * with, the scheme from X-Forwarded-Proto only when sent by a TRUST_PROXY hop (as Express
 * decides `req.protocol`, with the same trust list).
 */
export function createOriginRule(
  config: Pick<Config, 'allowedOrigins' | 'TRUST_PROXY'>,
): (req: IncomingMessage) => boolean {
  const allowed = new Set(config.allowedOrigins);
  const trusted = proxyaddr.compile(config.TRUST_PROXY.split(',').map((v) => v.trim()));
  const ownOrigin = (req: IncomingMessage) => {
    let scheme = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
    const forwarded = req.headers['x-forwarded-proto'];
    if (typeof forwarded === 'string' && forwarded && trusted(req.socket.remoteAddress ?? '', 0)) {
      scheme = forwarded.split(',')[0]!.trim();
    }
    return `${scheme}://${req.headers.host ?? ''}`;
  };
  return (req) => {
    const origin = req.headers.origin ?? refererOrigin(req.headers.referer);
    return origin === undefined || origin === ownOrigin(req) || allowed.has(origin);
  };
}

/**
 * Cross-site request forgery guard for cookie-authenticated state changes.
 * The session cookie is SameSite=Lax, so browsers do not attach it to cross-site
 * POSTs; on top of that the origin rule above applies. Bearer-token requests carry no
 * ambient credential and are exempt.
 */
export function csrfGuard(ctx: Context): RequestHandler {
  const sameSite = createOriginRule(ctx.config);
  return (req, _res, next) => {
    if (safeMethods.has(req.method) || req.headers.authorization?.startsWith('Bearer '))
      return next();
    next(sameSite(req) ? undefined : new AppError('forbidden', 'cross-site request refused'));
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
