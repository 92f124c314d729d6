import type { Context } from '../context.js';
import type { DisputeService } from './service.js';

/**
 * Every instance runs one: it applies due deadlines through the same unique-key event
 * path as user commands, so a deadline fires once however many instances sweep.
 */
export function startSweeper(ctx: Context, disputes: DisputeService): () => void {
  const every = ctx.config.SWEEP_INTERVAL_MS;
  if (every === 0) return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    disputes
      .tick(ctx.clock.now())
      .then((fired) => fired && ctx.log.info({ fired }, 'deadlines applied'))
      .catch((err: unknown) => ctx.log.warn({ err }, 'deadline sweep failed'))
      .finally(() => (running = false));
  }, every);
  timer.unref();
  return () => clearInterval(timer);
}
