import { RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Context } from '../context.js';
import { AppError } from './errors.js';

/** A counter shared by all instances through Redis. */
export function createLimiter(
  ctx: Context,
  name: string,
  points: number,
  durationSec: number,
): RateLimiterAbstract {
  return new RateLimiterRedis({
    storeClient: ctx.redis.main,
    keyPrefix: `${ctx.config.REDIS_PREFIX}rl:${name}`,
    points,
    duration: durationSec,
  });
}

export function rateLimited(res: RateLimiterRes): AppError {
  const retryAfterSec = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new AppError('rate_limited', `too many attempts, retry in ${retryAfterSec} s`, {
    retryAfterSec,
  });
}

/** Takes a point; throws 429 when the limit is spent. */
export async function consume(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw rateLimited(err);
    throw err;
  }
}
