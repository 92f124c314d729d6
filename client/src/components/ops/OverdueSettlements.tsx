import type { OverdueSettlement } from '@dispute-room/shared';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { opsSettlementsApi } from '../../api/endpoints';
import { formatMoney } from '../../lib/money';
import { paths } from '../../lib/routes';
import { Link } from '../Link';

/** Payouts the marketplace has not confirmed a day after the resolution: ops chase them. */
export function OverdueSettlements() {
  const [overdue, setOverdue] = useState<OverdueSettlement[] | null>(null);
  const { t } = useTranslation();

  useEffect(() => {
    let live = true;
    opsSettlementsApi.overdue().then(
      (r) => live && setOverdue(r.settlements),
      () => live && setOverdue(null),
    );
    return () => {
      live = false;
    };
  }, []);

  if (!overdue) return null;
  return (
    <section
      className="card overdue-settlements"
      aria-labelledby="overdue-title"
      data-testid="overdue-settlements"
    >
      <h2 id="overdue-title" className="card-title">
        {t('settlement.overdueTitle')}{' '}
        <span className="metric-value" data-testid="overdue-count">
          {overdue.length}
        </span>
      </h2>
      {overdue.length === 0 ? (
        <p className="muted small">{t('settlement.overdueNone')}</p>
      ) : (
        <ul className="overdue-list">
          {overdue.slice(0, 10).map((s) => (
            <li key={s.disputeId}>
              <Link to={paths.opsTranscript(s.disputeId)}>{s.number}</Link>{' '}
              <span className="muted small">
                {t('system.split', {
                  client: formatMoney(s.clientCents, s.currency),
                  freelancer: formatMoney(s.freelancerCents, s.currency),
                })}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
