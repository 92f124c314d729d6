import { tz } from '@date-fns/tz';
import { format } from 'date-fns';
import { describe, expect, it } from 'vitest';
import { inZone, ZONES } from '../../test/zone.js';
import { isoWeekUtc, median } from './weeks.js';

describe('isoWeekUtc', () => {
  it('follows ISO-8601 across year boundaries', () => {
    expect(isoWeekUtc(new Date('2026-11-26T12:00:00Z'))).toBe('2026-W48');
    expect(isoWeekUtc(new Date('2021-01-03T23:59:59Z'))).toBe('2020-W53');
    expect(isoWeekUtc(new Date('2024-12-30T00:00:00Z'))).toBe('2025-W01');
    expect(isoWeekUtc(new Date('2026-01-01T00:00:00Z'))).toBe('2026-W01');
  });

  it.each(ZONES)('counts weeks in UTC when the process runs in %s', (zone) => {
    const weeks = inZone(zone, () =>
      [
        '2026-11-29T23:30:00Z', // Sunday in UTC, Monday in Tokyo
        '2026-11-30T00:30:00Z', // Monday in UTC, Sunday in New York
        '2021-01-03T23:30:00Z', // Sunday, the last of ISO year 2020
        '2021-01-04T00:30:00Z', // Monday, the first of ISO year 2021
      ].map((iso) => isoWeekUtc(new Date(iso))),
    );
    expect(weeks).toEqual(['2026-W48', '2026-W49', '2020-W53', '2021-W01']);
  });

  it('answers from its per-day memory what date-fns computes, every hour, in any zone', () => {
    const direct = (d: Date) => format(d, "RRRR-'W'II", { in: tz('UTC') });
    const hours = (from: string, days: number) =>
      Array.from({ length: days * 24 }, (_, h) => new Date(Date.parse(from) + h * 3_600_000));
    const all = [...hours('2020-12-26T00:00:00Z', 14), ...hours('2026-12-26T00:00:00Z', 14)];
    for (const zone of ZONES) {
      // Twice: the first call of a day remembers it, the second is answered from memory.
      const [first, again] = inZone(zone, () => [all.map(isoWeekUtc), all.map(isoWeekUtc)]);
      expect(first).toEqual(all.map(direct));
      expect(again).toEqual(first);
    }
  });
});

describe('median', () => {
  it('takes the middle, or the mean of the two middles', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
