import { Router } from 'express';
import { requireUser } from '../auth/policy.js';
import type { HistoryService } from './service.js';

/** The conversation before the dispute: imported per contract, read per dispute. */
export function historyRoutes(history: HistoryService): Router {
  const r = Router();
  r.post('/contracts/:id/history', async (req, res) => {
    res.json(await history.import(requireUser(req), req.params.id, req.body));
  });
  r.get('/disputes/:id/history', async (req, res) => {
    res.json(await history.page(requireUser(req), req.params.id, req.query));
  });
  return r;
}
