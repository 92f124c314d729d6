import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiClient } from './api-client.js';

export const HOOK_SECRET = 'whsec_0123456789abcdef';

/** A webhook receiver on a random loopback port, answering as `handler` says. */
export async function startReceiver(handler: RequestListener) {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Registers a webhook as the admin; returns its id. */
export async function registerHook(admin: ApiClient, url: string, events: string[]) {
  const res = await admin.post('/api/admin/webhooks', { url, secret: HOOK_SECRET, events });
  if (res.status !== 201) throw new Error(`webhook not created: ${JSON.stringify(res.body)}`);
  return res.body.webhook.id as string;
}
