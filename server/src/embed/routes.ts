import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Router } from 'express';
import type { Config } from '../config.js';

/** What the iframe's page may connect to and load: its own origin, as the app. */
function embedPolicy(origins: string[]): string {
  const ancestors = origins.length ? origins.join(' ') : "'none'";
  return [
    "default-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "frame-src 'self'",
    // Previews of the embedded room are blob URLs (fetched with its bearer token).
    "object-src 'self' blob:",
    "base-uri 'self'",
    "form-action 'self'",
    // Unlike the rest of the app, the marketplace's pages may frame it.
    `frame-ancestors ${ancestors}`,
  ].join('; ');
}

/**
 * The embeddable room: `GET /embed/disputes/:id` is the client's page with a policy that lets
 * EMBED_ORIGINS frame it (every other page keeps `frame-ancestors 'none'`), the list written
 * into the page so it knows whom to talk to over postMessage; `GET /embed.js` is the script
 * hosts include, loadable from their origin.
 */
export function embedRoutes(config: Config, dist: string): Router | null {
  const index = join(dist, 'index.html');
  const script = join(dist, 'embed.js');
  if (!existsSync(index)) return null;
  const origins = config.embedOrigins;
  const meta = `<meta name="dr-embed-origins" content="${origins.join(' ').replace(/"/g, '')}" />`;
  const page = readFileSync(index, 'utf8').replace('</head>', `    ${meta}\n  </head>`);
  const router = express.Router();
  router.get('/embed/disputes/:id', (_req, res) => {
    res.setHeader('Content-Security-Policy', embedPolicy(origins));
    // frame-ancestors decides; X-Frame-Options (SAMEORIGIN from helmet) would contradict it.
    res.removeHeader('X-Frame-Options');
    res.setHeader('Cache-Control', 'no-cache');
    // The host's address stays with the host: our page never learns it from a Referer it logs.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.type('html').send(page);
  });
  router.get('/embed.js', (_req, res) => {
    if (!existsSync(script)) return void res.status(404).end();
    // Loaded by <script src> on the marketplace's own pages.
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/javascript').sendFile(script);
  });
  return router;
}
