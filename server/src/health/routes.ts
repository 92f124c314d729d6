import { Router } from 'express';
import type { Health } from '@dispute-room/shared';
import { pingMongo } from '../db/mongo.js';
import { pingRedis } from '../redis.js';
import type { Context } from '../context.js';

export async function checkHealth(ctx: Context): Promise<Health> {
  const [mongoUp, redisUp] = await Promise.all([
    pingMongo(ctx.conn),
    ctx.redis ? pingRedis(ctx.redis.main) : Promise.resolve(null),
  ]);
  const redis = redisUp === null ? 'disabled' : redisUp ? 'up' : 'down';
  return { ok: mongoUp && redis !== 'down', mongo: mongoUp ? 'up' : 'down', redis };
}

export function healthRoutes(ctx: Context): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const health = await checkHealth(ctx);
    res.status(health.ok ? 200 : 503).json(health);
  });
  return router;
}
