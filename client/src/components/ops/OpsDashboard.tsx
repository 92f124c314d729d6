import { lazy, Suspense, useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { isOrdered, lastDays, readDayRange, type DayRange } from '../../lib/dateRange';
import {
  formatCsat,
  formatShare,
  outcomeColors,
  outcomeMix,
  weeklySeries,
  type OutcomeSlice,
  type WeekPoint,
} from '../../lib/metrics';
import { paths } from '../../lib/routes';
import { humanDuration } from '../../lib/duration';
import { selectNow, useClock } from '../../stores/clock';
import { useMetrics } from '../../stores/metrics';
import { navigate, useRouter } from '../../stores/router';
import { selectZone, useSession } from '../../stores/session';
import { DateRangeFields } from './DateRangeFields';
import { OverdueSettlements } from './OverdueSettlements';

// The chart library is only downloaded by those who open the dashboard.
const OutcomeChart = lazy(() => import('./OpsCharts').then((m) => ({ default: m.OutcomeChart })));
const WeeklyChart = lazy(() => import('./OpsCharts').then((m) => ({ default: m.WeeklyChart })));

const presets = [30, 90, 365] as const;

function rangeQuery(range: DayRange): string {
  return `?${new URLSearchParams({ from: range.from, to: range.to }).toString()}`;
}

interface Tile {
  key: string;
  label: string;
  value: string;
  hint: string;
}

function ChartFallback({ height }: { height: number }) {
  return (
    <div className="chart-fallback" style={{ height }} aria-hidden="true">
      <span className="spinner" />
    </div>
  );
}

function OutcomeLegend({ slices }: { slices: OutcomeSlice[] }) {
  const { t } = useTranslation();
  return (
    <table className="chart-table outcome-legend" data-testid="outcome-mix">
      <caption className="sr-only">{t('dashboard.mix')}</caption>
      <thead className="sr-only">
        <tr>
          <th scope="col">{t('dashboard.outcome')}</th>
          <th scope="col">{t('nav.disputes')}</th>
          <th scope="col">{t('dashboard.share')}</th>
        </tr>
      </thead>
      <tbody>
        {slices.map((s) => (
          <tr key={s.kind} data-outcome={s.kind}>
            <th scope="row">
              <span
                className="legend-swatch"
                style={{ background: outcomeColors[s.kind] }}
                aria-hidden="true"
              />
              {s.label}
            </th>
            <td>{s.count}</td>
            <td className="muted">{formatShare(s.share)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function WeeklyTable({ points }: { points: WeekPoint[] }) {
  const { t } = useTranslation();
  return (
    <details className="chart-details">
      <summary>{t('dashboard.asTable')}</summary>
      <div className="table-scroll">
        <table className="chart-table" data-testid="weekly-table">
          <thead>
            <tr>
              <th scope="col">{t('dashboard.week')}</th>
              <th scope="col">{t('dashboard.opened')}</th>
              <th scope="col">{t('dashboard.resolved')}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.week}>
                <th scope="row">
                  {p.label} <span className="muted">({p.week})</span>
                </th>
                <td>{p.opened}</td>
                <td>{p.resolved}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** Ops metrics for a range of days: tiles, the outcome mix and the weekly trend. */
export function OpsDashboard() {
  const search = useRouter((s) => s.search);
  const zone = useSession(selectZone);
  const now = useClock(selectNow);
  const metrics = useMetrics((s) => s.metrics);
  const status = useMetrics((s) => s.status);
  const error = useMetrics((s) => s.error);
  const { t } = useTranslation();

  const defaults = lastDays(new Date(now), zone);
  const asked = readDayRange(new URLSearchParams(search));
  const from = asked.from || defaults.from;
  const to = asked.to || defaults.to;
  const ordered = isOrdered({ from, to });

  useEffect(() => {
    if (ordered) void useMetrics.getState().load({ from, to }, zone);
  }, [from, to, zone, ordered]);

  const setRange = (next: DayRange) =>
    navigate(`${paths.opsDashboard}${rangeQuery(next)}`, { replace: true });

  const slices = useMemo(() => (metrics ? outcomeMix(metrics.byOutcome) : []), [metrics]);
  const weeks = useMemo(
    () => (metrics ? weeklySeries(metrics.weekly, metrics.from, metrics.to) : []),
    [metrics],
  );

  const tiles: Tile[] = metrics
    ? [
        {
          key: 'opened',
          label: t('dashboard.opened'),
          value: String(metrics.opened),
          hint: t('dashboard.openedHint'),
        },
        {
          key: 'resolved',
          label: t('dashboard.resolved'),
          value: String(metrics.resolved),
          hint: t('dashboard.resolvedHint'),
        },
        {
          key: 'self-resolved',
          label: t('dashboard.selfResolved'),
          value: formatShare(metrics.selfResolvedShare),
          hint: t('dashboard.selfResolvedHint'),
        },
        {
          key: 'first-reply',
          label: t('dashboard.firstReply'),
          value: humanDuration(metrics.medianFirstMediatorReplyMs),
          hint: t('dashboard.firstReplyHint'),
        },
        {
          key: 'time-to-resolution',
          label: t('dashboard.timeToResolution'),
          value: humanDuration(metrics.medianTimeToResolutionMs),
          hint: t('dashboard.timeToResolutionHint'),
        },
        {
          key: 'deadline-breaches',
          label: t('dashboard.breaches'),
          value: String(metrics.deadlineBreaches),
          hint: t('dashboard.breachesHint'),
        },
        {
          key: 'csat',
          label: t('dashboard.csat'),
          value: formatCsat(metrics.meanCsat),
          hint: t('dashboard.csatHint'),
        },
      ]
    : [];

  return (
    <div className="page wide ops-page" data-testid="ops-dashboard">
      <header className="page-header ops-header">
        <div>
          <h1>{t('nav.dashboard')}</h1>
          <p className="muted">{t('dashboard.intro', { zone })}</p>
        </div>
      </header>

      <section className="ops-toolbar card" aria-label={t('dashboard.range')}>
        <div className="range-fields">
          <DateRangeFields range={{ from, to }} onChange={setRange} testId="metrics-range" />
        </div>
        <div className="button-row" role="group" aria-label={t('dashboard.quick')}>
          {presets.map((days) => {
            const preset = lastDays(new Date(now), zone, days);
            const active = preset.from === from && preset.to === to;
            return (
              <button
                key={days}
                type="button"
                className="chip"
                aria-pressed={active}
                onClick={() => setRange(preset)}
              >
                {t('dashboard.lastDays', { count: days })}
              </button>
            );
          })}
        </div>
        {status === 'loading' && (
          <span className="muted small" role="status">
            <span className="spinner" aria-hidden="true" /> {t('dashboard.updating')}
          </span>
        )}
      </section>

      {!ordered && (
        <p className="form-error" role="alert">
          {t('dashboard.unordered')}
        </p>
      )}
      {status === 'error' && (
        <p className="form-error" role="alert">
          {t('dashboard.loadError', { error })}{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => void useMetrics.getState().load({ from, to }, zone)}
          >
            {t('common.retry')}
          </button>
        </p>
      )}
      {!metrics && status === 'loading' && <p className="muted">{t('dashboard.loading')}</p>}
      <OverdueSettlements />

      {metrics && (
        <>
          <dl className="metric-tiles" aria-busy={status === 'loading'}>
            {tiles.map((tile) => (
              <div key={tile.key} className="metric-tile" data-testid={`metric-${tile.key}`}>
                <dt>{tile.label}</dt>
                <dd className="metric-value">{tile.value}</dd>
                <dd className="metric-hint">{tile.hint}</dd>
              </div>
            ))}
          </dl>

          <div className="chart-grid">
            <section className="card chart-card" aria-labelledby="outcome-mix-title">
              <h2 id="outcome-mix-title" className="card-title">
                {t('dashboard.mix')}
              </h2>
              <p className="muted small">{t('dashboard.mixHint')}</p>
              {slices.length === 0 ? (
                <p className="muted empty-line">{t('dashboard.noneClosed')}</p>
              ) : (
                <div className="outcome-chart">
                  <Suspense fallback={<ChartFallback height={220} />}>
                    <OutcomeChart slices={slices} />
                  </Suspense>
                  <OutcomeLegend slices={slices} />
                </div>
              )}
            </section>
            <section className="card chart-card" aria-labelledby="weekly-title">
              <h2 id="weekly-title" className="card-title">
                {t('dashboard.weekly')}
              </h2>
              <p className="muted small">{t('dashboard.weeklyHint')}</p>
              {weeks.length === 0 ? (
                <p className="muted empty-line">{t('dashboard.noWeeks')}</p>
              ) : (
                <>
                  <Suspense fallback={<ChartFallback height={260} />}>
                    <WeeklyChart points={weeks} />
                  </Suspense>
                  <WeeklyTable points={weeks} />
                </>
              )}
            </section>
          </div>
        </>
      )}
    </div>
  );
}
