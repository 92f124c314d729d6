import { Router } from 'express';
import type { Health } from '@dispute-room/shared';
import { pingMongo } from '../db/mongo.js';
import { pingRedis } from '../redis.js';
import { requireRole, requireUser } from '../auth/policy.js';
import type { Context } from '../context.js';

export async function checkHealth(ctx: Context): Promise<Health> {
  const [mongoUp, redisUp] = await Promise.all([pingMongo(ctx.conn), pingRedis(ctx.redis.main)]);
  return { ok: mongoUp && redisUp, mongo: mongoUp ? 'up' : 'down', redis: redisUp ? 'up' : 'down' };
}

export function healthRoutes(
  ctx: Context,
  io: () => { engine: { clientsCount: number } } | null,
): Router {
  const router = Router();
  // Admin-only process figures: what capacity planning and the benchmarks read.
  router.get('/admin/runtime', (req, res) => {
    requireRole(requireUser(req), 'admin');
    const mem = process.memoryUsage();
    res.json({
      instanceId: ctx.instanceId,
      pid: process.pid,
      uptimeSec: Math.round(process.uptime()),
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      sockets: io()?.engine.clientsCount ?? 0,
    });
  });
  router.get('/health', async (_req, res) => {
    const health = await checkHealth(ctx);
    res.status(health.ok ? 200 : 503).json(health);
  });
  return router;
}
