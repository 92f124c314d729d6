import type { Logger } from './logger.js';

/** What the supervisor needs of a running child: how it ends, and how to end it. */
export interface ChildHandle {
  pid: number;
  /** Settles once the child has exited, whatever the reason. */
  exited: Promise<unknown>;
  stop(): Promise<void>;
}

export interface SuperviseOptions<T extends ChildHandle> {
  /** Names the child in the log. */
  name: string;
  /** Starts a child; rejects when it cannot come up. */
  start(): Promise<T>;
  log: Logger;
  /** Restarts in a row (without a stable run between) before giving up; 0 never restarts. */
  maxRestarts: number;
  /** Called once, after the last restart failed: the owner should exit non-zero. */
  onGiveUp(reason: string): void;
  /** First restart delay; it doubles up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A child that ran this long is healthy again: the next crash starts a fresh count. */
  stableMs?: number;
}

export interface Supervised<T extends ChildHandle> {
  /** The child running now (the last one started, while a restart is pending). */
  readonly current: T;
  /** Stops supervising, then the child: an exit from here on is expected. */
  stop(): Promise<void>;
}

/** Delay before restart number `attempt` (1-based): initial × 2^(attempt−1), capped. */
export function restartDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(initialMs * 2 ** (attempt - 1), maxMs);
}

/**
 * Starts a child and keeps it running: when it exits unexpectedly it is started again with
 * exponential backoff, each restart logged; after `maxRestarts` failed comebacks in a row
 * `onGiveUp` is called, so a process supervisor above can restart the whole server.
 * The first start is not retried: its error goes to the caller.
 */
export async function superviseChild<T extends ChildHandle>(
  opts: SuperviseOptions<T>,
): Promise<Supervised<T>> {
  const initialMs = opts.initialDelayMs ?? 500;
  const maxMs = opts.maxDelayMs ?? 10_000;
  const stableMs = opts.stableMs ?? 30_000;
  let current = await opts.start();
  let startedAt = Date.now();
  let stopped = false;
  let attempts = 0;
  let pending: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;
  let recovering: Promise<void> | null = null;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      pending = setTimeout(resolve, ms);
    });

  const watch = (child: T) => {
    void child.exited.then((exit) => {
      if (stopped || child !== current) return;
      opts.log.warn({ child: opts.name, pid: child.pid, exit }, `${opts.name} exited unexpectedly`);
      recovering = recover();
    });
  };

  const recover = async () => {
    if (Date.now() - startedAt >= stableMs) attempts = 0;
    for (;;) {
      if (attempts >= opts.maxRestarts) {
        const reason = attempts
          ? `${opts.name} is down: gave up after ${attempts} restart${attempts === 1 ? '' : 's'} in a row`
          : `${opts.name} is down and restarts are off`;
        opts.log.fatal(reason);
        opts.onGiveUp(reason);
        return;
      }
      attempts += 1;
      const delayMs = restartDelay(attempts, initialMs, maxMs);
      opts.log.warn(
        { child: opts.name, attempt: attempts, of: opts.maxRestarts, delayMs },
        `restarting ${opts.name}`,
      );
      await sleep(delayMs);
      if (stopped) return;
      try {
        const child = await opts.start();
        if (stopped) {
          await child.stop();
          return;
        }
        current = child;
        startedAt = Date.now();
        opts.log.info(
          { child: opts.name, pid: child.pid, attempt: attempts },
          `${opts.name} restarted`,
        );
        watch(child);
        return;
      } catch (err) {
        opts.log.error(
          { child: opts.name, attempt: attempts, err: err instanceof Error ? err.message : err },
          `${opts.name} did not start`,
        );
      }
    }
  };

  watch(current);
  return {
    get current() {
      return current;
    },
    async stop() {
      stopped = true;
      if (pending) clearTimeout(pending);
      wake?.();
      // A restart under way finishes first, and stops what it started.
      await recovering;
      await current.stop();
    },
  };
}
