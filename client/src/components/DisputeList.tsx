import { disputeStates, type Dispute, type DisputeState } from '@dispute-room/shared';
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { describeDeadline } from '../lib/deadline';
import { byRecentActivity, stateLabels, totalUnread } from '../lib/disputes';
import { formatMoney } from '../lib/money';
import { paths } from '../lib/routes';
import { selectNow, useClock } from '../stores/clock';
import { selectDisputesById, useDisputes } from '../stores/disputes';
import { selectZone, useSession } from '../stores/session';
import { Link } from './Link';
import { StateBadge } from './StateBadge';

function DisputeListItem({ dispute, active }: { dispute: Dispute; active: boolean }) {
  const now = useClock(selectNow);
  const zone = useSession(selectZone);
  const deadline = describeDeadline(dispute, new Date(now), zone);
  const unread = totalUnread(dispute);
  const { t } = useTranslation();
  return (
    <li>
      <Link
        to={paths.dispute(dispute.id)}
        className={`dispute-item${active ? ' active' : ''}${unread > 0 ? ' has-unread' : ''}`}
        aria-current={active ? 'page' : undefined}
        data-testid="dispute-item"
        data-dispute-id={dispute.id}
      >
        <span className="dispute-item-top">
          <span className="dispute-number">{dispute.number}</span>
          <StateBadge state={dispute.state} />
          {unread > 0 && (
            <span
              className="unread-count"
              data-testid="unread-count"
              aria-label={t('common.unread', { count: unread })}
            >
              {unread}
            </span>
          )}
        </span>
        <span className="dispute-title">
          <bdi>{dispute.contractTitle}</bdi>
        </span>
        <span className="dispute-item-bottom">
          <span className={`deadline tone-${deadline.tone}`}>{deadline.label}</span>
          <span className="dispute-amount">
            {formatMoney(dispute.claimCents, dispute.currency)}
          </span>
        </span>
      </Link>
    </li>
  );
}

const filters: (DisputeState | null)[] = [null, ...disputeStates];

/** The viewer's disputes, newest activity first, filterable by state; live via the socket. */
export function DisputeList({ activeId }: { activeId: string | null }) {
  const byId = useDisputes(selectDisputesById);
  const filter = useDisputes((s) => s.filter);
  const status = useDisputes((s) => s.status);
  const error = useDisputes((s) => s.error);
  const setFilter = useDisputes((s) => s.setFilter);
  const hasOlder = useDisputes((s) => s.nextCursor !== null);
  const olderStatus = useDisputes((s) => s.olderStatus);
  const { t } = useTranslation();

  useEffect(() => {
    void useDisputes.getState().load();
  }, []);

  const disputes = useMemo(
    () =>
      Object.values(byId)
        .filter((d) => filter === null || d.state === filter)
        .sort(byRecentActivity),
    [byId, filter],
  );
  const unreadTotal = disputes.reduce((sum, d) => sum + totalUnread(d), 0);

  return (
    <div className="dispute-list">
      <div className="list-header">
        <h2>
          {t('nav.disputes')}
          {unreadTotal > 0 && (
            <span className="unread-total" data-testid="unread-total">
              {t('common.unread', { count: unreadTotal })}
            </span>
          )}
        </h2>
      </div>
      <div className="filter-chips" role="group" aria-label={t('list.filter')}>
        {filters.map((state) => (
          <button
            key={state ?? 'all'}
            type="button"
            className="chip"
            aria-pressed={filter === state}
            data-testid={`filter-${state ?? 'all'}`}
            onClick={() => setFilter(state)}
          >
            {state ? stateLabels[state] : t('list.all')}
          </button>
        ))}
      </div>
      {status === 'error' && (
        <p className="form-error list-message" role="alert">
          {t('list.loadError', { error })}{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => void useDisputes.getState().load()}
          >
            {t('common.retry')}
          </button>
        </p>
      )}
      {disputes.length === 0 && status !== 'loading' && status !== 'error' && (
        <p className="muted list-message">{filter ? t(`list.noneIn.${filter}`) : t('list.none')}</p>
      )}
      {disputes.length === 0 && status === 'loading' && (
        <p className="muted list-message">{t('app.loading')}</p>
      )}
      <ul className="dispute-items" data-testid="dispute-list">
        {disputes.map((d) => (
          <DisputeListItem key={d.id} dispute={d} active={d.id === activeId} />
        ))}
      </ul>
      {hasOlder && status === 'ready' && (
        <div className="list-more">
          <button
            type="button"
            className="btn btn-ghost btn-small"
            data-testid="list-older"
            disabled={olderStatus === 'loading'}
            onClick={() => void useDisputes.getState().loadOlder()}
          >
            {olderStatus === 'loading' ? t('list.loadingOlder') : t('list.older')}
          </button>
        </div>
      )}
    </div>
  );
}
