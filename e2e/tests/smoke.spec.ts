import { expect, test } from '@playwright/test';

test('the app loads from the server and sees its database', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'The dispute room' })).toBeVisible();
  await expect(page.getByTestId('health')).toHaveText(/database up/);
});
