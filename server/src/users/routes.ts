import { Router } from 'express';
import { requireRole, requireUser } from '../auth/policy.js';
import type { UserService } from './service.js';

export function userRoutes(users: UserService): Router {
  const router = Router();
  router.post('/users', async (req, res) => {
    requireRole(requireUser(req), 'admin');
    res.status(201).json({ user: await users.create(req.body) });
  });
  return router;
}
