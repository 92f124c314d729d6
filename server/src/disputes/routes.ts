import { Router } from 'express';
import { requireUser } from '../auth/policy.js';
import type { ThreadService } from '../messages/thread.js';
import type { DisputeService } from './service.js';

/** REST transport of disputes and their thread: parse the caller, call a service. */
export function disputeRoutes(disputes: DisputeService, thread: ThreadService): Router {
  const r = Router();
  r.post('/disputes', async (req, res) => {
    res.status(201).json({ dispute: await disputes.file(requireUser(req), req.body) });
  });
  r.get('/disputes', async (req, res) => {
    res.json(await disputes.list(requireUser(req), req.query));
  });
  r.get('/disputes/:id', async (req, res) => {
    res.json({ dispute: await disputes.get(requireUser(req), req.params.id) });
  });
  r.post('/disputes/:id/respond', async (req, res) => {
    res.json({ dispute: await disputes.respond(requireUser(req), req.params.id, req.body) });
  });
  r.post('/disputes/:id/assign', async (req, res) => {
    res.json({ dispute: await disputes.assign(requireUser(req), req.params.id, req.body) });
  });
  r.post('/disputes/:id/withdraw', async (req, res) => {
    res.json({ dispute: await disputes.withdraw(requireUser(req), req.params.id, req.body) });
  });
  r.post('/disputes/:id/escalate', async (req, res) => {
    res.json({ dispute: await disputes.escalate(requireUser(req), req.params.id, req.body) });
  });
  r.post('/disputes/:id/proposals', async (req, res) => {
    res
      .status(201)
      .json({ proposal: await disputes.propose(requireUser(req), req.params.id, req.body) });
  });
  r.get('/disputes/:id/proposals', async (req, res) => {
    res.json({ proposals: await disputes.proposals(requireUser(req), req.params.id) });
  });
  r.post('/disputes/:id/proposals/:pid/:verdict', async (req, res, next) => {
    const verdict = req.params.verdict;
    if (verdict !== 'accept' && verdict !== 'reject') return next();
    res.json(
      await disputes.decideProposal(requireUser(req), req.params.id, req.params.pid, verdict),
    );
  });
  r.post('/disputes/:id/feedback', async (req, res) => {
    res
      .status(201)
      .json({ feedback: await disputes.feedback(requireUser(req), req.params.id, req.body) });
  });
  r.get('/disputes/:id/messages', async (req, res) => {
    res.json(await thread.list(requireUser(req), req.params.id, req.query));
  });
  r.post('/disputes/:id/messages', async (req, res) => {
    const { message, created } = await thread.send(requireUser(req), req.params.id, req.body);
    res.status(created ? 201 : 200).json({ message });
  });
  r.patch('/disputes/:id/messages/:mid', async (req, res) => {
    res.json({
      message: await thread.edit(requireUser(req), req.params.id, req.params.mid, req.body),
    });
  });
  return r;
}
