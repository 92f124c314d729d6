import type { APIResponse, Page } from '@playwright/test';
import {
  createCast,
  expect,
  fileDisputeApi,
  makePng,
  messagesWith,
  sendMessage,
  test,
  type Account,
  type Cast,
} from './helpers';

const description = 'The landing page was delivered without the mobile layout agreed in the brief.';
const rejectionNote = 'Mobile was planned as the second milestone, not this one.';

async function ok(res: APIResponse, what: string): Promise<void> {
  expect(res.ok(), `${what}: ${await res.text()}`).toBe(true);
}

async function openRoom(page: Page, disputeId: string): Promise<void> {
  await page.goto(`/disputes/${disputeId}`);
  await expect(page.getByTestId('dispute-room')).toHaveAttribute('data-dispute-id', disputeId);
}

/** The three of a fresh cast signed in, and a dispute the client filed (claim $400.00). */
async function filed(cast: Cast, signIn: (a: Account) => Promise<Page>) {
  const client = await signIn(cast.client);
  const freelancer = await signIn(cast.freelancer);
  const mediator = await signIn(cast.mediator);
  const dispute = await fileDisputeApi(client.request, {
    contractId: cast.contract.id,
    reason: 'quality',
    description,
    claimCents: 40_000,
  });
  return { client, freelancer, mediator, disputeId: dispute.id };
}

/** As `filed`, then rejected by the freelancer (with a note) and claimed by the mediator. */
async function inMediation(cast: Cast, signIn: (a: Account) => Promise<Page>) {
  const room = await filed(cast, signIn);
  await ok(
    await room.freelancer.request.post(`/api/disputes/${room.disputeId}/respond`, {
      data: { accept: false, note: rejectionNote },
    }),
    'reject',
  );
  await ok(await room.mediator.request.post(`/api/disputes/${room.disputeId}/assign`), 'claim');
  for (const page of [room.client, room.freelancer, room.mediator]) {
    await openRoom(page, room.disputeId);
  }
  return room;
}

test('the respondent reads the deadline with its consequence; the rejection note stays in the thread', async ({
  request,
  signIn,
}) => {
  const cast = await createCast(request);
  const { client, freelancer, disputeId } = await filed(cast, signIn);
  await openRoom(freelancer, disputeId);
  await expect(freelancer.getByTestId('respond-deadline')).toHaveText(
    /^You must respond by .+; otherwise the dispute is resolved in the client’s favour\.$/,
  );
  await openRoom(client, disputeId);
  await expect(client.getByTestId('respond-deadline')).toHaveCount(0);

  await freelancer.getByTestId('respond-reject').click();
  await freelancer.getByLabel('Note (optional)').fill(rejectionNote);
  await freelancer.getByTestId('respond-reject-confirm').click();
  for (const page of [client, freelancer]) {
    await expect(
      page.getByTestId('thread').getByTestId('message').filter({ hasText: 'rejected the claim' }),
    ).toContainText(`Note: ${rejectionNote}`);
  }
});

test('every channel shows who reads it; a mediator picks the channel on the composer', async ({
  request,
  signIn,
}) => {
  const cast = await createCast(request);
  const { client, mediator } = await inMediation(cast, signIn);
  const panel = (page: Page) => page.locator('.thread-panel');
  const audience = (page: Page) => page.getByTestId('composer-audience');

  await expect(panel(mediator)).toHaveAttribute('data-audience', 'joint');
  await expect(audience(mediator)).toHaveText(
    'Everyone in the dispute sees this: Clara Jensen (client), Felix Ortega (freelancer) and Maya Okafor (mediator).',
  );
  await expect(mediator.getByTestId('send-button')).toHaveText('Send to everyone');
  const jointColour = await panel(mediator).evaluate((el) => getComputedStyle(el).backgroundColor);

  // The switch on the composer changes the channel: thread, tint, audience and button.
  await mediator.getByTestId('composer-switch-internal').click();
  await expect(mediator.getByTestId('channel-tab-internal')).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await expect(panel(mediator)).toHaveAttribute('data-audience', 'internal');
  await expect(panel(mediator)).toHaveCSS('background-color', 'rgb(254, 249, 195)');
  expect(jointColour).not.toBe('rgb(254, 249, 195)');
  await expect(audience(mediator)).toHaveText(
    'Internal note: only mediators and ops see this, never the parties.',
  );
  await expect(mediator.getByTestId('send-button')).toHaveText('Add internal note');
  const note = 'Client seems open to a partial refund.';
  await sendMessage(mediator, note);
  await expect(messagesWith(mediator, note)).toHaveAttribute('data-channel', 'internal');

  await mediator.getByTestId('composer-switch-caucus:client').click();
  await expect(panel(mediator)).toHaveAttribute('data-audience', 'caucus');
  // One thread at a time: the internal note went with its channel.
  await expect(mediator.getByTestId('thread')).toHaveCount(1);
  await expect(mediator.getByTestId('thread')).toHaveAttribute('data-channel', 'caucus:client');
  await expect(mediator.getByText(note)).toHaveCount(0);
  await expect(audience(mediator)).toHaveText(
    'Private: only you and Clara Jensen (client) see this. The other party never does.',
  );
  await expect(mediator.getByTestId('send-button')).toHaveText('Send privately');
  await sendMessage(mediator, 'Between us: what would you accept?');

  await client.getByTestId('channel-tab-caucus:client').click();
  await expect(panel(client)).toHaveAttribute('data-audience', 'caucus');
  await expect(audience(client)).toHaveText(
    'Private: only you and Maya Okafor (mediator) see this. The other party never does.',
  );
  // A party has one place to write per tab: no switch of channels on the composer.
  await expect(client.getByRole('radiogroup', { name: 'Post to' })).toHaveCount(0);
  await expect(client.getByText(note)).toHaveCount(0);
});

test('a settlement: answering is the primary action, accepting restates the split, the outcome says how', async ({
  request,
  signIn,
  browser,
  baseURL,
}) => {
  const cast = await createCast(request);
  const { client, freelancer, mediator, disputeId } = await inMediation(cast, signIn);
  await ok(
    await mediator.request.post(`/api/disputes/${disputeId}/proposals`, {
      data: { clientCents: 30_000, freelancerCents: 20_000, note: 'Desktop is usable.' },
    }),
    'recommend',
  );

  // The answer is the primary action; leaving mediation is there but quiet.
  await expect(client.getByTestId('offer-action')).toHaveText('Answer the offer');
  await expect(client.getByTestId('offer-action')).toHaveClass(/btn-primary/);
  await expect(client.getByTestId('escalate')).not.toHaveClass(/btn-danger|btn-primary/);
  await expect(mediator.getByTestId('offer-action')).toHaveText('Recommend a split');

  // The proposal in the thread asks the parties, not its author.
  const ref = (page: Page) => page.getByTestId('thread').getByTestId('proposal-ref');
  await expect(ref(client)).toContainText('#1');
  await expect(ref(mediator)).toBeVisible();
  await expect(ref(mediator).getByTestId('proposal-accept')).toHaveCount(0);
  await ref(client).getByTestId('proposal-accept').click();
  await expect(ref(client).getByTestId('proposal-accept-question')).toContainText(
    'The client receives $300.00 and the freelancer $200.00.',
  );
  await ref(client).getByTestId('proposal-accept-confirm').click();
  await expect(ref(client).getByTestId('proposal-accept')).toHaveCount(0);

  // The freelancer's Offers panel: the waiting offer first, a new offer starting from it.
  await freelancer.getByTestId('offer-action').click();
  const awaiting = freelancer.getByTestId('proposal-awaiting');
  await expect(awaiting).toContainText('Recommendation #1');
  const form = freelancer.getByTestId('proposal-form');
  await expect(form.getByLabel('Client receives')).toHaveValue('300.00');
  await expect(form.getByLabel('Freelancer receives')).toHaveValue('200.00');
  const [awaitingBox, formBox] = [await awaiting.boundingBox(), await form.boundingBox()];
  expect(awaitingBox!.y).toBeLessThan(formBox!.y);
  await awaiting.getByTestId('proposal-accept').click();
  await expect(awaiting.getByTestId('proposal-accept-question')).toContainText(
    'The other party has accepted already',
  );
  await awaiting.getByTestId('proposal-accept-confirm').click();

  for (const page of [client, freelancer, mediator]) {
    await expect(page.getByTestId('resolution-how')).toContainText(
      'Both parties accepted proposal #1 on',
    );
    await expect(page.getByTestId('resolved-banner')).not.toContainText('Decided by');
  }

  // The arbitration export says the same, with full hashes and words for events.
  const html = await (
    await request.get(`/api/ops/disputes/${disputeId}/export?format=html`)
  ).text();
  expect(html).toContain('Both parties accepted proposal #1');
  expect(html).toContain('Proposal accepted');
  expect(html).not.toMatch(/<td>proposal_accepted<\/td>/);
  expect(html).toMatch(/<td class="hash">[0-9a-f]{64}<\/td>/);
  expect(html).not.toContain('…</td>');

  // "Printable page" opens the print view instead of downloading.
  const print = await request.get(`/api/ops/disputes/${disputeId}/export?format=html&print=true`);
  expect(print.headers()['content-disposition']).toBeUndefined();
  expect(await print.text()).toContain('window.print()');
  const opsContext = await browser.newContext({ baseURL });
  const ops = await opsContext.newPage();
  await ops.goto('/login');
  await ops.getByLabel('Email', { exact: true }).fill('admin@demo.test');
  await ops.getByLabel('Password', { exact: true }).fill('demo-room-walkthrough');
  await ops.getByRole('button', { name: 'Sign in' }).click();
  await expect(ops.getByRole('button', { name: 'Log out' })).toBeVisible();
  await ops.goto(`/ops/disputes/${disputeId}`);
  const printLink = ops.getByTestId('export-print');
  await expect(printLink).toHaveAttribute('target', '_blank');
  await expect(printLink).toHaveAttribute('href', /format=html&print=true$/);
  await expect(printLink).not.toHaveAttribute('download', /.*/);

  // Ops search names the mediator, in the results and in the filter; no ids to paste.
  await ops.goto(`/ops/search?q=${encodeURIComponent(cast.contract.title)}`);
  const row = ops.locator(`[data-testid="ops-result"][data-dispute-id="${disputeId}"]`);
  await expect(row).toContainText(cast.mediator.user.name);
  await expect(row).not.toContainText(cast.mediator.user.id.slice(-4));
  const filter = ops.getByTestId('ops-filter-mediator');
  // Every e2e cast's mediator has the same name: pick this one's option, named by name.
  await expect(filter.locator(`option[value="${cast.mediator.user.id}"]`)).toHaveText(
    cast.mediator.user.name,
  );
  await filter.selectOption(cast.mediator.user.id);
  await expect(ops).toHaveURL(new RegExp(`mediatorId=${cast.mediator.user.id}`));
  await expect(row).toBeVisible();
  await opsContext.close();
});

test('attached files are shown with their channel and a description before they post; thread previews open the dialog', async ({
  request,
  signIn,
}) => {
  const cast = await createCast(request);
  const { client, freelancer, disputeId } = await inMediation(cast, signIn);
  const file = { name: 'home-390.png', mimeType: 'image/png', buffer: makePng(64, 48) };

  const chooser = client.waitForEvent('filechooser');
  await client.getByTestId('attach-button').click();
  await (await chooser).setFiles(file);
  const stage = client.getByTestId('stage-evidence');
  await expect(stage.getByRole('heading')).toHaveText('Post this file to Joint?');
  await expect(stage.getByTestId('stage-audience')).toContainText('Everyone in the dispute');
  await expect(stage.getByTestId('staged-file')).toContainText('home-390.png');
  await expect(stage.getByTestId('staged-description')).toBeFocused();
  await stage.getByRole('button', { name: 'Cancel' }).click();
  await expect(stage).toHaveCount(0);
  await expect(client.getByTestId('attach-button')).toBeFocused();
  const none = await (await client.request.get(`/api/disputes/${disputeId}/evidence`)).json();
  expect(none).toEqual({ evidence: [] });

  await client.getByTestId('file-input').setInputFiles(file);
  await stage.getByTestId('staged-description').fill('Home page at 390 px');
  await stage.getByTestId('stage-post').click();
  const thumb = freelancer.getByTestId('thread').getByTestId('attachment-preview');
  await expect(thumb).toBeVisible();
  await expect(freelancer.getByTestId('thread').getByTestId('attachment')).toContainText(
    'Home page at 390 px',
  );
  await thumb.click();
  const dialog = freelancer.getByRole('dialog', { name: 'Preview of home-390.png' });
  await expect(dialog.getByRole('img', { name: 'Home page at 390 px' })).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
  await freelancer.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(thumb).toBeFocused();
});

test('after the end: arbitration says what happens next; nobody is asked to rate a dispute no mediator handled', async ({
  request,
  signIn,
}) => {
  const cast = await createCast(request);
  const { client, freelancer, disputeId } = await inMediation(cast, signIn);
  // Escalating is a quiet button that asks first; focus goes in and comes back on cancel.
  const escalate = client.getByTestId('escalate');
  await escalate.click();
  await expect(client.getByLabel('Note (optional)')).toBeFocused();
  await client.keyboard.press('Escape');
  await expect(escalate).toBeFocused();
  await escalate.click();
  await client.getByTestId('escalate-confirm').click();
  for (const page of [client, freelancer]) {
    await expect(page.getByTestId('arbitration-next')).toContainText(
      'an arbitrator reviews the full record',
    );
    await expect(page.getByTestId('resolution-how')).toContainText(
      'Escalated to arbitration by Clara Jensen',
    );
  }
  await expect(client.getByTestId('feedback-form')).toBeVisible();

  // Withdrawn before any mediator joined: no rating, the outcome says who withdrew.
  const next = await createCast(request);
  const claimant = await signIn(next.client);
  const withdrawn = await fileDisputeApi(claimant.request, {
    contractId: next.contract.id,
    reason: 'quality',
    description,
    claimCents: 40_000,
  });
  await ok(
    await claimant.request.post(`/api/disputes/${withdrawn.id}/withdraw`, { data: {} }),
    'withdraw',
  );
  await openRoom(claimant, withdrawn.id);
  await expect(claimant.getByTestId('resolution-how')).toContainText(
    'The claimant withdrew the dispute on',
  );
  await expect(claimant.getByTestId('resolved-banner')).toBeVisible();
  await expect(claimant.getByTestId('feedback-form')).toHaveCount(0);
  expect(disputeId).not.toBe(withdrawn.id);
});

test('filing: the claim starts empty; a contract with a dispute in progress says so before submit, with a link', async ({
  request,
  signIn,
}) => {
  const cast = await createCast(request);
  const client = await signIn(cast.client);
  await client.goto('/file-dispute');
  const form = client.getByTestId('file-dispute-form');
  const claim = form.getByLabel(/^Amount you claim/);
  await expect(claim).toHaveValue('');
  await expect(claim).toHaveAttribute('required', '');
  await expect(form.getByRole('button', { name: 'File dispute' })).toBeDisabled();

  const dispute = await fileDisputeApi(client.request, {
    contractId: cast.contract.id,
    reason: 'quality',
    description,
    claimCents: 10_000,
  });
  await client.goto('/file-dispute');
  const notice = client.getByTestId('file-active-dispute');
  await expect(notice).toContainText('This contract already has a dispute in progress');
  await expect(form.getByRole('button', { name: 'File dispute' })).toBeDisabled();
  await notice.getByRole('link', { name: new RegExp(dispute.number) }).click();
  await expect(client).toHaveURL(new RegExp(`/disputes/${dispute.id}$`));
});

test('the list badge says what it counts: unread messages', async ({ request, signIn }) => {
  const cast = await createCast(request);
  const { client, mediator, disputeId } = await inMediation(cast, signIn);
  await client.goto('/');
  await sendMessage(mediator, 'Good morning both.');
  await expect(client.getByTestId('unread-total')).toHaveText(/^\d+ unread$/);
  expect(disputeId).toBeTruthy();
});

test('new messages are announced: the thread is a polite log, the author read before the text', async ({
  request,
  signIn,
}) => {
  const cast = await createCast(request);
  const { client, mediator } = await inMediation(cast, signIn);
  const log = client.getByRole('log', { name: 'Joint messages' });
  await expect(log).toHaveAttribute('aria-live', 'polite');
  await sendMessage(mediator, 'First point.');
  await sendMessage(mediator, 'Second point, right after.');
  for (const text of ['First point.', 'Second point, right after.']) {
    const entry = log.getByTestId('message').filter({ hasText: text });
    await expect(entry).toBeVisible();
    // Also an entry grouped under the previous one names its author first for a reader.
    const spoken = await entry.evaluate((el) => el.textContent ?? '');
    expect(spoken.indexOf('Maya Okafor')).toBeGreaterThanOrEqual(0);
    expect(spoken.indexOf('Maya Okafor')).toBeLessThan(spoken.indexOf(text));
  }
});

test('on a phone the thread and the composer own the screen', async ({
  browser,
  baseURL,
  request,
  signIn,
}) => {
  const cast = await createCast(request);
  const { freelancer, disputeId } = await filed(cast, signIn);
  await ok(
    await freelancer.request.post(`/api/disputes/${disputeId}/respond`, {
      data: { accept: false },
    }),
    'reject',
  );
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    timezoneId: 'UTC',
  });
  const mediator = await context.newPage();
  // The phone's top bar has no room for the user's name, which loginViaUi looks for.
  await mediator.goto('/login');
  await mediator.getByLabel('Email', { exact: true }).fill(cast.mediator.email);
  await mediator.getByLabel('Password', { exact: true }).fill(cast.mediator.password);
  await mediator.getByRole('button', { name: 'Sign in' }).click();
  await expect(mediator.getByRole('button', { name: 'Log out' })).toBeVisible();
  const dispute = { id: disputeId };
  await ok(await mediator.request.post(`/api/disputes/${dispute.id}/assign`), 'claim');
  await openRoom(mediator, dispute.id);

  expect(await mediator.locator('meta[name="viewport"]').getAttribute('content')).toContain(
    'interactive-widget=resizes-content',
  );
  await expect(mediator.getByRole('link', { name: 'Dispute room' })).toBeVisible();
  const composer = mediator.getByTestId('composer-form');
  await expect(composer).toBeInViewport({ ratio: 1 });
  const header = await mediator.locator('.room-header').boundingBox();
  expect(header!.height).toBeLessThan(90);
  const thread = await mediator.getByTestId('thread-log').boundingBox();
  expect(thread!.height).toBeGreaterThan(300);
  // Nothing around the room scrolls: the thread is the one scroller.
  expect(
    await mediator.locator('main').evaluate((el) => el.scrollHeight - el.clientHeight),
  ).toBeLessThanOrEqual(1);
  // The last channel tab scrolls into view when chosen, fully readable.
  await mediator.getByTestId('composer-switch-internal').click();
  await expect(mediator.getByTestId('channel-tab-internal')).toBeInViewport({ ratio: 0.95 });
  await expect(mediator.getByTestId('channel-tab-internal')).toHaveText('Internal notes');
  await expect(composer).toBeInViewport({ ratio: 1 });

  // The facts are one tap away, and focus comes back when the drawer closes.
  const details = mediator.getByRole('button', { name: 'Details' });
  await details.click();
  await expect(mediator.getByTestId('side-tab-details')).toBeFocused();
  await mediator.getByRole('button', { name: 'Close' }).click();
  await expect(details).toBeFocused();
  await context.close();
});
