import { describe, expect, it } from 'vitest';
import { isDay, isOrdered, lastDays, rangeInstants, readDayRange, todayIn } from './dateRange';

describe('isDay', () => {
  it('accepts real calendar days only', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2024-02-29')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-13-01')).toBe(false);
    expect(isDay('2026-1-01')).toBe(false);
    expect(isDay('')).toBe(false);
    expect(isDay('2026-01-01T00:00:00Z')).toBe(false);
  });
});

describe('days in the viewer’s zone', () => {
  const now = new Date('2026-03-01T20:00:00.000Z');

  it('knows today where the viewer is', () => {
    expect(todayIn(now, 'UTC')).toBe('2026-03-01');
    expect(todayIn(now, 'Asia/Singapore')).toBe('2026-03-02');
    expect(todayIn(now, 'Nowhere/Else')).toBe('2026-03-01');
  });

  it('defaults to the last 90 days', () => {
    expect(lastDays(now, 'UTC')).toEqual({ from: '2025-12-01', to: '2026-03-01' });
    expect(lastDays(now, 'Asia/Singapore', 7)).toEqual({ from: '2026-02-23', to: '2026-03-02' });
  });
});

describe('rangeInstants', () => {
  it('covers whole days in the zone, the end exclusive', () => {
    expect(rangeInstants({ from: '2026-03-01', to: '2026-03-31' }, 'UTC')).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
    });
    expect(rangeInstants({ from: '2026-03-01', to: '2026-03-01' }, 'Asia/Singapore')).toEqual({
      from: '2026-02-28T16:00:00.000Z',
      to: '2026-03-01T16:00:00.000Z',
    });
  });

  it('follows daylight saving changes', () => {
    // Europe/Berlin moves to summer time on 29 March 2026: that day has 23 hours.
    expect(rangeInstants({ from: '2026-03-29', to: '2026-03-29' }, 'Europe/Berlin')).toEqual({
      from: '2026-03-28T23:00:00.000Z',
      to: '2026-03-29T22:00:00.000Z',
    });
  });

  it('leaves open ends out', () => {
    expect(rangeInstants({ from: '', to: '2026-12-31' }, 'UTC')).toEqual({
      to: '2027-01-01T00:00:00.000Z',
    });
    expect(rangeInstants({ from: 'soon', to: '' }, 'UTC')).toEqual({});
  });
});

describe('isOrdered', () => {
  it('refuses a start after the end', () => {
    expect(isOrdered({ from: '2026-03-01', to: '2026-03-01' })).toBe(true);
    expect(isOrdered({ from: '2026-03-02', to: '2026-03-01' })).toBe(false);
    expect(isOrdered({ from: '2026-03-02', to: '' })).toBe(true);
  });
});

describe('readDayRange', () => {
  it('keeps valid days of a query string', () => {
    expect(readDayRange(new URLSearchParams('from=2026-01-01&to=2026-02-30'))).toEqual({
      from: '2026-01-01',
      to: '',
    });
  });
});
