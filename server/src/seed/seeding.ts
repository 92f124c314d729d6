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

/**
 * `pnpm seed` asks for the demo by name, so only production holds it back: there it takes
 * SEED_DEMO=true as well, the same word a production start needs.
 */
export function seedCommandAllowed(config: Pick<Config, 'NODE_ENV' | 'SEED_DEMO'>): boolean {
  return config.NODE_ENV !== 'production' || config.SEED_DEMO === true;
}
