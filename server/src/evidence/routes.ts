import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import { evidenceContentQuerySchema } from '@dispute-room/shared';
import { requireUser } from '../auth/policy.js';
import { parse } from '../http/errors.js';
import { contentDisposition } from './filename.js';
import type { EvidenceDoc } from './model.js';
import type { EvidenceService } from './service.js';

/** A single satisfiable byte range of the Range header, 'unsatisfiable', or null for the whole. */
function byteRange(
  req: Request,
  evidence: EvidenceDoc,
): { start: number; end: number } | 'unsatisfiable' | null {
  if (!req.headers.range) return null;
  // A stale If-Range (another version of the file) asks for the whole file.
  const ifRange = req.headers['if-range'];
  if (ifRange && ifRange !== `"${evidence.sha256}"`) return null;
  const ranges = req.range(evidence.size, { combine: true });
  if (ranges === -1) return 'unsatisfiable';
  // Malformed, or several ranges: answering with the whole file is allowed and simpler.
  if (ranges === undefined || ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) {
    return null;
  }
  return { start: ranges[0]!.start, end: ranges[0]!.end };
}

async function sendContent(service: EvidenceService, req: Request, res: Response): Promise<void> {
  const user = requireUser(req);
  const { evidence, type } = await service.open(user, String(req.params.id));
  const query = parse(evidenceContentQuerySchema, req.query);
  const range = byteRange(req, evidence);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'private, no-store');
  if (range === 'unsatisfiable') {
    res.status(416).setHeader('Content-Range', `bytes */${evidence.size}`).end();
    return;
  }
  const disposition = query.disposition === 'inline' && type.previewable ? 'inline' : 'attachment';
  res.setHeader('Content-Type', type.text ? `${type.mime}; charset=utf-8` : type.mime);
  res.setHeader('Content-Disposition', contentDisposition(disposition, evidence.filename));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('ETag', `"${evidence.sha256}"`);
  // The bytes are never a page: no scripts, and only our own pages may frame a preview.
  // (Chromium shows no PDF in a sandboxed document, so PDFs go without `sandbox`.)
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'${type.key === 'pdf' ? '' : '; sandbox'}`,
  );
  res.setHeader('X-Frame-Options', 'SAMEORIGIN');
  if (range) {
    res.status(206);
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${evidence.size}`);
    res.setHeader('Content-Length', String(range.end - range.start + 1));
  } else {
    res.setHeader('Content-Length', String(evidence.size));
  }
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  try {
    await pipeline(service.read(evidence, range ?? undefined), res);
  } catch (err) {
    // The reader went away mid-download: nothing to answer.
    if ((err as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    throw err;
  }
}

/** REST transport of evidence: uploads into a dispute, listings, and downloads. */
export function evidenceRoutes(service: EvidenceService): Router {
  const r = Router();
  r.post('/disputes/:id/evidence', async (req, res) => {
    const evidence = await service.upload(requireUser(req), req.params.id, req);
    res.status(201).json({ evidence });
  });
  r.get('/disputes/:id/evidence', async (req, res) => {
    res.json({ evidence: await service.list(requireUser(req), req.params.id, req.query) });
  });
  r.get('/evidence/:id/content', (req, res) => sendContent(service, req, res));
  return r;
}
