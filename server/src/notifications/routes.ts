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
  // `localeChosen`: whether the locale is the user's (saved, or from sign-on) or the default;
  // until it is theirs the client shows the browser's language.
  router.get('/me/preferences', async (req, res) => {
    const userId = requireUser(req).id;
    const [preferences, stored] = await Promise.all([
      notifications.preferences(userId),
      notifications.models.preferences.exists({ _id: userId }),
    ]);
    res.json({ preferences, localeChosen: stored !== null });
  });
  router.put('/me/preferences', async (req, res) => {
    const preferences = await notifications.setPreferences(requireUser(req), req.body);
    res.json({ preferences, localeChosen: true });
  });
  return router;
}
