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

describe('newestFirst, the first day by the hour', () => {
  /** `perHour` disputes in each hour of the last `days` days (the newest day up to 12:30). */
  function hours(days: number, perHour: number) {
    const base = now + 1_800_000;
    const rows: DisputeDoc[] = [];
    for (let h = 0; h < days * 24; h++)
      for (let i = 0; i < perHour; i++) {
        const at = new Date(base - h * 3_600_000 - i * 1_000);
        rows.push({ _id: `h${h}-${i}`, sortAt: at, createdAt: at } as DisputeDoc);
      }
    const read: string[] = [];
    const of = (unit: string) => (d: DisputeDoc) => d.sortAt.toISOString().startsWith(unit);
    const source = (unit: string) => {
      read.push(unit);
      return Promise.resolve(rows.filter((d) => of(unit)(d) && d.sortAt.getTime() <= before));
    };
    // Rows after a cursor are the caller's to leave out, as ops search does.
    let before = Infinity;
    const walk = (want: number, from = base) => {
      before = from;
      return newestFirst({
        by: 'sortAt',
        from,
        until: now - (days - 1) * DAY,
        want,
        bucket: source,
        hourly: source,
      });
    };
    const newest = [...rows].sort((a, b) => b.sortAt.getTime() - a.sortAt.getTime());
    return { read, walk, newest };
  }

  it('reads an hour of a busy day, not the day', async () => {
    const h = hours(3, 40);
    const page = await h.walk(26);
    expect(page).toEqual(h.newest.slice(0, 26));
    expect(h.read).toEqual(['2026-06-30T12']);
  });

  it('goes on from the hours of the first day to the older days, in order', async () => {
    // 13 hours of the newest day (00–12) hold 13; the page of 20 needs the day before.
    const h = hours(3, 1);
    const page = await h.walk(20);
    expect(page).toEqual(h.newest.slice(0, 20));
    expect(h.read.slice(0, 4)).toEqual([
      '2026-06-30T12',
      '2026-06-30T11',
      '2026-06-30T10',
      '2026-06-30T09',
    ]);
    expect(h.read.filter((u) => u.length === 13).every((u) => u.startsWith('2026-06-30'))).toBe(
      true,
    );
    expect(h.read.at(-1)).toBe('2026-06-29');
    // A later page starts at its cursor's hour.
    const later = await h.walk(5, h.newest[19]!.sortAt.getTime() - 1);
    expect(later).toEqual(h.newest.slice(20, 25));
  });
});

describe('previousMonth', () => {
  it('steps back a calendar month, across a year', () => {
    expect(previousMonth('2026-03')).toBe('2026-02');
    expect(previousMonth('2026-10')).toBe('2026-09');
    expect(previousMonth('2026-01')).toBe('2025-12');
  });
});
