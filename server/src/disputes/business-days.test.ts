import { describe, expect, it } from 'vitest';
import { inZone, ZONES } from '../../test/zone.js';
import { addBusinessDaysUtc } from './business-days.js';

describe('addBusinessDaysUtc', () => {
  it.each(ZONES)('counts Monday to Friday in UTC when the process runs in %s', (zone) => {
    const cases: [from: string, days: number][] = [
      ['2025-03-14T23:30:00.000Z', 1], // Friday night in UTC, Saturday in Tokyo
      ['2025-03-15T02:00:00.000Z', 1], // Saturday in UTC, Friday evening in New York
      ['2025-03-17T00:30:00.000Z', 5], // Monday in UTC, Sunday in New York
      ['2025-03-07T15:00:00.000Z', 5], // New York changes to summer time in between
      ['2025-12-31T23:30:00.000Z', 2], // across a year end
    ];
    const results = inZone(zone, () =>
      cases.map(([from, days]) => addBusinessDaysUtc(new Date(from), days)),
    );
    expect(results.map((d) => d.toISOString())).toEqual([
      '2025-03-17T23:30:00.000Z',
      '2025-03-17T02:00:00.000Z',
      '2025-03-24T00:30:00.000Z',
      '2025-03-14T15:00:00.000Z',
      '2026-01-02T23:30:00.000Z',
    ]);
    // A plain Date, so it stores and compares like any other.
    expect(results.every((d) => Object.getPrototypeOf(d) === Date.prototype)).toBe(true);
  });
});
