import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import {
  test as base,
  expect,
  type APIRequestContext,
  type APIResponse,
  type BrowserContext,
  type Locator,
  type Page,
  type TestInfo,
  type WebSocketRoute,
} from '@playwright/test';
import type { Contract, Dispute, FileDisputeBody, Role, User } from '@dispute-room/shared';

/** The admin the server seeds into an empty embedded database. */
const seededAdmin = { email: 'admin@demo.test', password: 'demo-room-walkthrough' };
const password = 'e2e-password-123';

export interface Account {
  user: User;
  email: string;
  password: string;
}

export interface Cast {
  client: Account;
  freelancer: Account;
  mediator: Account;
  contract: Contract;
}

/** Short and unique per call, so tests never collide with each other or with demo data. */
export function uniqueTag(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

async function json<T>(res: APIResponse, expected: number, what: string): Promise<T> {
  expect(res.status(), `${what}: ${await res.text()}`).toBe(expected);
  return (await res.json()) as T;
}

export async function loginApi(api: APIRequestContext, email: string, pass: string) {
  await json(
    await api.post('/api/auth/login', { data: { email, password: pass } }),
    200,
    `login ${email}`,
  );
}

/**
 * Fresh client, freelancer and mediator with a contract between the first two, made
 * through the API as the seeded admin (the `request` fixture keeps the admin's cookie).
 * The contract holds $500.00 in escrow.
 */
export async function createCast(admin: APIRequestContext): Promise<Cast> {
  const tag = uniqueTag();
  await loginApi(admin, seededAdmin.email, seededAdmin.password);
  const createUser = async (role: Role, name: string): Promise<Account> => {
    const email = `${role}-${tag}@e2e.test`;
    const { user } = await json<{ user: User }>(
      await admin.post('/api/users', { data: { email, name, role, password } }),
      201,
      `create ${role}`,
    );
    return { user, email, password };
  };
  // Emails are unique; names need not be (each test has its own people and dispute).
  const client = await createUser('client', 'Clara Jensen');
  const freelancer = await createUser('freelancer', 'Felix Ortega');
  const mediator = await createUser('mediator', 'Maya Okafor');
  const { contract } = await json<{ contract: Contract }>(
    await admin.post('/api/contracts', {
      data: {
        title: 'Landing page redesign',
        clientId: client.user.id,
        freelancerId: freelancer.user.id,
        escrowCents: 50_000,
        currency: 'USD',
      },
    }),
    201,
    'create contract',
  );
  return { client, freelancer, mediator, contract };
}

/** Files a dispute through the API, as the given party (logged in on `api`). */
export async function fileDisputeApi(
  api: APIRequestContext,
  body: FileDisputeBody,
): Promise<Dispute> {
  const { dispute } = await json<{ dispute: Dispute }>(
    await api.post('/api/disputes', { data: body }),
    201,
    'file dispute',
  );
  return dispute;
}

/** Signs in through the login form and waits for the signed-in shell. */
export async function loginViaUi(page: Page, account: Account): Promise<void> {
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'The dispute room' })).toBeVisible();
  await page.getByLabel('Email', { exact: true }).fill(account.email);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
  await expect(page.getByRole('banner').getByText(account.user.name)).toBeVisible();
}

/**
 * Browser windows of their own (separate contexts: separate cookies and sockets),
 * signed in through the UI and closed after the test.
 */
export const test = base.extend<{
  signIn: (account: Account, prepare?: (page: Page) => Promise<void>) => Promise<Page>;
}>({
  signIn: async ({ browser, baseURL }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (account, prepare) => {
      const context = await browser.newContext({
        baseURL,
        viewport: { width: 1440, height: 900 },
        timezoneId: 'UTC',
        locale: 'en-US',
      });
      contexts.push(context);
      const page = await context.newPage();
      await prepare?.(page);
      await loginViaUi(page, account);
      return page;
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
});

export { expect };

/** The dispute list entry of one dispute, in the sidebar. */
export function disputeItem(page: Page, disputeId: string): Locator {
  return page.locator(`[data-testid="dispute-item"][data-dispute-id="${disputeId}"]`);
}

/** Stored (not pending) thread entries whose text contains `text`. */
export function messagesWith(page: Page, text: string): Locator {
  return page.getByTestId('message').filter({ hasText: text });
}

/** Types into the composer of the active channel and sends with the Send button. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByTestId('send-button').click();
  // Stored and acknowledged: the optimistic copy has been replaced by the real entry.
  await expect(messagesWith(page, text)).toHaveCount(1);
  await expect(page.getByTestId('message-pending').filter({ hasText: text })).toHaveCount(0);
}

/** The seq numbers of the shown entries of one channel, in document order. */
export async function shownSeqs(page: Page, channel: string): Promise<number[]> {
  return page
    .locator(`[data-testid="message"][data-channel="${channel}"]`)
    .evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-seq'))));
}

const screenshotsDir = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** A picture of the room as one role sees it: attached to the report and kept on disk. */
export async function saveRoomScreenshot(page: Page, role: string, testInfo: TestInfo) {
  mkdirSync(screenshotsDir, { recursive: true });
  const body = await page.screenshot({ path: join(screenshotsDir, `room-${role}.png`) });
  await testInfo.attach(`room-${role}`, { body, contentType: 'image/png' });
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A small valid RGB PNG (diagonal colour bands), made here so the test needs no fixture file. */
export function makePng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3); // filter byte 0, then pixels
    for (let x = 0; x < width; x += 1) {
      const band = Math.floor((x + y) / 8) % 3;
      row[1 + x * 3] = band === 0 ? 220 : 40;
      row[2 + x * 3] = band === 1 ? 180 : 60;
      row[3 + x * 3] = band === 2 ? 230 : 90;
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Puts a page's Socket.IO traffic behind a switch: `cut()` really closes the open WebSocket
 * (both ends) and refuses new attempts, WebSocket and long-polling alike, until `restore()`.
 * Install before the page opens its socket.
 */
export class SocketSwitch {
  private readonly open = new Set<{
    page: WebSocketRoute;
    server: WebSocketRoute;
    closed: boolean;
  }>();
  private down = false;
  /** Sockets that completed the Engine.IO upgrade (the page sent the "5" upgrade packet). */
  private upgraded = 0;

  async install(page: Page): Promise<void> {
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      if (this.down) {
        void ws.close({ code: 4000, reason: 'network down (test)' });
        return;
      }
      const server = ws.connectToServer();
      const pair = { page: ws, server, closed: false };
      this.open.add(pair);
      ws.onMessage((message) => {
        if (message === '5') this.upgraded += 1;
        server.send(message);
      });
      // With these handlers the close is forwarded by hand (without the code: a browser
      // WebSocket refuses most codes in close()).
      ws.onClose(() => {
        if (pair.closed) return;
        pair.closed = true;
        this.open.delete(pair);
        void server.close();
      });
      server.onClose(() => {
        if (pair.closed) return;
        pair.closed = true;
        this.open.delete(pair);
        void ws.close();
      });
    });
    await page.route(/\/socket\.io\//, (route) =>
      this.down ? route.abort('internetdisconnected') : route.continue(),
    );
  }

  /** Sockets open right now through the switch. */
  get openCount(): number {
    return this.open.size;
  }

  get upgradedCount(): number {
    return this.upgraded;
  }

  async cut(): Promise<void> {
    this.down = true;
    const pairs = [...this.open];
    this.open.clear();
    for (const pair of pairs) pair.closed = true;
    await Promise.all(
      pairs.flatMap(({ page, server }) => [
        server.close({ code: 4000, reason: 'cut (test)' }),
        page.close({ code: 4000, reason: 'cut (test)' }),
      ]),
    );
  }

  restore(): void {
    this.down = false;
  }
}
