import { describe, expect, it } from 'vitest';
import { formatCsat, formatShare, outcomeMix, weeklySeries } from './metrics';

describe('metric wording', () => {
  it('shows shares as percentages', () => {
    expect(formatShare(1 / 3)).toBe('33%');
    expect(formatShare(0)).toBe('0%');
    expect(formatShare(1)).toBe('100%');
    expect(formatShare(null)).toBe('—');
  });

  it('shows CSAT on its scale', () => {
    expect(formatCsat(4.46)).toBe('4.5 / 5');
    expect(formatCsat(5)).toBe('5.0 / 5');
    expect(formatCsat(null)).toBe('—');
  });
});

describe('outcomeMix', () => {
  it('keeps a fixed order and drops empty kinds', () => {
    expect(outcomeMix({ withdrawn: 1, settlement: 3, escalated: 0 })).toEqual([
      { kind: 'settlement', label: 'Settlement', count: 3, share: 0.75 },
      { kind: 'withdrawn', label: 'Withdrawn', count: 1, share: 0.25 },
    ]);
    expect(outcomeMix({})).toEqual([]);
  });
});

describe('weeklySeries', () => {
  it('fills the quiet weeks of the range with zeros', () => {
    const series = weeklySeries(
      [
        { week: '2026-W48', opened: 5, resolved: 1 },
        { week: '2026-W46', opened: 2, resolved: 0 },
      ],
      '2026-11-10T13:00:00.000Z',
      '2026-11-26T13:00:00.000Z',
    );
    expect(series).toEqual([
      { week: '2026-W46', label: '9 Nov', opened: 2, resolved: 0 },
      { week: '2026-W47', label: '16 Nov', opened: 0, resolved: 0 },
      { week: '2026-W48', label: '23 Nov', opened: 5, resolved: 1 },
    ]);
  });

  it('numbers weeks across the year end the ISO way', () => {
    const series = weeklySeries([], '2026-12-28T00:00:00.000Z', '2027-01-05T00:00:00.000Z');
    expect(series.map((p) => p.week)).toEqual(['2026-W53', '2027-W01']);
  });

  it('falls back to the server’s weeks when the range cannot hold them', () => {
    expect(weeklySeries([{ week: '2026-W48', opened: 1, resolved: 1 }], 'x', 'y')).toEqual([
      { week: '2026-W48', label: '2026-W48', opened: 1, resolved: 1 },
    ]);
  });
});
