import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { loadConfig } from '../config.js';
import { startEmbeddedFerret } from '../db/embedded.js';
import { startServer, type RunningServer } from '../server.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';

describe('GET /api/health', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => stopTestServer(server));

  it('reports mongo and redis up', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, mongo: 'up', redis: 'up' });
  });

  it('refuses to start without Redis (the job queues live there; main starts a private one)', async () => {
    await expect(startTestServer({ redis: false })).rejects.toThrow('REDIS_URL is required');
  });

  it('answers 503 with mongo down when the database goes away', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'health-'));
    const ferret = await startEmbeddedFerret({ handler: 'sqlite', dataDir });
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'silent',
      REDIS_URL: inject('redisUrl'),
      CLIENT_DIST: '/nonexistent',
    });
    const doomed = await startServer({ config, mongoUri: ferret.uri });
    try {
      expect((await fetch(`${doomed.url}/api/health`)).status).toBe(200);
      await ferret.stop();
      const res = await fetch(`${doomed.url}/api/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ ok: false, mongo: 'down', redis: 'up' });
    } finally {
      await doomed.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
