import express, { Router } from 'express';
import { requireRole, requireUser } from '../auth/policy.js';
import { AppError } from '../http/errors.js';
import type { RepliesByEmail } from './inbound.js';

/** Replies by email from a mail provider's inbound hook: the raw MIME of one mail. */
export function inboundRoutes(replies: RepliesByEmail): Router {
  const router = Router();
  router.post(
    '/inbound/email',
    (req, _res, next) => {
      requireRole(requireUser(req), 'admin');
      next();
    },
    express.raw({ type: 'message/rfc822', limit: replies.maxBytes }),
    async (req, res) => {
      const raw: unknown = req.body;
      if (!Buffer.isBuffer(raw) || raw.length === 0)
        throw new AppError('unprocessable', 'the body holds no mail');
      res.status(202).json(await replies.receive(raw));
    },
  );
  return router;
}
