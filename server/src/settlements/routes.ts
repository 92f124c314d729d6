import { Router } from 'express';
import { requireUser } from '../auth/policy.js';
import type { SettlementService } from './service.js';

export function settlementRoutes(settlements: SettlementService): Router {
  const r = Router();
  r.post('/disputes/:id/settlement', async (req, res) => {
    res.json({
      dispute: await settlements.report(requireUser(req), req.params.id, req.body),
    });
  });
  r.get('/ops/settlements/overdue', async (req, res) => {
    res.json({ settlements: await settlements.overdue(requireUser(req)) });
  });
  return r;
}
