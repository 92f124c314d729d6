import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import type { Contract, User } from '@dispute-room/shared';
import {
  createCast,
  disputeItem,
  expect,
  fileDisputeApi,
  test,
  uniqueTag,
  type Account,
} from './helpers';

const shots = fileURLToPath(new URL('../screenshots/', import.meta.url));
/** The web client's page of the dispute list (client/src/stores/disputes.ts). */
const PAGE = 50;
const FILED = PAGE + 4;

async function phone(page: Page): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
}

test('the dispute list shows 50 at a time and the older ones on request, for every role', async ({
  request,
  signIn,
}) => {
  test.setTimeout(180_000);
  const cast = await createCast(request);
  // More disputes than a page, each on a contract of its own between the same two people.
  const contracts: Contract[] = [cast.contract];
  for (let i = contracts.length; i < FILED; i++) {
    const res = await request.post('/api/contracts', {
      data: {
        title: `Landing page, part ${i + 1}`,
        clientId: cast.client.user.id,
        freelancerId: cast.freelancer.user.id,
        escrowCents: 50_000,
        currency: 'USD',
      },
    });
    expect(res.status()).toBe(201);
    contracts.push(((await res.json()) as { contract: Contract }).contract);
  }
  const client = await signIn(cast.client);
  const filed = [];
  for (const contract of contracts)
    filed.push(
      await fileDisputeApi(client.request, {
        contractId: contract.id,
        reason: 'quality',
        description: `Part of the landing page was not delivered (${contract.title}).`,
        claimCents: 10_000,
      }),
    );
  // The freelancer rejects all: each waits for a mediator, so a mediator's list holds them too.
  const freelancer = await signIn(cast.freelancer);
  for (const d of filed) {
    const res = await freelancer.request.post(`/api/disputes/${d.id}/respond`, {
      data: { accept: false },
    });
    expect(res.status()).toBe(200);
  }

  mkdirSync(shots, { recursive: true });
  const oldest = filed[0]!;
  const newest = filed.at(-1)!;
  // Staff see every dispute: these are the newest, so their first page is these too.
  const ops: Account = {
    email: `ops-${uniqueTag()}@e2e.test`,
    password: 'e2e-password-123',
  } as Account;
  const made = await request.post('/api/users', {
    data: { email: ops.email, name: 'Olu Mensah', role: 'ops', password: ops.password },
  });
  expect(made.status()).toBe(201);
  ops.user = ((await made.json()) as { user: User }).user;
  const pages: Record<string, () => Promise<Page>> = {
    client: async () => client,
    freelancer: async () => freelancer,
    mediator: () => signIn(cast.mediator),
    ops: () => signIn(ops),
  };
  for (const [role, open] of Object.entries(pages)) {
    const page = await open();
    const party = role === 'client' || role === 'freelancer';
    // Signed in before the filings, the parties' lists took them live: a fresh load is paged.
    await page.goto('/');
    const items = page.getByTestId('dispute-item');
    await expect(disputeItem(page, newest.id)).toBeVisible();
    const older = page.getByTestId('list-older');
    await expect(older).toBeVisible();
    // A party's list is exactly their first page; a mediator's and staff's hold others' too.
    if (party) await expect(items).toHaveCount(PAGE);
    // A mediator's client also loads the whole queue (for the queue page), which the list
    // shows: there the older page adds only their own older disputes.
    if (role !== 'mediator') await expect(disputeItem(page, oldest.id)).toHaveCount(0);
    await older.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, `list-older-${role}-desktop.png`) });
    await older.click();
    await expect(disputeItem(page, oldest.id)).toBeVisible();
    if (party) {
      await expect(items).toHaveCount(FILED);
      await expect(older).toHaveCount(0);
    }
    // A filter pages on its own, from its first page; what older pages showed stays shown.
    await page.getByTestId('filter-mediation').click();
    await expect(disputeItem(page, newest.id)).toBeVisible();
    await expect(page.getByTestId('list-older')).toBeVisible();
    await expect(disputeItem(page, oldest.id)).toBeVisible();
    await page.getByTestId('filter-all').click();
    await expect(disputeItem(page, newest.id)).toBeVisible();

    await phone(page);
    await page.goto('/');
    await expect(disputeItem(page, newest.id)).toBeVisible();
    await page.getByTestId('list-older').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, `list-older-${role}-phone.png`) });
    await page.getByTestId('list-older').click();
    await expect(disputeItem(page, oldest.id)).toBeVisible();
  }
});
