import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Router } from 'express';

/** Serves the built client, with index.html for every client-side route. */
export function clientRoutes(dist: string): Router | null {
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return null;
  const router = express.Router();
  router.use(
    express.static(dist, {
      index: false,
      setHeaders(res, path) {
        // Vite fingerprints assets, so they never change under the same name.
        if (path.includes('/assets/'))
          res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  router.get(/^(?!\/(api|socket\.io)(\/|$)).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
