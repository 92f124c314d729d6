import { tz } from '@date-fns/tz';
import { outcomeKinds, type Metrics, type OutcomeKind } from '@dispute-room/shared';
import { addWeeks, format, startOfISOWeek } from 'date-fns';
import { dateLocale, formattingLocale } from '../i18n';
import { translatedLabels } from './labels';

/** A share (0..1) as a whole percentage: 0.333 → "33%"; "—" when there is none. */
export function formatShare(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return '—';
  return new Intl.NumberFormat(formattingLocale(), {
    style: 'percent',
    maximumFractionDigits: 0,
  }).format(share);
}

/** Mean CSAT on its 1-5 scale, one decimal: "4.5 / 5"; "—" when nobody rated. */
export function formatCsat(mean: number | null): string {
  if (mean === null || !Number.isFinite(mean)) return '—';
  const one = new Intl.NumberFormat(formattingLocale(), {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  return `${one.format(Math.round(mean * 10) / 10)} / 5`;
}

/** Short names of outcomes, for chart legends and filters. */
export const outcomeKindLabels = translatedLabels('outcome.short', outcomeKinds);

/** One colour per outcome, the same in the chart and its legend. */
export const outcomeColors: Record<OutcomeKind, string> = {
  accepted_claim: '#2563eb',
  settlement: '#067647',
  default: '#b54708',
  escalated: '#b42318',
  withdrawn: '#667085',
};

export interface OutcomeSlice {
  kind: OutcomeKind;
  label: string;
  count: number;
  /** Of all outcomes in the range, 0..1. */
  share: number;
}

/** The outcome mix in a fixed order (so colours stay put), without the empty kinds. */
export function outcomeMix(byOutcome: Metrics['byOutcome']): OutcomeSlice[] {
  const total = outcomeKinds.reduce((sum, kind) => sum + (byOutcome[kind] ?? 0), 0);
  return outcomeKinds
    .map((kind) => ({ kind, count: byOutcome[kind] ?? 0 }))
    .filter((s) => s.count > 0)
    .map((s) => ({ ...s, label: outcomeKindLabels[s.kind], share: s.count / total }));
}

export interface WeekPoint {
  /** ISO week in UTC, "2026-W48", as the server counts. */
  week: string;
  /** The Monday the week starts on: "23 Nov". */
  label: string;
  opened: number;
  resolved: number;
}

/** Beyond this many weeks the chart shows only the weeks that have counts. */
const MAX_FILLED_WEEKS = 260;

const utc = { in: tz('UTC') };

/**
 * Every ISO week of the range, with zeros for weeks without activity (the server only
 * lists weeks that have counts), so quiet weeks show as gaps in the trend.
 */
export function weeklySeries(weekly: Metrics['weekly'], from: string, to: string): WeekPoint[] {
  const counts = new Map(weekly.map((p) => [p.week, p]));
  const start = Date.parse(from);
  const end = Date.parse(to);
  const out: WeekPoint[] = [];
  if (Number.isFinite(start) && Number.isFinite(end) && start < end) {
    for (
      let week = startOfISOWeek(start, utc);
      week.getTime() < end && out.length <= MAX_FILLED_WEEKS;
      week = addWeeks(week, 1, utc)
    ) {
      const key = format(week, "RRRR-'W'II", utc);
      const point = counts.get(key);
      out.push({
        week: key,
        label: format(week, 'd MMM', { ...utc, locale: dateLocale() }),
        opened: point?.opened ?? 0,
        resolved: point?.resolved ?? 0,
      });
    }
  }
  const covered =
    out.length <= MAX_FILLED_WEEKS && weekly.every((p) => out.some((o) => o.week === p.week));
  if (covered) return out;
  return weekly.map((p) => ({ ...p, label: p.week }));
}
