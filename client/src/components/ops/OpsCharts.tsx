import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Pie,
  PieChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useTranslation } from 'react-i18next';
import { formatShare, outcomeColors, type OutcomeSlice, type WeekPoint } from '../../lib/metrics';

const openedColor = '#4f46e5';
const resolvedColor = '#0d9488';

/** Outcomes of the disputes closed in the range, as a donut. */
export function OutcomeChart({ slices }: { slices: OutcomeSlice[] }) {
  const data = slices.map((s) => ({ ...s, fill: outcomeColors[s.kind] }));
  const { t } = useTranslation();
  return (
    <PieChart
      responsive
      style={{ width: '100%', height: 220 }}
      title={t('dashboard.mix')}
      desc={slices.map((s) => `${s.label}: ${s.count}`).join(', ')}
    >
      <Pie
        data={data}
        dataKey="count"
        nameKey="label"
        innerRadius="55%"
        outerRadius="85%"
        paddingAngle={slices.length > 1 ? 2 : 0}
        isAnimationActive={false}
      />
      <Tooltip
        formatter={(value, _name, item) => {
          const share = (item.payload as OutcomeSlice | undefined)?.share ?? null;
          return [`${String(value)} (${formatShare(share)})`, item.name];
        }}
      />
    </PieChart>
  );
}

/** Disputes opened and resolved per ISO week. */
export function WeeklyChart({ points }: { points: WeekPoint[] }) {
  const { t } = useTranslation();
  return (
    <BarChart
      responsive
      style={{ width: '100%', height: 260 }}
      data={points}
      margin={{ top: 8, right: 8, bottom: 0, left: -16 }}
      title={t('dashboard.weeklyHint')}
    >
      <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e4e7ec" />
      <XAxis dataKey="label" tick={{ fontSize: 11 }} interval="preserveStartEnd" minTickGap={8} />
      <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={40} />
      <Tooltip
        labelFormatter={(_label, payload) => {
          const point = payload?.[0]?.payload as WeekPoint | undefined;
          return point ? t('dashboard.weekOf', { label: point.label, week: point.week }) : '';
        }}
      />
      <Legend wrapperStyle={{ fontSize: 12 }} />
      <Bar
        dataKey="opened"
        name={t('dashboard.opened')}
        fill={openedColor}
        radius={[3, 3, 0, 0]}
        isAnimationActive={false}
      />
      <Bar
        dataKey="resolved"
        name={t('dashboard.resolved')}
        fill={resolvedColor}
        radius={[3, 3, 0, 0]}
        isAnimationActive={false}
      />
    </BarChart>
  );
}
