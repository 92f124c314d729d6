import { TZDate, tz } from '@date-fns/tz';
import { format, subDays } from 'date-fns';
import { safeZone } from './time';

/**
 * A range of calendar days as a date input holds them ("2026-03-01"), both ends included,
 * read in the viewer's zone. Either end may be left open ('').
 */
export interface DayRange {
  from: string;
  to: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(day: string): [number, number, number] | null {
  const match = DAY.exec(day);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(y, m - 1, d));
  const real =
    check.getUTCFullYear() === y && check.getUTCMonth() === m - 1 && check.getUTCDate() === d;
  return real ? [y, m, d] : null;
}

/** A real calendar day written as yyyy-MM-dd (what `<input type="date">` gives). */
export function isDay(value: string): boolean {
  return parts(value) !== null;
}

/** Today's calendar day in the viewer's zone. */
export function todayIn(now: Date, zone: string): string {
  return format(now, 'yyyy-MM-dd', { in: tz(safeZone(zone)) });
}

/** The last `days` days up to today, in the viewer's zone: the dashboard's default. */
export function lastDays(now: Date, zone: string, days = 90): DayRange {
  const inZone = { in: tz(safeZone(zone)) };
  return {
    from: format(subDays(now, days, inZone), 'yyyy-MM-dd', inZone),
    to: todayIn(now, zone),
  };
}

/** The instant a calendar day starts in the zone, `offset` days later, as UTC ISO. */
function dayStart(day: string, zone: string, offset = 0): string | undefined {
  const p = parts(day);
  if (!p) return undefined;
  const start = new TZDate(p[0], p[1] - 1, p[2] + offset, safeZone(zone));
  return new Date(start.getTime()).toISOString();
}

/**
 * The instants the API filters on: `from` is the start of the first day, `to` the start of
 * the day after the last one (the server's `to` is exclusive), both in the viewer's zone.
 */
export function rangeInstants(range: DayRange, zone: string): { from?: string; to?: string } {
  const from = dayStart(range.from, zone);
  const to = dayStart(range.to, zone, 1);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** False when both ends are set and the first comes after the last. */
export function isOrdered(range: DayRange): boolean {
  return !isDay(range.from) || !isDay(range.to) || range.from <= range.to;
}

/** The valid `from`/`to` days of a query string; anything else is ignored. */
export function readDayRange(params: URLSearchParams): DayRange {
  const read = (key: string) => {
    const value = params.get(key) ?? '';
    return isDay(value) ? value : '';
  };
  return { from: read('from'), to: read('to') };
}
