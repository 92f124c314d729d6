import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import { wellFormed } from '@dispute-room/shared';
import { pinoHttp } from 'pino-http';
import type { Context } from '../context.js';
import { AppError, InvalidUtf8Error, apiNotFound, errorHandler } from './errors.js';
import { clientRoutes } from './static.js';

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;
const pathSegment = /^[A-Za-z0-9_-]{1,80}$/;

/** API paths whose body is not JSON, and what they take instead. */
const bodyTypes: { path: RegExp; types: string[] }[] = [
  { path: /^\/disputes\/[^/]+\/evidence$/, types: ['multipart/form-data'] },
  { path: /^\/inbound\/email$/, types: ['message/rfc822'] },
];

/**
 * A body the API cannot read is a 415 naming what it takes, not a 400 listing every field
 * as missing (which is what a JSON parser that skipped the body would lead to).
 */
const requireBodyType: express.RequestHandler = (req, _res, next) => {
  // No body at all is not a type problem (its fields are then missing: a 400).
  const empty =
    req.headers['transfer-encoding'] === undefined &&
    Number(req.headers['content-length'] ?? 0) === 0;
  if (empty) return next();
  const accepted = bodyTypes.find((b) => b.path.test(req.path))?.types ?? [
    'application/json',
    '+json',
  ];
  if (req.is(accepted) !== false) return next();
  next(new AppError('unsupported_media_type', `this endpoint takes ${accepted[0]}`, { accepted }));
};

/**
 * The Express app: cross-cutting middleware, then each domain's API router,
 * then the client build. Domain routers are passed in so this file stays wiring only.
 */
export function createApp(
  ctx: Context,
  opts: {
    api: Router[];
    beforeApi?: express.RequestHandler[];
    clientDist?: string;
    /** Pages served before the client's own (the embeddable room). */
    pages?: Router[];
  },
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', ctx.config.TRUST_PROXY);

  app.use(
    pinoHttp({
      logger: ctx.log,
      genReqId(req, res) {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug',
      autoLogging: { ignore: (req) => req.url === '/api/health' },
    }),
  );

  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'default-src': ["'self'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'connect-src': ["'self'"],
          'frame-src': ["'self'"],
          // PDF previews embed our own evidence URLs.
          'object-src': ["'self'"],
          'frame-ancestors': ["'none'"],
        },
      },
      // HSTS only means something behind TLS; the proxy in front decides.
      strictTransportSecurity: ctx.config.COOKIE_SECURE === 'true',
      crossOriginEmbedderPolicy: false,
    }),
  );

  const api = express.Router();
  // Every segment of an API path is a name or an id; anything else (NUL, operators,
  // traversal, huge ids) names nothing, so it is a 404 before any route or query sees it.
  api.use((req, _res, next) => {
    const ok = req.path
      .split('/')
      .filter(Boolean)
      .every((segment) => pathSegment.test(segment));
    next(ok ? undefined : new AppError('not_found', 'no such resource'));
  });
  api.use(
    express.json({
      limit: ctx.config.BODY_LIMIT,
      strict: true,
      // Malformed UTF-8 would otherwise be decoded to U+FFFD and stored as something the
      // client never sent: refuse it, as lone surrogates are below.
      verify: (_req, _res, raw) => {
        if (!isUtf8(raw)) throw new InvalidUtf8Error();
      },
      // "\ud800" escapes decode to lone surrogates, which UTF-8 storage would silently
      // replace: refuse them as malformed JSON (400) rather than store something else.
      reviver: (_key, value: unknown) => {
        if (typeof value === 'string' && !wellFormed(value))
          throw new SyntaxError('invalid Unicode in a string');
        return value;
      },
    }),
  );
  for (const mw of opts.beforeApi ?? []) api.use(mw);
  // After authentication: an anonymous caller hears 401 whatever it sent.
  api.use(requireBodyType);
  for (const router of opts.api) api.use(router);
  api.use(apiNotFound);
  app.use('/api', api);

  for (const pages of opts.pages ?? []) app.use(pages);
  if (opts.clientDist) {
    const client = clientRoutes(opts.clientDist);
    if (client) app.use(client);
  }
  app.use(apiNotFound);
  app.use(errorHandler);
  return app;
}
