import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type APIRequestContext, type Frame, type Page } from '@playwright/test';
import type { Dispute, User } from '@dispute-room/shared';
import { loginApi, makePng, uniqueTag } from './helpers';

/**
 * The embeddable room as a marketplace uses it: its page on 127.0.0.1 frames the room served
 * from localhost (another site), third-party cookies blocked, the sign-on token handed over by
 * postMessage. The same page on an origin not in EMBED_ORIGINS cannot frame it.
 */

const roomUrl = `http://localhost:${process.env.E2E_PORT}`;
const secret = process.env.E2E_SSO_SECRET!;
const b64 = (v: object | Buffer) =>
  (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString('base64url');

interface Member {
  sub: string;
  email: string;
  name: string;
  role: 'client' | 'freelancer';
}

/** What the marketplace's server does: a single-use HS256 sign-on token for one of its users. */
function mint(m: Member): string {
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({
    ...m,
    iss: 'https://market.e2e.test',
    aud: 'dispute-room',
    exp: Math.floor(Date.now() / 1000) + 300,
    jti: randomUUID(),
  });
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  return `${head}.${body}.${b64(sig)}`;
}

/** The marketplace: a contract page that mounts the room, and its own token endpoint. */
async function startMarketplace(port: number, member: Member, disputeId: string) {
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>Market</title></head>
<body><h1>Contract page</h1><div id="room"></div>
<script src="${roomUrl}/embed.js"></script>
<script>
  window.events = [];
  fetch('/token', { method: 'POST' }).then((r) => r.json()).then(({ token }) => {
    const room = DisputeRoom.mount(document.getElementById('room'), {
      disputeId: ${JSON.stringify(disputeId)},
      ssoToken: token,
      height: '700px',
      theme: { accent: 'rgb(180, 84, 26)' },
    });
    for (const type of ['ready', 'resize', 'unread', 'state'])
      room.on(type, (e) => window.events.push(e));
  });
</script></body></html>`;
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/token') {
      res.setHeader('content-type', 'application/json');
      return void res.end(JSON.stringify({ token: mint(member) }));
    }
    res.setHeader('content-type', 'text/html');
    res.end(page);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    // The browser keeps its connections alive; close() alone would wait for them to time out.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The marketplace mirrors two members and their contract; the client files a dispute. */
async function setUp(admin: APIRequestContext) {
  const tag = uniqueTag();
  const client: Member = {
    sub: `c-${tag}`,
    email: `c-${tag}@market.e2e.test`,
    name: 'Clara Market',
    role: 'client',
  };
  const freelancer: Member = {
    sub: `f-${tag}`,
    email: `f-${tag}@market.e2e.test`,
    name: 'Felix Market',
    role: 'freelancer',
  };
  await loginApi(admin, 'admin@demo.test', 'demo-room-walkthrough');
  for (const m of [client, freelancer]) {
    const res = await admin.put(`/api/users/by-external/${m.sub}`, {
      data: { email: m.email, name: m.name, role: m.role },
    });
    expect(res.status()).toBe(200);
  }
  const contract = await admin.put(`/api/contracts/by-external/k-${tag}`, {
    data: {
      title: 'Marketplace job',
      clientExternalId: client.sub,
      freelancerExternalId: freelancer.sub,
      escrowCents: 40_000,
      currency: 'USD',
      category: 'web development',
    },
  });
  const contractId = ((await contract.json()) as { contract: { id: string } }).contract.id;
  // What they said on the marketplace before the dispute.
  const history = await admin.post(`/api/contracts/${contractId}/history`, {
    data: {
      messages: [
        {
          externalId: 'h1',
          authorExternalId: client.sub,
          body: 'Can you deliver by Friday?',
          sentAt: '2026-11-02T09:00:00Z',
        },
        {
          externalId: 'h2',
          authorExternalId: freelancer.sub,
          body: 'Friday works for me.',
          sentAt: '2026-11-02T09:05:00Z',
        },
      ],
    },
  });
  expect(await history.json()).toEqual({ imported: 2, skipped: 0 });
  // The client, signed on server to server, files the dispute with its bearer session.
  const sso = await admin.post('/api/auth/sso', { data: { token: mint(client) } });
  const { sessionToken } = (await sso.json()) as { sessionToken: string; user: User };
  const bearer = { authorization: `Bearer ${sessionToken}` };
  const filed = await admin.post('/api/disputes', {
    headers: bearer,
    data: { contractId, reason: 'quality', description: 'Not as agreed.', claimCents: 10_000 },
  });
  expect(filed.status()).toBe(201);
  const dispute = ((await filed.json()) as { dispute: Dispute }).dispute;
  return { freelancer, dispute, bearer };
}

const events = (page: Page) =>
  page.evaluate(() => (window as unknown as { events: { type: string }[] }).events);
const roomFrame = async (page: Page): Promise<Frame> => {
  await expect
    .poll(() => page.frames().some((f) => f.url().includes('/embed/disputes/')))
    .toBe(true);
  return page.frames().find((f) => f.url().includes('/embed/disputes/'))!;
};

test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // Third-party cookies blocked, as Chrome does for a growing share of its users.
    args: ['--no-sandbox', '--disable-gpu', '--test-third-party-cookie-phaseout'],
  },
});

test('a marketplace page on another site embeds the room, signs in by postMessage, and talks both ways', async ({
  page,
  request,
}) => {
  const { freelancer, dispute, bearer } = await setUp(request);
  const market = await startMarketplace(Number(process.env.E2E_HOST_PORT), freelancer, dispute.id);
  try {
    await page.goto(market.url);
    const frame = await roomFrame(page);
    // The frame is cross-site and may not use its cookies: everything below runs on the token.
    expect(await frame.evaluate(() => document.hasStorageAccess())).toBe(false);
    expect(frame.url()).toBe(`${roomUrl}/embed/disputes/${dispute.id}`);
    const room = frame.getByTestId('dispute-room');
    await expect(room).toBeVisible();
    await expect(frame.getByText('Not as agreed.')).toBeVisible();
    const prior = frame.getByTestId('prior-conversation');
    await expect(prior.getByTestId('prior-message')).toHaveText([
      /Can you deliver by Friday\?/,
      /Friday works for me\./,
    ]);

    await expect
      .poll(async () => (await events(page)).map((e) => e.type))
      .toEqual(expect.arrayContaining(['ready', 'resize', 'unread', 'state']));
    const ready = (await events(page)).find((e) => e.type === 'ready') as unknown as {
      user: { name: string; role: string };
    };
    expect(ready.user).toMatchObject({ name: 'Felix Market', role: 'freelancer' });
    // The host's theme reached the room's CSS variables.
    expect(
      await frame.evaluate(() =>
        getComputedStyle(document.documentElement).getPropertyValue('--accent').trim(),
      ),
    ).toBe('rgb(180, 84, 26)');

    // Sends, over the token socket.
    const composer = frame.getByTestId('composer');
    await composer.fill('Hello from inside the marketplace');
    await composer.press('Enter');
    await expect
      .poll(async () => {
        const res = await request.get(`/api/disputes/${dispute.id}/messages?channel=joint`, {
          headers: bearer,
        });
        return ((await res.json()) as { messages: { body: string }[] }).messages.map((m) => m.body);
      })
      .toContain('Hello from inside the marketplace');
    await expect(frame.getByText('Hello from inside the marketplace')).toBeVisible();

    // Receives, live: the client writes from elsewhere.
    const reply = await request.post(`/api/disputes/${dispute.id}/messages`, {
      headers: bearer,
      data: { channel: 'joint', body: 'Reply from the client', clientMsgId: uniqueTag() },
    });
    expect(reply.status()).toBe(201);
    await expect(frame.getByText('Reply from the client')).toBeVisible();
    // Evidence loads without a cookie too: the thumbnail is fetched with the bearer token.
    const upload = await request.post(`/api/disputes/${dispute.id}/evidence`, {
      headers: bearer,
      multipart: {
        channel: 'joint',
        file: { name: 'proof.png', mimeType: 'image/png', buffer: makePng(8, 8) },
      },
    });
    expect(upload.status()).toBe(201);
    const thumb = frame.locator('img.attachment-thumb');
    await expect(thumb).toBeVisible();
    await expect
      .poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(8);
    const unread = (await events(page)).filter((e) => e.type === 'unread');
    expect(unread.length).toBeGreaterThan(0);
  } finally {
    await market.close();
  }
});

test('the same page on an origin not in EMBED_ORIGINS cannot frame the room; the app itself refuses frames', async ({
  page,
  request,
}) => {
  const { freelancer, dispute } = await setUp(request);
  const other = await startMarketplace(0, freelancer, dispute.id);
  try {
    const refused = page.waitForEvent('console', (m) => /frame-ancestors/.test(m.text()));
    await page.goto(other.url);
    await refused;
    const frame = await roomFrame(page).catch(() => null);
    if (frame) await expect(frame.getByTestId('dispute-room')).toHaveCount(0);
    expect(await events(page)).toEqual([]);
  } finally {
    await other.close();
  }
  const embed = await request.get(`/embed/disputes/${dispute.id}`);
  expect(embed.headers()['content-security-policy']).toContain(
    `frame-ancestors http://127.0.0.1:${process.env.E2E_HOST_PORT}`,
  );
  const app = await request.get('/');
  expect(app.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  const script = await request.get('/embed.js');
  expect(script.headers()['cross-origin-resource-policy']).toBe('cross-origin');
});
