import { lazy, Suspense, useEffect, useMemo } from 'react';
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
  return (
    <table className="chart-table outcome-legend" data-testid="outcome-mix">
      <caption className="sr-only">Outcome mix</caption>
      <thead className="sr-only">
        <tr>
          <th scope="col">Outcome</th>
          <th scope="col">Disputes</th>
          <th scope="col">Share</th>
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
  return (
    <details className="chart-details">
      <summary>Show the weekly numbers as a table</summary>
      <div className="table-scroll">
        <table className="chart-table" data-testid="weekly-table">
          <thead>
            <tr>
              <th scope="col">Week</th>
              <th scope="col">Opened</th>
              <th scope="col">Resolved</th>
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
        { key: 'opened', label: 'Opened', value: String(metrics.opened), hint: 'Disputes filed' },
        {
          key: 'resolved',
          label: 'Resolved',
          value: String(metrics.resolved),
          hint: 'Closed as resolved',
        },
        {
          key: 'self-resolved',
          label: 'Self-resolved',
          value: formatShare(metrics.selfResolvedShare),
          hint: 'Of resolved, with no mediator ever assigned',
        },
        {
          key: 'first-reply',
          label: 'First mediator reply',
          value: humanDuration(metrics.medianFirstMediatorReplyMs),
          hint: 'Median, from entering mediation',
        },
        {
          key: 'time-to-resolution',
          label: 'Time to resolution',
          value: humanDuration(metrics.medianTimeToResolutionMs),
          hint: 'Median, from filing to resolved',
        },
        {
          key: 'deadline-breaches',
          label: 'Deadline breaches',
          value: String(metrics.deadlineBreaches),
          hint: 'Response or mediation deadlines that ran out',
        },
        {
          key: 'csat',
          label: 'Mean CSAT',
          value: formatCsat(metrics.meanCsat),
          hint: 'Parties’ ratings, 1 to 5',
        },
      ]
    : [];

  return (
    <div className="page wide ops-page" data-testid="ops-dashboard">
      <header className="page-header ops-header">
        <div>
          <h1>Dashboard</h1>
          <p className="muted">
            How disputes went in the chosen days ({zone}). Weeks are ISO weeks in UTC.
          </p>
        </div>
      </header>

      <section className="ops-toolbar card" aria-label="Date range">
        <div className="range-fields">
          <DateRangeFields range={{ from, to }} onChange={setRange} testId="metrics-range" />
        </div>
        <div className="button-row" role="group" aria-label="Quick ranges">
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
                Last {days} days
              </button>
            );
          })}
        </div>
        {status === 'loading' && (
          <span className="muted small" role="status">
            <span className="spinner" aria-hidden="true" /> Updating…
          </span>
        )}
      </section>

      {!ordered && (
        <p className="form-error" role="alert">
          The start date is after the end date.
        </p>
      )}
      {status === 'error' && (
        <p className="form-error" role="alert">
          Could not load the metrics: {error}{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => void useMetrics.getState().load({ from, to }, zone)}
          >
            Retry
          </button>
        </p>
      )}
      {!metrics && status === 'loading' && <p className="muted">Loading metrics…</p>}

      {metrics && (
        <>
          <dl className="metric-tiles" aria-busy={status === 'loading'}>
            {tiles.map((t) => (
              <div key={t.key} className="metric-tile" data-testid={`metric-${t.key}`}>
                <dt>{t.label}</dt>
                <dd className="metric-value">{t.value}</dd>
                <dd className="metric-hint">{t.hint}</dd>
              </div>
            ))}
          </dl>

          <div className="chart-grid">
            <section className="card chart-card" aria-labelledby="outcome-mix-title">
              <h2 id="outcome-mix-title" className="card-title">
                Outcome mix
              </h2>
              <p className="muted small">Disputes closed in the range, by how they ended.</p>
              {slices.length === 0 ? (
                <p className="muted empty-line">No dispute closed in this range.</p>
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
                Weekly trend
              </h2>
              <p className="muted small">Disputes opened and resolved per week.</p>
              {weeks.length === 0 ? (
                <p className="muted empty-line">No weeks in this range.</p>
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
