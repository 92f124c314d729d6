import { Router } from 'express';
import { requireUser } from '../auth/policy.js';
import type { NotificationService } from './service.js';

export function notificationRoutes(notifications: NotificationService): Router {
  const router = Router();
  router.get('/notifications', async (req, res) => {
    res.json(await notifications.list(requireUser(req), req.query));
  });
  router.post('/notifications/read', async (req, res) => {
    await notifications.markRead(requireUser(req), req.body);
    res.status(204).end();
  });
  router.get('/me/preferences', async (req, res) => {
    res.json({ preferences: await notifications.preferences(requireUser(req).id) });
  });
  router.put('/me/preferences', async (req, res) => {
    res.json({ preferences: await notifications.setPreferences(requireUser(req), req.body) });
  });
  return router;
}
