import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { DayRange } from '../../lib/dateRange';
import { Field } from '../Field';

/** Two date inputs for a range of days, both included; the end cannot precede the start. */
export function DateRangeFields({
  range,
  onChange,
  fromLabel,
  toLabel,
  testId,
}: {
  range: DayRange;
  onChange: (range: DayRange) => void;
  fromLabel?: string;
  toLabel?: string;
  testId?: string;
}) {
  const { t } = useTranslation();
  const fromId = useId();
  const toId = useId();
  return (
    <>
      <Field id={fromId} label={<>{fromLabel ?? t('settings.from')}</>}>
        <input
          id={fromId}
          type="date"
          value={range.from}
          max={range.to || undefined}
          onChange={(e) => onChange({ ...range, from: e.target.value })}
          data-testid={testId ? `${testId}-from` : undefined}
        />
      </Field>
      <Field id={toId} label={<>{toLabel ?? t('dashboard.to')}</>}>
        <input
          id={toId}
          type="date"
          value={range.to}
          min={range.from || undefined}
          onChange={(e) => onChange({ ...range, to: e.target.value })}
          data-testid={testId ? `${testId}-to` : undefined}
        />
      </Field>
    </>
  );
}
