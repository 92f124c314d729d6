import { useId } from 'react';
import type { DayRange } from '../../lib/dateRange';
import { Field } from '../Field';

/** Two date inputs for a range of days, both included; the end cannot precede the start. */
export function DateRangeFields({
  range,
  onChange,
  fromLabel = 'From',
  toLabel = 'To',
  testId,
}: {
  range: DayRange;
  onChange: (range: DayRange) => void;
  fromLabel?: string;
  toLabel?: string;
  testId?: string;
}) {
  const fromId = useId();
  const toId = useId();
  return (
    <>
      <Field id={fromId} label={<>{fromLabel}</>}>
        <input
          id={fromId}
          type="date"
          value={range.from}
          max={range.to || undefined}
          onChange={(e) => onChange({ ...range, from: e.target.value })}
          data-testid={testId ? `${testId}-from` : undefined}
        />
      </Field>
      <Field id={toId} label={<>{toLabel}</>}>
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
