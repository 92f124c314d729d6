import { Router } from 'express';
import { requireUser } from '../auth/policy.js';
import type { MacroService } from './service.js';

export function macroRoutes(macros: MacroService): Router {
  const r = Router();
  r.get('/macros', async (req, res) => {
    res.json({ macros: await macros.list(requireUser(req)) });
  });
  r.post('/macros', async (req, res) => {
    res.status(201).json({ macro: await macros.create(requireUser(req), req.body) });
  });
  r.patch('/macros/:id', async (req, res) => {
    res.json({ macro: await macros.update(requireUser(req), req.params.id, req.body) });
  });
  r.delete('/macros/:id', async (req, res) => {
    await macros.remove(requireUser(req), req.params.id);
    res.status(204).end();
  });
  r.post('/disputes/:id/macros/:mid/render', async (req, res) => {
    res.json({ body: await macros.render(requireUser(req), req.params.id, req.params.mid) });
  });
  return r;
}
