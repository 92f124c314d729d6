import { describe, expect, it } from 'vitest';
import { newestFirst, previousMonth } from './day-buckets.js';
import type { DisputeDoc } from './model.js';

const DAY = 86_400_000;
const now = Date.parse('2026-06-30T12:00:00Z');

/** `perDay` disputes on each of the last `days` days; records which days were read. */
function history(days: number, perDay: number) {
  const byDay = new Map<string, DisputeDoc[]>();
  for (let d = 0; d < days; d++)
    for (let i = 0; i < perDay; i++) {
      const at = new Date(now - d * DAY - i * 1_000);
      const day = at.toISOString().slice(0, 10);
      byDay.set(day, [
        ...(byDay.get(day) ?? []),
        { _id: `d${d}-${i}`, sortAt: at, createdAt: at } as DisputeDoc,
      ]);
    }
  const read: string[] = [];
  const bucket = (day: string) => {
    read.push(day);
    return Promise.resolve(byDay.get(day) ?? []);
  };
  const walk = (want: number) =>
    newestFirst({ by: 'sortAt', from: now, until: now - (days - 1) * DAY, want, bucket });
  return { read, walk };
}

describe('newestFirst', () => {
  it('reads only the newest day when it holds a page', async () => {
    const h = history(30, 50);
    const page = await h.walk(26);
    expect(page.map((d) => d._id)).toEqual(Array.from({ length: 26 }, (_, i) => `d0-${i}`));
    expect(h.read).toEqual(['2026-06-30']);
  });

  it('widens its steps over sparse days, up to a week, and keeps the order across them', async () => {
    const h = history(30, 1);
    const page = await h.walk(10);
    expect(page.map((d) => d._id)).toEqual(Array.from({ length: 10 }, (_, i) => `d${i}-0`));
    // 1 + 2 + 4 + 7 days: the fourth step fills the page.
    expect(h.read).toHaveLength(14);
  });
});

describe('previousMonth', () => {
  it('steps back a calendar month, across a year', () => {
    expect(previousMonth('2026-03')).toBe('2026-02');
    expect(previousMonth('2026-10')).toBe('2026-09');
    expect(previousMonth('2026-01')).toBe('2025-12');
  });
});
