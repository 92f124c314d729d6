import { randomBytes } from 'node:crypto';
import { expect, inject, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { Clock } from '../src/context.js';
import { startServer, type RunningServer } from '../src/server.js';
import { ADMIN } from './api-client.js';

/** A database name no other test file uses. */
export function uniqueDbName(prefix = 't'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** A clock the test moves by hand (`t`); the server reads it for every timestamp. */
export interface ManualClock extends Clock {
  t: Date;
}

export function manualClock(iso: string): ManualClock {
  return {
    t: new Date(iso),
    now() {
      return new Date(this.t);
    },
  };
}

export interface TestServerOptions {
  dbName?: string;
  redis?: boolean;
  redisPrefix?: string;
  env?: Record<string, string>;
  /** Time as the server sees it (deadlines, timestamps); the real clock when absent. */
  clock?: Clock;
  /** What the server is told of the test FerretDB's handler (by default, the truth). */
  ferretdbHandler?: 'sqlite' | 'postgresql';
}

/**
 * A real server on a random port, on the shared test FerretDB and the real Redis.
 * Two servers given the same dbName and redisPrefix behave as two instances of one deployment.
 */
export async function startTestServer(opts: TestServerOptions = {}): Promise<RunningServer> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MONGODB_DB: opts.dbName ?? uniqueDbName(),
    REDIS_URL: opts.redis === false ? undefined : inject('redisUrl'),
    REDIS_PREFIX: opts.redisPrefix ?? `t:${randomBytes(4).toString('hex')}:`,
    SWEEP_INTERVAL_MS: '0',
    CLIENT_DIST: '/nonexistent',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOGIN_FAILURES_PER_ACCOUNT_IP: '10000',
    LOGIN_FAILURES_PER_IP_PER_DAY: '10000',
    MESSAGE_LIMIT_PER_MIN: '100000',
    JOIN_LIMIT_PER_MIN: '100000',
    UPLOAD_LIMIT_PER_HOUR: '10000',
    ...opts.env,
  });
  return startServer({
    config,
    mongoUri: inject('mongoUri'),
    clock: opts.clock,
    ferretdbHandler: opts.ferretdbHandler ?? (inject('postgresqlUrl') ? 'postgresql' : 'sqlite'),
  });
}

/** Drops the server's database and stops it. */
export async function stopTestServer(server: RunningServer | undefined): Promise<void> {
  if (!server) return;
  await server.ctx.conn.dropDatabase().catch(() => undefined);
  await server.stop();
}

/**
 * Waits until the follow-ups of what a test did so far have run (no job waiting or running in
 * the queues that write: facts, webhooks, mail, rollups), so a snapshot of the database taken now does
 * not race background work. Delayed jobs (digests, backoffs) are not waited for.
 */
export async function backgroundSettled(server: RunningServer, timeoutMs = 30_000): Promise<void> {
  await vi.waitFor(
    async () => {
      for (const name of ['facts', 'webhooks', 'mail', 'rollups'] as const) {
        const c = await server.domain.jobs.queue(name).getJobCounts('waiting', 'active');
        expect((c.waiting ?? 0) + (c.active ?? 0), name).toBe(0);
      }
    },
    { timeout: timeoutMs, interval: 50 },
  );
}
