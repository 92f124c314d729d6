import type { Config } from '../config.js';

/**
 * Whether a server start seeds the demo (whose passwords are public). SEED_DEMO decides
 * when set; unset, only the embedded database outside production does, so a newcomer's
 * `pnpm start` shows a living product and a production start never holds a public admin.
 */
export function seedsDemoAtStart(
  config: Pick<Config, 'NODE_ENV' | 'SEED_DEMO'>,
  embedded: boolean,
): boolean {
  return config.SEED_DEMO ?? (embedded && config.NODE_ENV !== 'production');
}
