import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'shared/src/**/*.test.ts',
      'server/src/**/*.test.ts',
      'server/test/**/*.test.ts',
      'client/src/**/*.test.ts',
    ],
    // The fault-injection suite is still being hardened; `pnpm test:chaos` runs it.
    exclude: [...(process.env.CHAOS ? [] : ['server/test/chaos/**']), '**/node_modules/**'],
    globalSetup: ['server/test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
