import { Router } from 'express';
import { requireUser } from '../auth/policy.js';
import { AppError } from '../http/errors.js';
import { printScriptHash, transcriptHtml } from './export.js';
import type { QueueAdmin } from './queues-admin.js';
import type { OpsService } from './service.js';
import type { WebhookService } from './webhooks.js';

export function opsRoutes(ops: OpsService, webhooks: WebhookService, queues: QueueAdmin): Router {
  const r = Router();
  r.get('/ops/disputes', async (req, res) => {
    res.json(await ops.search(requireUser(req), req.query));
  });
  r.get('/ops/disputes/:id/transcript', async (req, res) => {
    res.json(await ops.transcript(requireUser(req), req.params.id));
  });
  r.get('/ops/disputes/:id/export', async (req, res) => {
    const user = requireUser(req);
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'html') {
      throw new AppError('validation_failed', 'request is invalid', [
        { path: 'format', message: 'json or html' },
      ]);
    }
    // print=true: the HTML page opens in the browser and asks to print, instead of a download.
    const print = format === 'html' && req.query.print === 'true';
    const t = await ops.transcript(user, req.params.id);
    const name = `${t.dispute.number}-transcript.${format}`;
    if (!print) res.attachment(name);
    if (format === 'json') res.type('application/json').send(JSON.stringify(t, null, 2));
    else {
      // The export is opened on its own: a strict policy with only its inline style allowed
      // (and, for the print view, its one print script).
      res.setHeader(
        'Content-Security-Policy',
        `default-src 'none'; style-src 'unsafe-inline';${print ? ` script-src ${printScriptHash};` : ''} frame-ancestors 'none'`,
      );
      res.type('text/html').send(transcriptHtml(t, new Date(), { print }));
    }
  });
  r.post('/ops/disputes/:id/reviews', async (req, res) => {
    res.status(201).json({ review: await ops.review(requireUser(req), req.params.id, req.body) });
  });
  r.get('/ops/metrics', async (req, res) => {
    res.json(await ops.metrics(requireUser(req), req.query));
  });
  r.post('/admin/webhooks', async (req, res) => {
    res.status(201).json({ webhook: await webhooks.create(requireUser(req), req.body) });
  });
  r.get('/admin/webhooks', async (req, res) => {
    res.json({ webhooks: await webhooks.list(requireUser(req)) });
  });
  r.get('/admin/webhooks/:id/deliveries', async (req, res) => {
    res.json({ deliveries: await webhooks.deliveries(requireUser(req), req.params.id) });
  });
  r.post('/admin/webhooks/:id/enable', async (req, res) => {
    res.json({ webhook: await webhooks.enable(requireUser(req), req.params.id) });
  });
  r.get('/admin/queues', async (req, res) => {
    res.json({ queues: await queues.summary(requireUser(req)) });
  });
  r.post('/admin/queues/:queue/retry', async (req, res) => {
    await queues.retry(requireUser(req), req.params.queue, req.body);
    res.status(204).end();
  });
  return r;
}
