import { expect, test } from './helpers';

test('an admin sees the background queues and their dead letters', async ({ page }) => {
  // The admin the embedded default seeds.
  await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill('admin@demo.test');
  await page.getByLabel('Password', { exact: true }).fill('demo-room-walkthrough');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Queues' }).click();
  await expect(page).toHaveURL(/\/admin\/queues$/);
  await expect(page.getByRole('heading', { name: 'Background queues' })).toBeVisible();
  for (const queue of [
    'Follow-ups of dispute events',
    'Webhook deliveries',
    'Schedules (deadlines, outbox repair)',
  ])
    await expect(page.getByRole('heading', { name: queue })).toBeVisible();
  // The schedules queue holds the next run of the deadline sweep and the outbox repair.
  await expect(page.getByTestId('queue-counts-schedules')).toContainText(/delayed\s*[1-9]/);
});
