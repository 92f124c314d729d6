import { tz } from '@date-fns/tz';
import { addDays, differenceInDays, intervalToDuration, type Duration } from 'date-fns';
import { formattingLocale, t } from '../i18n';

/*
 * Every length of time the client shows — a countdown, a deadline, a metric, "5m ago" — is
 * split into units by date-fns and worded by Intl, here.
 */

type Unit = 'years' | 'months' | 'days' | 'hours' | 'minutes' | 'seconds';
const UNITS: readonly Unit[] = ['years', 'months', 'days', 'hours', 'minutes', 'seconds'];
const singular = {
  years: 'year',
  months: 'month',
  days: 'day',
  hours: 'hour',
  minutes: 'minute',
  seconds: 'second',
} as const;

// Counted from a fixed UTC instant, so months and days do not depend on the viewer's zone.
const utc = { in: tz('UTC') };

interface SpanFormat {
  /** How many units, from the largest that is not zero: "2 days 3 hours" is two. */
  parts: number;
  /** Whole days at most ("45 days"), or on to months and years ("1 month 15 days"). */
  largest: 'days' | 'years';
  smallest: Unit;
  style: 'long' | 'narrow';
}

function split(ms: number, largest: SpanFormat['largest']): Duration {
  const end = Math.floor(ms);
  if (largest === 'years') return intervalToDuration({ start: 0, end }, utc);
  const days = differenceInDays(end, 0, utc);
  return { ...intervalToDuration({ start: addDays(0, days, utc), end }, utc), days };
}

const unitFormats = new Map<string, Intl.NumberFormat>();

function formatUnit(unit: Unit, value: number, style: SpanFormat['style']): string {
  const locale = formattingLocale();
  const key = `${locale}|${unit}|${style}`;
  let format = unitFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      style: 'unit',
      unit: singular[unit],
      unitDisplay: style,
    });
    unitFormats.set(key, format);
  }
  return format.format(value);
}

/** The units of a length of time that `format` shows, largest first; none below `smallest`. */
function unitsOf(ms: number, format: Omit<SpanFormat, 'style'>): [Unit, number][] {
  const duration = split(ms, format.largest);
  const shown = UNITS.slice(0, UNITS.indexOf(format.smallest) + 1);
  const first = shown.findIndex((unit) => (duration[unit] ?? 0) > 0);
  if (first === -1) return [];
  return shown
    .slice(first, first + format.parts)
    .map((unit): [Unit, number] => [unit, duration[unit] ?? 0])
    .filter(([, value]) => value > 0);
}

function formatSpan(ms: number, format: SpanFormat): string {
  return unitsOf(ms, format)
    .map(([unit, value]) => formatUnit(unit, value, format.style))
    .join(' ');
}

/** A remaining time for a countdown, its two largest units up to days: "3d 4h", "12m", "<1m". */
export function countdown(ms: number): string {
  if (ms < 60_000) return t('time.underAMinute');
  return formatSpan(ms, { parts: 2, largest: 'days', smallest: 'minutes', style: 'narrow' });
}

/** A remaining time in its largest whole unit, never above days: "30 days", "5 hours". */
export function durationWords(ms: number): string {
  return formatSpan(Math.max(ms, 60_000), {
    parts: 1,
    largest: 'days',
    smallest: 'minutes',
    style: 'long',
  });
}

/**
 * A length of time in words, its largest unit and the next one: "2 days 3 hours", "45 minutes",
 * "12 seconds"; "—" when there is nothing to measure.
 */
export function humanDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return t('time.underASecond');
  return formatSpan(ms, { parts: 2, largest: 'years', smallest: 'seconds', style: 'long' });
}

const agoFormats = new Map<string, Intl.RelativeTimeFormat>();
function ago(): Intl.RelativeTimeFormat {
  const locale = formattingLocale();
  let format = agoFormats.get(locale);
  if (!format) {
    format = new Intl.RelativeTimeFormat(locale, { style: 'narrow' });
    agoFormats.set(locale, format);
  }
  return format;
}

/** How long ago, compact, in its largest whole unit up to days: "just now", "5m ago", "2d ago". */
export function timeAgo(ms: number): string {
  const [largest] = unitsOf(ms, { parts: 1, largest: 'days', smallest: 'minutes' });
  if (!largest) return t('time.justNow');
  const [unit, value] = largest;
  return ago().format(-value, singular[unit]);
}
