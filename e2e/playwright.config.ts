import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import getPort from 'get-port';

/**
 * A free port below the kernel's ephemeral range (32768–60999 by default): one from that range
 * is free only until a listener the server starts first (FerretDB, Redis, the mail catcher, all
 * on port 0) is handed it by the kernel, and the server's own listen then fails (EADDRINUSE).
 */
const freePort = () =>
  getPort({ port: Array.from({ length: 64 }, () => 20_000 + Math.floor(Math.random() * 12_000)) });

// The config is evaluated again in every worker: keep the first choice in the environment,
// which the workers inherit.
process.env.E2E_PORT ??= String(await freePort());
process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'dispute-room-e2e-'));
// A marketplace page of its own origin embeds the room (tests/embed.spec.ts); it signs its
// users on with this test-only secret.
process.env.E2E_HOST_PORT ??= String(await freePort());
process.env.E2E_SSO_SECRET ??= `e2e-only-sso-secret-${process.env.E2E_PORT}-not-for-production`;
const port = Number(process.env.E2E_PORT);
const baseURL = `http://127.0.0.1:${port}`;
// Each run gets a fresh embedded database.
const dataDir = process.env.E2E_DATA_DIR;

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  webServer: {
    command: 'node ../server/dist/main.js',
    url: `${baseURL}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `e2e:${port}:`,
      LOG_LEVEL: 'warn',
      // The mail catcher's page on a free port (several runs may share a machine).
      MAIL_CATCHER_PORT: '0',
      SSO_JWT_SECRET: process.env.E2E_SSO_SECRET,
      SSO_ISSUER: 'https://market.e2e.test',
      SSO_AUDIENCE: 'dispute-room',
      EMBED_ORIGINS: `http://127.0.0.1:${process.env.E2E_HOST_PORT}`,
    },
  },
});
