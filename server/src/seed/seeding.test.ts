import { describe, expect, it } from 'vitest';
import { seedCommandAllowed, seedsDemoAtStart } from './seeding.js';

describe('seeding the demo at start', () => {
  // [NODE_ENV, SEED_DEMO, embedded database, seeds]
  const table = [
    ['development', undefined, true, true],
    ['development', undefined, false, false],
    ['development', true, true, true],
    ['development', true, false, true],
    ['development', false, true, false],
    ['development', false, false, false],
    ['test', undefined, true, true],
    ['test', undefined, false, false],
    ['test', true, true, true],
    ['test', true, false, true],
    ['test', false, true, false],
    ['test', false, false, false],
    ['production', undefined, true, false],
    ['production', undefined, false, false],
    ['production', true, true, true],
    ['production', true, false, true],
    ['production', false, true, false],
    ['production', false, false, false],
  ] as const;

  it.each(table)(
    'NODE_ENV=%s SEED_DEMO=%s embedded=%s → seeds: %s',
    (NODE_ENV, SEED_DEMO, embedded, seeds) => {
      expect(seedsDemoAtStart({ NODE_ENV, SEED_DEMO }, embedded)).toBe(seeds);
    },
  );
});

describe('pnpm seed', () => {
  // [NODE_ENV, SEED_DEMO, allowed]
  const table = [
    ['development', undefined, true],
    ['development', false, true],
    ['test', undefined, true],
    ['production', undefined, false],
    ['production', false, false],
    ['production', true, true],
  ] as const;

  it.each(table)('NODE_ENV=%s SEED_DEMO=%s → allowed: %s', (NODE_ENV, SEED_DEMO, allowed) => {
    expect(seedCommandAllowed({ NODE_ENV, SEED_DEMO })).toBe(allowed);
  });
});
