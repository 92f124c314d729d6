import { Router } from 'express';
import { externalIdSchema } from '@dispute-room/shared';
import { requireRole, requireUser } from '../auth/policy.js';
import { notFound } from '../http/errors.js';
import type { UserService } from './service.js';

/** An external id in a path that could never be one names nothing: 404, as any bad path. */
export function externalIdParam(value: string): string {
  const parsed = externalIdSchema.safeParse(value);
  if (!parsed.success) throw notFound();
  return parsed.data;
}

/** Admin only; an integration calls these with an admin's API token. */
export function userRoutes(users: UserService): Router {
  const router = Router();
  router.post('/users', async (req, res) => {
    requireRole(requireUser(req), 'admin');
    res.status(201).json({ user: await users.create(req.body) });
  });
  router.put('/users/by-external/:externalId', async (req, res) => {
    requireRole(requireUser(req), 'admin');
    const externalId = externalIdParam(req.params.externalId);
    res.json({ user: await users.upsertByExternalId(externalId, req.body) });
  });
  return router;
}
