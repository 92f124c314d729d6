import { describe, expect, it } from 'vitest';
import { dateTimeLabel, dayKey, dayLabel, relativeTime, safeZone, timeLabel } from './time';

describe('zones', () => {
  it('falls back to UTC for an unknown zone', () => {
    expect(safeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(safeZone('Mars/Olympus')).toBe('UTC');
    expect(safeZone(undefined)).toBe('UTC');
  });

  it('puts an instant on the viewer’s calendar day', () => {
    const iso = '2025-03-01T23:30:00.000Z';
    expect(dayKey(iso, 'UTC')).toBe('2025-03-01');
    expect(dayKey(iso, 'Asia/Tokyo')).toBe('2025-03-02');
    expect(dayKey(iso, 'America/Los_Angeles')).toBe('2025-03-01');
  });

  it('shows times in the viewer’s zone', () => {
    expect(timeLabel('2025-03-01T23:30:00.000Z', 'Asia/Tokyo')).toBe('08:30');
    expect(dateTimeLabel('2025-03-01T23:30:00.000Z', 'Europe/Paris')).toBe('2 Mar 2025, 00:30');
  });
});

describe('dayLabel', () => {
  const now = new Date('2025-03-10T12:00:00.000Z');
  it('names today and yesterday in the viewer’s zone', () => {
    expect(dayLabel('2025-03-10T01:00:00.000Z', 'UTC', now)).toBe('Today');
    expect(dayLabel('2025-03-09T20:00:00.000Z', 'UTC', now)).toBe('Yesterday');
    // 20:00 UTC on the 9th is already the 10th in Tokyo.
    expect(dayLabel('2025-03-09T20:00:00.000Z', 'Asia/Tokyo', now)).toBe('Today');
  });

  it('spells out older days, with the year when it differs', () => {
    expect(dayLabel('2025-03-03T12:00:00.000Z', 'UTC', now)).toBe('Monday, 3 March');
    expect(dayLabel('2024-12-31T12:00:00.000Z', 'UTC', now)).toBe('Tuesday, 31 December 2024');
  });
});

describe('relativeTime', () => {
  const now = new Date('2025-03-10T12:00:00.000Z');
  it('is compact', () => {
    expect(relativeTime('2025-03-10T11:59:40.000Z', now, 'UTC')).toBe('just now');
    expect(relativeTime('2025-03-10T11:55:00.000Z', now, 'UTC')).toBe('5m ago');
    expect(relativeTime('2025-03-10T09:00:00.000Z', now, 'UTC')).toBe('3h ago');
    expect(relativeTime('2025-03-08T12:00:00.000Z', now, 'UTC')).toBe('2d ago');
    expect(relativeTime('2025-03-03T12:00:01.000Z', now, 'UTC')).toBe('6d ago');
    expect(relativeTime('2025-03-03T12:00:00.000Z', now, 'UTC')).toBe('3 Mar');
    expect(relativeTime('2025-02-01T12:00:00.000Z', now, 'UTC')).toBe('1 Feb');
    expect(relativeTime('2024-02-01T12:00:00.000Z', now, 'UTC')).toBe('1 Feb 2024');
  });
});
