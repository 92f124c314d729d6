import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError, type ZodType, type z } from 'zod';
import { errorStatus, type ApiError, type ErrorCode } from '@dispute-room/shared';

/** A failure the API reports with the contract's error shape. */
export class AppError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
  }

  get status(): number {
    return errorStatus[this.code];
  }

  toJSON(): ApiError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export const notFound = (what = 'resource') => new AppError('not_found', `${what} not found`);
export const forbidden = (message = 'not allowed') => new AppError('forbidden', message);
export const conflict = (message: string, details?: unknown) =>
  new AppError('conflict', message, details);
export const unauthorized = () => new AppError('unauthorized', 'authentication required');

export function validationError(err: ZodError): AppError {
  return new AppError(
    'validation_failed',
    'request is invalid',
    err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  );
}

/** Parses with a shared zod schema; a failure becomes a 400 in the contract's shape. */
export function parse<S extends ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error);
  return result.data;
}

/** Thrown while reading a JSON body whose bytes are not valid UTF-8. */
export class InvalidUtf8Error extends Error {
  constructor() {
    super('the body is not valid UTF-8');
  }
}

/** Maps anything thrown to an API error; unknown errors become a logged 500. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return validationError(err);
  const e = err as { type?: string; status?: number; name?: string; message?: string };
  if (e?.name === 'AuthenticationError') return unauthorized();
  if (e?.type === 'entity.parse.failed')
    return new AppError('validation_failed', 'malformed JSON body');
  if (e?.type === 'entity.verify.failed' && err instanceof InvalidUtf8Error)
    return new AppError('validation_failed', err.message);
  if (e?.type === 'entity.too.large')
    return new AppError('payload_too_large', 'request body too large');
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') {
    return new AppError('unsupported_media_type', e.message ?? 'unsupported encoding');
  }
  if (
    // ioredis while Redis is away (the rate limiters and sessions live there).
    e?.name === 'MaxRetriesPerRequestError' ||
    e?.message === 'Connection is closed.' ||
    e?.name === 'MongoServerSelectionError' ||
    e?.name === 'MongoNotConnectedError' ||
    e?.name === 'MongoNetworkError' ||
    e?.name === 'MongoNetworkTimeoutError' ||
    e?.name === 'MongoPoolClearedError' ||
    e?.name === 'MongoServerClosedError' ||
    e?.name === 'MongoTopologyClosedError' ||
    // A batch insert cut off by the outage reports the network failure as a label.
    (typeof (err as { hasErrorLabel?: unknown })?.hasErrorLabel === 'function' &&
      ['ResetPool', 'RetryableWriteError', 'NoWritesPerformed'].some((label) =>
        (err as { hasErrorLabel(l: string): boolean }).hasErrorLabel(label),
      ))
  ) {
    return new AppError('unavailable', 'database unavailable, try again shortly');
  }
  return new AppError('internal', 'internal error');
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const appErr = toAppError(err);
  if (appErr.code === 'internal' || appErr.code === 'unavailable') {
    req.log?.error({ err }, 'request failed');
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(appErr.status).json({ error: appErr.toJSON() });
};

export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `no route for ${req.method} ${req.path}`));
};
