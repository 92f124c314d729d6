import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Config } from '../config.js';

/**
 * Limits on clients that hold a connection without finishing their request (slow loris).
 * Node's own requestTimeout is one flat deadline for every request (300 s by default): short
 * enough to stop a trickled JSON body, it would also cut a legitimate 25 MiB upload on a slow
 * link. So Node keeps the headers and keep-alive limits, and the body deadline is ours, per
 * route: a flat one for ordinary requests, a minimum rate for evidence uploads.
 */

const uploadRoute = /^\/api\/disputes\/[^/?]+\/evidence(?:\?|$)/;

type Limits = Pick<
  Config,
  | 'HTTP_HEADERS_TIMEOUT_MS'
  | 'HTTP_REQUEST_TIMEOUT_MS'
  | 'HTTP_KEEPALIVE_TIMEOUT_MS'
  | 'UPLOAD_MIN_BYTES_PER_WINDOW'
  | 'UPLOAD_RATE_WINDOW_MS'
>;

/** Options for createServer: Node enforces the headers and keep-alive timeouts. */
export function slowClientOptions(limits: Limits): ServerOptions {
  return {
    headersTimeout: limits.HTTP_HEADERS_TIMEOUT_MS,
    // Replaced per route by guardRequestBodies.
    requestTimeout: 0,
    keepAliveTimeout: limits.HTTP_KEEPALIVE_TIMEOUT_MS,
    // Node checks the headers deadline this often (30 s by default, which would let a
    // 20 s limit stretch to 50 s).
    connectionsCheckingInterval: tickMs(limits.HTTP_HEADERS_TIMEOUT_MS),
  };
}

function tickMs(limitMs: number): number {
  return Math.min(1_000, Math.max(50, Math.floor(limitMs / 10)));
}

interface Watched {
  req: IncomingMessage;
  res: ServerResponse;
  upload: boolean;
  startedAt: number;
  windowStart: number;
  windowBytes: number;
}

const timeoutResponse =
  'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/** Cuts a request whose body is not received in time (uploads: too slowly); answers 408. */
function cut({ req, res }: Watched): void {
  const socket = req.socket;
  if (socket.destroyed) return;
  // As Node does for its own request timeout: a 408 when nothing was answered yet, then close.
  if (!res.headersSent && socket.writable) socket.end(timeoutResponse, () => socket.destroy());
  else socket.destroy();
}

/**
 * Watches every request until its body has been received: an ordinary request gets
 * HTTP_REQUEST_TIMEOUT_MS for it; an evidence upload may take as long as it needs, provided
 * each UPLOAD_RATE_WINDOW_MS brings at least UPLOAD_MIN_BYTES_PER_WINDOW.
 */
export function guardRequestBodies(server: Server, limits: Limits): void {
  const watched = new Set<Watched>();
  const check = () => {
    const now = Date.now();
    for (const w of watched) {
      const socket = w.req.socket;
      if (w.req.complete || socket.destroyed) {
        watched.delete(w);
      } else if (!w.upload) {
        if (now - w.startedAt >= limits.HTTP_REQUEST_TIMEOUT_MS) {
          watched.delete(w);
          cut(w);
        }
      } else if (now - w.windowStart >= limits.UPLOAD_RATE_WINDOW_MS) {
        if (socket.bytesRead - w.windowBytes < limits.UPLOAD_MIN_BYTES_PER_WINDOW) {
          watched.delete(w);
          cut(w);
        } else {
          w.windowStart = now;
          w.windowBytes = socket.bytesRead;
        }
      }
    }
  };
  const timer = setInterval(
    check,
    tickMs(Math.min(limits.HTTP_REQUEST_TIMEOUT_MS, limits.UPLOAD_RATE_WINDOW_MS)),
  );
  timer.unref();
  server.on('close', () => clearInterval(timer));
  // First, before the app rewrites req.url while routing (and ahead of Socket.IO's wrapper).
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const now = Date.now();
    watched.add({
      req,
      res,
      upload: req.method === 'POST' && uploadRoute.test(req.url ?? ''),
      startedAt: now,
      windowStart: now,
      windowBytes: req.socket.bytesRead,
    });
  });
}
