import { createCast, expect, fileDisputeApi, test, uniqueTag } from './helpers';

test('the bell counts a notification the moment it arrives and links into the dispute', async ({
  request,
  signIn,
}) => {
  const cast = await createCast(request);
  const freelancer = await signIn(cast.freelancer);
  const bell = freelancer.getByRole('button', { name: /^Notifications/ });
  await expect(bell).toHaveAccessibleName('Notifications');
  await expect(freelancer).toHaveTitle('The dispute room');

  const client = await signIn(cast.client);
  const dispute = await fileDisputeApi(client.request, {
    contractId: cast.contract.id,
    reason: 'quality',
    description: `The bell should ring. ${uniqueTag()}`,
    claimCents: 10_000,
  });
  // No reload: the socket brings it.
  await expect(bell).toHaveAccessibleName('Notifications, 1 unread', { timeout: 20_000 });
  await expect(freelancer).toHaveTitle('(1) The dispute room');

  await bell.click();
  const panel = freelancer.getByRole('dialog', { name: 'Notifications' });
  const item = panel.getByRole('link', { name: new RegExp(`filed dispute ${dispute.number}`) });
  await expect(item).toBeVisible();
  await item.click();
  await expect(freelancer).toHaveURL(new RegExp(`/disputes/${dispute.id}\\?channel=joint$`));
  await expect(bell).toHaveAccessibleName('Notifications');
  // Back on the list, the title has no unread count left.
  await freelancer.getByRole('link', { name: 'Disputes', exact: true }).click();
  await expect(freelancer).toHaveTitle('The dispute room');
});

test('email preferences are saved on the settings page', async ({ request, signIn }) => {
  const cast = await createCast(request);
  const page = await signIn(cast.client);
  await page.getByRole('button', { name: /^Notifications/ }).click();
  await page.getByRole('link', { name: 'Email settings' }).click();
  await expect(page.getByRole('heading', { name: 'Notifications' })).toBeVisible();
  await page.getByRole('radio', { name: /Right away/ }).check();
  await page.getByRole('checkbox', { name: /No email during these hours/ }).check();
  await page.getByLabel('From').fill('21:30');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  const saved = await (await page.request.get('/api/me/preferences')).json();
  expect(saved.preferences).toEqual({
    email: 'immediate',
    digestMinutes: 15,
    quietHours: { start: '21:30', end: '07:00' },
    locale: 'en',
  });
});
