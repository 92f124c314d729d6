import { Router } from 'express';
import { requireRole, requireUser } from '../auth/policy.js';
import { externalIdParam } from '../users/routes.js';
import type { ContractService } from './service.js';

export function contractRoutes(contracts: ContractService): Router {
  const router = Router();
  router.post('/contracts', async (req, res) => {
    requireRole(requireUser(req), 'admin');
    res.status(201).json({ contract: await contracts.create(req.body) });
  });
  router.put('/contracts/by-external/:externalId', async (req, res) => {
    requireRole(requireUser(req), 'admin');
    const externalId = externalIdParam(req.params.externalId);
    res.json({ contract: await contracts.upsertByExternalId(externalId, req.body) });
  });
  router.get('/contracts', async (req, res) => {
    res.json({ contracts: await contracts.listFor(requireUser(req)) });
  });
  return router;
}
