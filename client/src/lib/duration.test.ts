import { describe, expect, it } from 'vitest';
import { countdown, durationWords, humanDuration, timeAgo } from './duration';

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;

describe('countdown', () => {
  it('shows the two largest units, up to days', () => {
    expect(countdown(30 * second)).toBe('<1m');
    expect(countdown(12 * minute + 59 * second)).toBe('12m');
    expect(countdown(4 * hour + 12 * minute)).toBe('4h 12m');
    expect(countdown(3 * day + 4 * hour + 5 * minute)).toBe('3d 4h');
    expect(countdown(45 * day + 2 * hour)).toBe('45d 2h');
  });

  it('leaves out a unit that is zero', () => {
    expect(countdown(4 * hour + 30 * second)).toBe('4h');
    expect(countdown(3 * day + 5 * minute)).toBe('3d');
  });
});

describe('durationWords', () => {
  it('uses the largest whole unit up to days', () => {
    expect(durationWords(45 * day)).toBe('45 days');
    expect(durationWords(day)).toBe('1 day');
    expect(durationWords(2 * hour + 1)).toBe('2 hours');
    expect(durationWords(90 * second)).toBe('1 minute');
    expect(durationWords(10)).toBe('1 minute');
  });
});

describe('humanDuration', () => {
  it('keeps the two largest units, months and years included', () => {
    expect(humanDuration(2 * day + 3 * hour + 20 * minute)).toBe('2 days 3 hours');
    expect(humanDuration(45 * minute)).toBe('45 minutes');
    expect(humanDuration(hour + 30 * second)).toBe('1 hour');
    expect(humanDuration(day + 5 * minute)).toBe('1 day');
    expect(humanDuration(12_345)).toBe('12 seconds');
    expect(humanDuration(40 * day)).toBe('1 month 9 days');
    expect(humanDuration(400 * day)).toBe('1 year 1 month');
  });

  it('has words for nothing to measure', () => {
    expect(humanDuration(207)).toBe('under a second');
    expect(humanDuration(null)).toBe('—');
    expect(humanDuration(-5)).toBe('—');
    expect(humanDuration(Number.NaN)).toBe('—');
  });
});

describe('timeAgo', () => {
  it('says how long ago in its largest whole unit, up to days', () => {
    expect(timeAgo(59 * second)).toBe('just now');
    expect(timeAgo(-5 * minute)).toBe('just now');
    expect(timeAgo(minute)).toBe('1m ago');
    expect(timeAgo(59 * minute + 59 * second)).toBe('59m ago');
    expect(timeAgo(hour)).toBe('1h ago');
    expect(timeAgo(day - 1)).toBe('23h ago');
    expect(timeAgo(2 * day + 23 * hour)).toBe('2d ago');
    expect(timeAgo(60 * day)).toBe('60d ago');
  });
});
