import type { Page } from '@playwright/test';
import { createCast, expect, fileDisputeApi, messagesWith, test, type Cast } from './helpers';

async function openRoom(page: Page, disputeId: string): Promise<void> {
  await page.goto(`/disputes/${disputeId}`);
  await expect(page.getByTestId('dispute-room')).toHaveAttribute('data-dispute-id', disputeId);
}

/** A dispute the client filed on the cast's contract: $400.00 of $500.00 in escrow. */
async function fileDispute(cast: Cast, client: Page) {
  return fileDisputeApi(client.request, {
    contractId: cast.contract.id,
    reason: 'quality',
    description: 'The mobile layout agreed in the brief was not delivered.',
    claimCents: 40_000,
  });
}

/** Sets the signed-in user's language through the preferences API (the rest unchanged). */
async function preferLocale(page: Page, locale: string): Promise<void> {
  const { preferences } = await (await page.request.get('/api/me/preferences')).json();
  const res = await page.request.put('/api/me/preferences', { data: { ...preferences, locale } });
  expect(res.status(), await res.text()).toBe(200);
}

/** What the browser's own Intl makes of an amount in a language: the reference to compare. */
const intlMoney = (page: Page, locale: string, amount: number, currency: string) =>
  page.evaluate(
    ([l, a, c]) => new Intl.NumberFormat(l, { style: 'currency', currency: c }).format(a),
    [locale, amount, currency] as const,
  );

test('a user who picks Arabic gets the room in Arabic, right to left and mirrored, and writes in it', async ({
  request,
  signIn,
}) => {
  const cast = await createCast(request);
  const client = await signIn(cast.client);
  const dispute = await fileDispute(cast, client);

  // In English (the browser's language) the details panel sits right of the conversation.
  await openRoom(client, dispute.id);
  await expect(client.locator('html')).toHaveAttribute('dir', 'ltr');
  const conversation = client.getByTestId('conversation');
  const side = client.locator('#room-side');
  const ltr = { thread: await conversation.boundingBox(), side: await side.boundingBox() };
  expect(ltr.side!.x).toBeGreaterThan(ltr.thread!.x);

  // The settings page: picking the language switches the interface at once and saves it.
  await client.goto('/settings/notifications');
  await client.getByLabel('Language of the app and of emails').selectOption('ar');
  await expect(client.locator('html')).toHaveAttribute('lang', 'ar');
  await expect(client.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(client.getByRole('heading', { level: 1 })).toHaveText('الإشعارات واللغة');
  await expect(client.getByTestId('locale-saved')).toBeVisible();
  await expect
    .poll(async () => (await (await client.request.get('/api/me/preferences')).json()).preferences)
    .toMatchObject({ locale: 'ar' });

  // A fresh load of the room reads the saved choice, not the browser's language.
  await openRoom(client, dispute.id);
  await expect(client.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(client.getByRole('button', { name: 'تسجيل الخروج' })).toBeVisible();
  await expect(client.getByTestId('state-badge').first()).toHaveText('مفتوح');
  await expect(client.getByTestId('channel-tab-joint')).toHaveText('المشتركة');
  await expect(client.getByTestId('composer-audience')).toContainText('يرى هذا كل من في النزاع');
  await expect(client.getByTestId('send-button')).toHaveText('إرسال إلى الجميع');
  // The filing's system entry is worded in Arabic from its event, with Arabic money.
  const claim = await intlMoney(client, 'ar', 400, 'USD');
  await expect(
    client.getByTestId('message').filter({ hasText: `مطالبة بمبلغ ${claim}` }),
  ).toHaveCount(1);
  await expect(client.locator('.room-facts').first()).toContainText(claim);

  // Mirrored: the details panel is now on the left of the conversation.
  const rtl = { thread: await conversation.boundingBox(), side: await side.boundingBox() };
  expect(rtl.side!.x).toBeLessThan(rtl.thread!.x);
  expect(rtl.side!.x + rtl.side!.width).toBeLessThanOrEqual(rtl.thread!.x + 1);

  // Writing works as before; the text keeps its own direction.
  const text = `مرحبًا، التصميم للجوال لم يُسلَّم ${Date.now()}`;
  await client.getByLabel('الرسالة', { exact: true }).fill(text);
  await client.getByTestId('send-button').click();
  await expect(messagesWith(client, text)).toHaveCount(1);
  await expect(messagesWith(client, text).locator('.message-body')).toHaveAttribute('dir', 'auto');
  await expect(client.getByTestId('message-pending')).toHaveCount(0);
});

test('German dates and money in the reader’s language; the other party keeps English', async ({
  request,
  signIn,
}) => {
  const cast = await createCast(request);
  const client = await signIn(cast.client);
  const freelancer = await signIn(cast.freelancer);
  const dispute = await fileDispute(cast, client);
  await preferLocale(freelancer, 'de');

  await openRoom(freelancer, dispute.id);
  await expect(freelancer.locator('html')).toHaveAttribute('lang', 'de');
  await expect(freelancer.locator('html')).toHaveAttribute('dir', 'ltr');
  await freelancer.getByTestId('side-tab-details').click();
  const facts = freelancer.locator('.details-panel .facts');
  const row = (term: string) =>
    facts
      .locator('div')
      .filter({ has: freelancer.getByText(term, { exact: true }) })
      .locator('dd');
  // "400,00 $": German grouping and decimals, as the browser's Intl formats them in German.
  await expect(row('Forderung')).toHaveText(await intlMoney(freelancer, 'de', 400, 'USD'));
  await expect(row('Forderung')).toHaveText(/^400,00\s\$$/);
  // "4. Mai 2026, 10:00": day with a dot, a German month name (date-fns' de locale).
  const filed = (await row('Eröffnet').textContent()) ?? '';
  expect(filed).toMatch(/^\d{1,2}\. [\p{L}.]+ \d{4}, \d{2}:\d{2}$/u);
  const germanMonths = [
    'Jan.',
    'Feb.',
    'März',
    'Apr.',
    'Mai',
    'Juni',
    'Juli',
    'Aug.',
    'Sep.',
    'Okt.',
    'Nov.',
    'Dez.',
  ];
  expect(germanMonths).toContain(filed.split(' ')[1]);
  await expect(freelancer.getByTestId('respond-deadline')).toHaveText(
    /^Du musst bis .+ antworten; sonst wird der Streitfall zugunsten des Auftraggebers entschieden\.$/,
  );

  // Each reader has their own language: the client, who chose none, reads English.
  await openRoom(client, dispute.id);
  await expect(client.locator('html')).toHaveAttribute('lang', 'en');
  await expect(client.locator('.room-facts').first()).toContainText('$400.00');
});

test('a notification link with ?channel= opens that channel of the room', async ({
  request,
  signIn,
}) => {
  const cast = await createCast(request);
  const client = await signIn(cast.client);
  const freelancer = await signIn(cast.freelancer);
  const mediator = await signIn(cast.mediator);
  const dispute = await fileDispute(cast, client);
  expect(
    (
      await freelancer.request.post(`/api/disputes/${dispute.id}/respond`, {
        data: { accept: false },
      })
    ).ok(),
  ).toBe(true);
  expect((await mediator.request.post(`/api/disputes/${dispute.id}/assign`)).ok()).toBe(true);

  // The mediator writes privately to the client, who is not in the room: a notification.
  await openRoom(mediator, dispute.id);
  await mediator.getByTestId('composer-switch-caucus:client').click();
  const text = `Can you send the brief you mentioned? ${Date.now()}`;
  await mediator.getByLabel('Message', { exact: true }).fill(text);
  await mediator.getByTestId('send-button').click();
  await expect(messagesWith(mediator, text)).toHaveCount(1);

  const bell = client.getByRole('button', { name: /^Notifications/ });
  await expect(bell).toHaveAccessibleName(/unread/, { timeout: 20_000 });
  await bell.click();
  const item = client
    .getByRole('dialog', { name: 'Notifications' })
    .getByRole('link', { name: new RegExp(`New messages in ${dispute.number}`) });
  await expect(item).toHaveAttribute(
    'href',
    `/disputes/${dispute.id}?channel=${encodeURIComponent('caucus:client')}`,
  );
  await item.click();
  await expect(client.getByTestId('dispute-room')).toHaveAttribute('data-dispute-id', dispute.id);
  await expect(client.getByTestId('channel-tab-caucus:client')).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await expect(messagesWith(client, text)).toHaveCount(1);

  // Followed again after switching away, the same link opens the channel again.
  await client.getByTestId('channel-tab-joint').click();
  await expect(client.getByTestId('channel-tab-joint')).toHaveAttribute('aria-selected', 'true');
  await bell.click();
  await item.click();
  await expect(client.getByTestId('channel-tab-caucus:client')).toHaveAttribute(
    'aria-selected',
    'true',
  );

  // A channel the viewer may not read is ignored: the client stays on what they may read.
  await client.goto(`/disputes/${dispute.id}?channel=internal`);
  await expect(client.getByTestId('dispute-room')).toHaveAttribute('data-dispute-id', dispute.id);
  await expect(client.getByTestId('channel-tab-joint')).toHaveAttribute('aria-selected', 'true');
  await expect(client.getByTestId('channel-tab-internal')).toHaveCount(0);

  // Staff open the internal notes straight from a link.
  await mediator.goto(`/disputes/${dispute.id}?channel=internal`);
  await expect(mediator.getByTestId('channel-tab-internal')).toHaveAttribute(
    'aria-selected',
    'true',
  );
});
