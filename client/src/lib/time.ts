import { tz } from '@date-fns/tz';
import {
  differenceInCalendarDays,
  format,
  formatDuration,
  intervalToDuration,
  type Duration,
} from 'date-fns';

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

function inZone(zone: string) {
  return { in: tz(safeZone(zone)) };
}

/** The calendar day of an instant in the viewer's zone, "2025-03-01": groups the thread. */
export function dayKey(iso: string, zone: string): string {
  return format(iso, 'yyyy-MM-dd', inZone(zone));
}

/** "Today", "Yesterday", else "Monday, 3 March" (with the year when not this year). */
export function dayLabel(iso: string, zone: string, now: Date): string {
  const days = differenceInCalendarDays(now, iso, inZone(zone));
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  const sameYear = format(iso, 'yyyy', inZone(zone)) === format(now, 'yyyy', inZone(zone));
  return format(iso, sameYear ? 'EEEE, d MMMM' : 'EEEE, d MMMM yyyy', inZone(zone));
}

/** "14:05" in the viewer's zone. */
export function timeLabel(iso: string, zone: string): string {
  return format(iso, 'HH:mm', inZone(zone));
}

/** "3 Mar 2025, 14:05" in the viewer's zone. */
export function dateTimeLabel(iso: string, zone: string): string {
  return format(iso, 'd MMM yyyy, HH:mm', inZone(zone));
}

/** Compact relative time: "just now", "5 min ago", "3 h ago", "2 d ago", else a date. */
export function relativeTime(iso: string, now: Date, zone: string): string {
  const ms = now.getTime() - Date.parse(iso);
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days < 7) return `${days} d ago`;
  const sameYear = format(iso, 'yyyy', inZone(zone)) === format(now, 'yyyy', inZone(zone));
  return format(iso, sameYear ? 'd MMM' : 'd MMM yyyy', inZone(zone));
}

/** A remaining duration for a countdown: "3d 4h", "4h 12m", "12m", "<1m". */
export function countdown(ms: number): string {
  if (ms < 60_000) return '<1m';
  const totalMinutes = Math.floor(ms / 60_000);
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  return `${minutes}m`;
}

const durationUnits = ['years', 'months', 'days', 'hours', 'minutes', 'seconds'] as const;

/**
 * A length of time in words, its largest unit and the next one: "2 days 3 hours", "45 minutes",
 * "12 seconds"; "—" when there is nothing to measure.
 */
export function humanDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return 'under a second';
  // Counted from a fixed UTC instant, so months and days do not depend on the viewer.
  const duration = intervalToDuration({ start: 0, end: Math.floor(ms) }, { in: tz('UTC') });
  const largest = durationUnits.findIndex((unit) => (duration[unit] ?? 0) > 0);
  const units: (keyof Duration)[] = durationUnits.slice(largest, largest + 2);
  return formatDuration(duration, { format: units });
}
