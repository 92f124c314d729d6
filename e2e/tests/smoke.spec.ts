import { expect, test } from '@playwright/test';

test('the app loads from the server and sees its database', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'The dispute room' })).toBeVisible();
  await expect(page.getByLabel('Email', { exact: true })).toBeVisible();
  await expect(page.getByLabel('Password', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeDisabled();
  await expect(page.getByTestId('health')).toHaveText(/database up/);
});

test('the login form refuses unknown credentials with a clear message', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill('nobody@e2e.test');
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'That email and password do not match an account.',
  );
  await expect(page.getByRole('button', { name: 'Log out' })).toHaveCount(0);
});
