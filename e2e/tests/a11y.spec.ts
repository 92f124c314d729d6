import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { createCast, expect, fileDisputeApi, test } from './helpers';

/** The accounts the server seeds into the e2e database (one per role, the demo password). */
const roles = ['client', 'freelancer', 'mediator', 'ops', 'admin'] as const;
type SeededRole = (typeof roles)[number];
const demoPassword = 'demo-room-walkthrough';

const viewports = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/** Serious and critical WCAG 2.x A/AA findings of the page as it is now, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary}`),
    );
}

async function signInSeeded(page: Page, role: SeededRole): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill(`${role}@demo.test`);
  await page.getByLabel('Password', { exact: true }).fill(demoPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
}

/** Each dispute the signed-in user can open, by path. */
async function disputePaths(page: Page): Promise<string[]> {
  const res = await page.request.get('/api/disputes');
  expect(res.status()).toBe(200);
  const { disputes } = (await res.json()) as { disputes: { id: string }[] };
  return disputes.map((d) => `/disputes/${d.id}`);
}

const staffPages: Record<SeededRole, string[]> = {
  client: ['/file-dispute'],
  freelancer: ['/file-dispute'],
  mediator: ['/queue'],
  ops: ['/ops', '/ops/search'],
  admin: ['/ops', '/ops/search'],
};

for (const [device, viewport] of Object.entries(viewports)) {
  test(`axe finds nothing serious on the login page (${device})`, async ({ browser, baseURL }) => {
    const context = await browser.newContext({ baseURL, viewport });
    const page = await context.newPage();
    await page.goto('/login');
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  for (const role of roles) {
    test(`axe finds nothing serious on any page a ${role} sees (${device})`, async ({
      browser,
      baseURL,
    }) => {
      test.setTimeout(180_000);
      const context = await browser.newContext({ baseURL, viewport, timezoneId: 'UTC' });
      const page = await context.newPage();
      await signInSeeded(page, role);
      const found: Record<string, string[]> = {};
      const check = async (label: string) => {
        const violations = await seriousViolations(page);
        if (violations.length > 0) found[label] = violations;
      };

      // On a phone the list is the whole screen at "/" (no main area beside it).
      await page.goto('/');
      await expect(page.getByRole('heading', { name: /^Disputes/ })).toBeVisible();
      await page.waitForLoadState('networkidle');
      await check('/');

      for (const path of staffPages[role]) {
        await page.goto(path);
        await expect(page.getByRole('main')).not.toContainText('Loading…');
        await page.waitForLoadState('networkidle');
        await check(path);
      }

      const rooms = await disputePaths(page);
      expect(rooms.length).toBeGreaterThan(0);
      // Every room as it opens; the channels and side panels of the first live one too.
      let explored = false;
      for (const path of rooms) {
        await page.goto(path);
        await expect(page.getByRole('main').locator('.spinner')).toHaveCount(0);
        await expect(page.locator('#room-title')).toBeVisible();
        await check(path);
        const live = page.getByTestId('dispute-room').locator('[data-testid="composer"]');
        if (explored || (await live.count()) === 0) continue;
        explored = true;
        for (const tab of await page
          .getByRole('tablist', { name: 'Channels' })
          .getByRole('tab')
          .all()) {
          await tab.click();
          await check(`${path} channel ${await tab.getAttribute('data-testid')}`);
        }
        const sideToggle = page.getByRole('button', { name: /^Details/ });
        if (await sideToggle.isVisible()) await sideToggle.click();
        for (const side of ['offers', 'evidence', 'details']) {
          await page.getByTestId(`side-tab-${side}`).click();
          await check(`${path} side ${side}`);
        }
      }

      if (role === 'ops' || role === 'admin') {
        const [first] = rooms;
        await page.goto(first!.replace('/disputes/', '/ops/disputes/'));
        await expect(page.getByRole('main')).not.toContainText('Loading…');
        await page.waitForLoadState('networkidle');
        await check('ops transcript');
      }

      if (Object.keys(found).length > 0) console.log(JSON.stringify(found, null, 1));
      expect(found).toEqual({});
      await context.close();
    });
  }
}

// Right to left, with lang="ar" on the page: the room, its channels and side panels.
for (const [device, viewport] of Object.entries(viewports)) {
  test(`axe finds nothing serious in a room in Arabic (${device})`, async ({ request, signIn }) => {
    const cast = await createCast(request);
    const page = await signIn(cast.client);
    await page.setViewportSize(viewport);
    const dispute = await fileDisputeApi(page.request, {
      contractId: cast.contract.id,
      reason: 'quality',
      description: 'The mobile layout agreed in the brief was not delivered.',
      claimCents: 40_000,
    });
    const { preferences } = await (await page.request.get('/api/me/preferences')).json();
    await page.request.put('/api/me/preferences', { data: { ...preferences, locale: 'ar' } });
    await page.goto(`/disputes/${dispute.id}`);
    await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
    await expect(page.locator('#room-title')).toBeVisible();
    await page.waitForLoadState('networkidle');
    const found: Record<string, string[]> = {};
    const check = async (label: string) => {
      const violations = await seriousViolations(page);
      if (violations.length > 0) found[label] = violations;
    };
    await check('room');
    const sideToggle = page.locator('.side-toggle');
    if (await sideToggle.isVisible()) await sideToggle.click();
    for (const side of ['offers', 'evidence', 'details']) {
      await page.getByTestId(`side-tab-${side}`).click();
      await check(`side ${side}`);
    }
    await page.goto('/settings/notifications');
    await expect(page.getByTestId('locale-select')).toHaveValue('ar');
    await check('settings');
    if (Object.keys(found).length > 0) console.log(JSON.stringify(found, null, 1));
    expect(found).toEqual({});
  });
}
