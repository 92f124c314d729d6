import type { Dispute } from '@dispute-room/shared';
import { useEffect, useMemo, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { disputesApi } from '../api/endpoints';
import { ApiRequestError, errorMessage } from '../api/http';
import { describeDeadline } from '../lib/deadline';
import { byQueuePriority, isInQueue, reasonLabels, totalUnread } from '../lib/disputes';
import { formatMoney } from '../lib/money';
import { paths } from '../lib/routes';
import { relativeTime } from '../lib/time';
import { selectNow, useClock } from '../stores/clock';
import { selectDisputesById, useDisputes } from '../stores/disputes';
import { navigate } from '../stores/router';
import { selectUser, selectZone, useSession } from '../stores/session';
import { Link } from './Link';
import { StateBadge } from './StateBadge';

const REFRESH_MS = 30_000;

function QueueRow({
  dispute,
  onClaim,
  claiming,
}: {
  dispute: Dispute;
  onClaim?: (id: string) => void;
  claiming: boolean;
}) {
  const now = useClock(selectNow);
  const zone = useSession(selectZone);
  const deadline = describeDeadline(dispute, new Date(now), zone);
  const unread = totalUnread(dispute);
  const { t } = useTranslation();
  return (
    <li className="queue-row" data-testid="queue-row" data-dispute-id={dispute.id}>
      <div className="queue-main">
        <div className="queue-top">
          <span className="dispute-number">{dispute.number}</span>
          <StateBadge state={dispute.state} />
          <span className="muted">{reasonLabels[dispute.reason]}</span>
          {unread > 0 && <span className="unread-count">{unread}</span>}
        </div>
        <Link to={paths.dispute(dispute.id)} className="queue-title">
          <bdi>{dispute.contractTitle}</bdi>
        </Link>
        <div className="queue-meta">
          <span>
            {t('queue.claimOf', {
              claim: formatMoney(dispute.claimCents, dispute.currency),
              escrow: formatMoney(dispute.escrowCents, dispute.currency),
            })}
          </span>
          <span>
            {t('queue.filed', { when: relativeTime(dispute.createdAt, new Date(now), zone) })}
          </span>
          <span className={`deadline tone-${deadline.tone}`}>{deadline.label}</span>
        </div>
      </div>
      {onClaim && (
        <button
          type="button"
          className="btn btn-primary"
          data-testid="queue-claim"
          disabled={claiming}
          onClick={() => onClaim(dispute.id)}
        >
          {claiming ? t('queue.claiming') : t('queue.claim')}
        </button>
      )}
    </li>
  );
}

/** A mediator's work: unassigned disputes in mediation to claim, and their own. */
export function QueuePage() {
  const user = useSession(selectUser);
  const byId = useDisputes(selectDisputesById);
  const status = useDisputes((s) => s.queueStatus);
  const loadError = useDisputes((s) => s.queueError);
  const [claiming, setClaiming] = useState<string | null>(null);
  const [claimError, setClaimError] = useState<string | null>(null);
  const meId = user?.id ?? '';
  const { t } = useTranslation();

  useEffect(() => {
    if (!meId) return;
    const load = () => void useDisputes.getState().loadQueue(meId);
    load();
    const timer = window.setInterval(load, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [meId]);

  const { unassigned, mine } = useMemo(() => {
    const all = Object.values(byId);
    return {
      unassigned: all.filter(isInQueue).sort(byQueuePriority),
      mine: all
        .filter((d) => d.mediatorId === meId && d.state === 'mediation')
        .sort(byQueuePriority),
    };
  }, [byId, meId]);

  const claim = async (id: string) => {
    setClaiming(id);
    setClaimError(null);
    try {
      const { dispute } = await disputesApi.claim(id);
      useDisputes.getState().upsert(dispute);
      navigate(paths.dispute(id));
    } catch (error) {
      setClaimError(
        error instanceof ApiRequestError && error.status === 409
          ? t('queue.taken')
          : errorMessage(error),
      );
      void useDisputes.getState().loadQueue(meId);
    } finally {
      setClaiming(null);
    }
  };

  return (
    <div className="page queue-page">
      <header className="page-header">
        <h1>{t('queue.title')}</h1>
        <p className="muted">{t('queue.intro')}</p>
      </header>
      {claimError && (
        <p className="form-error" role="alert">
          {claimError}
        </p>
      )}
      {status === 'error' && (
        <p className="form-error" role="alert">
          {t('queue.loadError', { error: loadError })}
        </p>
      )}
      <section aria-labelledby="queue-unassigned">
        <h2 id="queue-unassigned" className="section-title">
          <Trans
            i18nKey="queue.unassigned"
            values={{ count: unassigned.length }}
            components={{ count: <span className="count" /> }}
          />
        </h2>
        {unassigned.length === 0 ? (
          <p className="muted empty-line">
            {status === 'loading' && unassigned.length === 0
              ? t('app.loading')
              : t('queue.nothing')}
          </p>
        ) : (
          <ul className="queue-list" data-testid="queue-unassigned">
            {unassigned.map((d) => (
              <QueueRow key={d.id} dispute={d} onClaim={claim} claiming={claiming === d.id} />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="queue-mine">
        <h2 id="queue-mine" className="section-title">
          <Trans
            i18nKey="queue.mine"
            values={{ count: mine.length }}
            components={{ count: <span className="count" /> }}
          />
        </h2>
        {mine.length === 0 ? (
          <p className="muted empty-line">{t('queue.noneMine')}</p>
        ) : (
          <ul className="queue-list" data-testid="queue-mine">
            {mine.map((d) => (
              <QueueRow key={d.id} dispute={d} claiming={false} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
