import { tz } from '@date-fns/tz';
import { differenceInCalendarDays, format } from 'date-fns';
import { dateLocale, t } from '../i18n';
import { timeAgo } from './duration';

const validZones = new Map<string, boolean>();

/** The viewer's zone if the runtime knows it, else UTC (a bad zone must not break the page). */
export function safeZone(zone: string | undefined): string {
  if (!zone) return 'UTC';
  let ok = validZones.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      ok = true;
    } catch {
      ok = false;
    }
    validZones.set(zone, ok);
  }
  return ok ? zone : 'UTC';
}

/** The zone to count in and the reader's language for month and day names. */
function inZone(zone: string) {
  return { in: tz(safeZone(zone)), locale: dateLocale() };
}

/** The calendar day of an instant in the viewer's zone, "2025-03-01": groups the thread. */
export function dayKey(iso: string, zone: string): string {
  return format(iso, 'yyyy-MM-dd', inZone(zone));
}

/** "Today", "Yesterday", else "Monday, 3 March" (with the year when not this year). */
export function dayLabel(iso: string, zone: string, now: Date): string {
  const days = differenceInCalendarDays(now, iso, inZone(zone));
  if (days === 0) return t('time.today');
  if (days === 1) return t('time.yesterday');
  const sameYear = format(iso, 'yyyy', inZone(zone)) === format(now, 'yyyy', inZone(zone));
  return format(iso, t(sameYear ? 'date.day' : 'date.dayWithYear'), inZone(zone));
}

/** "14:05" in the viewer's zone. */
export function timeLabel(iso: string, zone: string): string {
  return format(iso, 'HH:mm', inZone(zone));
}

/** "3 Mar 2025, 14:05" in the viewer's zone. */
export function dateTimeLabel(iso: string, zone: string): string {
  return format(iso, t('date.dateTime'), inZone(zone));
}

/** Compact relative time: "just now", "5m ago", "3h ago", "2d ago", else a date. */
export function relativeTime(iso: string, now: Date, zone: string): string {
  const ms = now.getTime() - Date.parse(iso);
  if (ms < 7 * 86_400_000) return timeAgo(ms);
  const sameYear = format(iso, 'yyyy', inZone(zone)) === format(now, 'yyyy', inZone(zone));
  return format(iso, t(sameYear ? 'date.short' : 'date.shortWithYear'), inZone(zone));
}
