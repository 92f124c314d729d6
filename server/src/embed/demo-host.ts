import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import type { Config } from '../config.js';
import type { DisputeDoc } from '../disputes/model.js';
import type { Logger } from '../logger.js';
import type { RunningServer } from '../server.js';
import { demoMarketplaceUsers } from '../seed/demo.js';

/**
 * DEV ONLY. The HS256 secret of the demo marketplace that `pnpm start` runs next to the room.
 * It is public (it is in the repository): never set it, or anything like it, in production.
 */
export const DEMO_SSO_SECRET = 'dev-only-demo-marketplace-secret-do-not-use-in-production';
const AUDIENCE = 'dispute-room';

export interface DemoMarketplace {
  url: string;
  attach(server: RunningServer): void;
  stop(): Promise<void>;
}

/**
 * On a development start with no sign-on configured, a small marketplace of its own origin
 * (`http://localhost:<port>`, another site than the room's 127.0.0.1) that plays a contract
 * page with the room embedded, minting sign-on tokens server-side for the demo users, as a
 * real marketplace would. Returns the config the room needs to trust it.
 */
export async function openDemoMarketplace(
  config: Config,
  log: Logger,
): Promise<{ config: Config; demo: DemoMarketplace | null }> {
  const ssoSet = config.SSO_JWT_SECRET || config.SSO_JWKS_URL || config.SSO_ISSUER;
  if (config.NODE_ENV !== 'development' || ssoSet) return { config, demo: null };
  let room: RunningServer | null = null;
  const http = createServer((req, res) => {
    void handle(req.method ?? 'GET', req.url ?? '/').then(
      ({ status, type, body }) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      },
      (err: unknown) => {
        log.warn({ err }, 'demo marketplace request failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('demo marketplace error');
      },
    );
  });
  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, config.HOST, () => resolve(http));
    });
  await listen(config.DEMO_HOST_PORT).catch(() => listen(0));
  const { port } = http.address() as AddressInfo;
  const url = `http://localhost:${port}`;

  async function demoDispute(): Promise<DisputeDoc | null> {
    if (!room) return null;
    const client = await room.domain.users.byExternalId(demoMarketplaceUsers.client.externalId);
    if (!client) return null;
    const docs = await room.domain.disputes.models.disputes
      .find({ clientId: client.id, state: 'mediation' })
      .lean<DisputeDoc[]>();
    return docs[0] ?? null;
  }

  async function handle(method: string, path: string) {
    const as = /^\/token\?as=(client|freelancer|mediator)$/.exec(path)?.[1] as
      keyof typeof demoMarketplaceUsers | undefined;
    if (method === 'POST' && as) {
      const dispute = await demoDispute();
      if (!dispute) {
        return json(409, {
          error: 'no demo dispute: start on a fresh DATA_DIR so the demo data is seeded',
        });
      }
      const who = demoMarketplaceUsers[as];
      const token = await new SignJWT({
        email: who.email,
        name: who.name,
        role: who.role,
        tz: who.timezone,
      })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(who.externalId)
        .setIssuer(url)
        .setAudience(AUDIENCE)
        .setJti(randomUUID())
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(DEMO_SSO_SECRET));
      return json(200, { token, disputeId: dispute._id, contractTitle: dispute.contractTitle });
    }
    if (method === 'GET' && (path === '/' || path.startsWith('/?'))) {
      return { status: 200, type: 'text/html; charset=utf-8', body: page(room?.url ?? '') };
    }
    return { status: 404, type: 'text/plain', body: 'not found' };
  }

  log.info({ url }, 'demo marketplace (dev only) is listening');
  return {
    config: {
      ...config,
      SSO_JWT_SECRET: DEMO_SSO_SECRET,
      SSO_ISSUER: url,
      SSO_AUDIENCE: AUDIENCE,
      // The demo's agent is a mediator signing on from the marketplace's support desk.
      ssoRoles: config.ssoRoles.length ? config.ssoRoles : ['mediator'],
      embedOrigins: [...config.embedOrigins, url],
    },
    demo: {
      url,
      attach: (server) => {
        room = server;
      },
      stop: () => new Promise((resolve) => http.close(() => resolve())),
    },
  };
}

const json = (status: number, body: unknown) => ({
  status,
  type: 'application/json',
  body: JSON.stringify(body),
});

/** The marketplace's contract page: its own look, the room inside, the room's events logged. */
function page(roomUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Freelance — contract</title>
<style>
  body { margin: 0; font: 15px/1.5 Georgia, 'Times New Roman', serif; background: #f4efe6; color: #2b2118; }
  header { background: #2b2118; color: #f4efe6; padding: 12px 24px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
  header strong { font-size: 18px; }
  main { max-width: 1180px; margin: 0 auto; padding: 16px 24px; display: grid; gap: 16px; grid-template-columns: minmax(0, 1fr) 260px; }
  @media (max-width: 800px) { main { grid-template-columns: 1fr; padding: 12px; } }
  .card { background: #fffaf2; border: 1px solid #e0d4c0; border-radius: 10px; padding: 12px 16px; }
  #room { min-height: 200px; }
  #log { font: 12px/1.4 ui-monospace, monospace; max-height: 420px; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
  button { font: inherit; padding: 4px 10px; border-radius: 6px; border: 1px solid #c9b79c; background: #fffaf2; cursor: pointer; }
  button[aria-pressed="true"] { background: #b4541a; color: #fff; border-color: #b4541a; }
  .badge { background: #b4541a; color: #fff; border-radius: 999px; padding: 0 8px; font-size: 12px; }
</style>
</head>
<body>
<header>
  <strong>Acme Freelance</strong>
  <span>Contract: <b id="contract">…</b></span>
  <span>Messages <span class="badge" id="unread">0</span></span>
  <span role="group" aria-label="View as">View as:
    <button type="button" data-as="client">Client</button>
    <button type="button" data-as="freelancer">Freelancer</button>
    <button type="button" data-as="mediator">Support agent</button>
  </span>
</header>
<main>
  <section class="card"><h1 style="font-size:20px;margin:4px 0 8px">Resolution centre</h1><div id="room"></div></section>
  <aside class="card"><h2 style="font-size:15px;margin:4px 0">Events from the room</h2><div id="log" aria-live="polite"></div></aside>
</main>
<script src="${roomUrl}/embed.js"></script>
<script>
  var handle = null;
  function log(line) { var el = document.getElementById('log'); el.textContent = line + '\\n' + el.textContent; }
  async function show(as) {
    document.querySelectorAll('[data-as]').forEach(function (b) { b.setAttribute('aria-pressed', String(b.dataset.as === as)); });
    if (handle) handle.destroy();
    // The marketplace's server mints a single-use sign-on token for the signed-in user.
    var res = await fetch('/token?as=' + as, { method: 'POST' });
    var body = await res.json();
    if (!res.ok) { log('error: ' + body.error); return; }
    document.getElementById('contract').textContent = body.contractTitle;
    handle = DisputeRoom.mount(document.getElementById('room'), {
      disputeId: body.disputeId,
      ssoToken: body.token,
      height: '720px',
      theme: { accent: '#b4541a', background: '#fffaf2', font: "Georgia, 'Times New Roman', serif", radius: '10px' },
    });
    ['ready', 'resize', 'unread', 'state'].forEach(function (type) {
      handle.on(type, function (e) {
        if (type === 'unread') document.getElementById('unread').textContent = e.count;
        var shown = Object.assign({}, e); delete shown.source; log(type + ' ' + JSON.stringify(shown));
      });
    });
  }
  document.querySelectorAll('[data-as]').forEach(function (b) { b.addEventListener('click', function () { show(b.dataset.as); }); });
  show('client');
</script>
</body>
</html>`;
}
