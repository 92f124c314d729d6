import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { timeAgo } from '../lib/duration';
import { selectNow, useClock } from '../stores/clock';
import { selectRoute, useRouter } from '../stores/router';
import { selectUnread, useNotifications } from '../stores/notifications';
import { Icon } from './Icon';
import { Link } from './Link';

/** Whether this browser can show system notifications and has not been asked yet. */
const canAsk = () => 'Notification' in window && Notification.permission === 'default';

/** The bell in the header: unread count, the latest notifications, links into the room. */
export function NotificationBell() {
  const unread = useNotifications(selectUnread);
  const items = useNotifications((s) => s.items);
  const nextCursor = useNotifications((s) => s.nextCursor);
  const [open, setOpen] = useState(false);
  const [ask, setAsk] = useState(canAsk);
  const panel = useRef<HTMLDivElement>(null);
  const now = useClock(selectNow);
  const { t } = useTranslation();
  const appTitle = t('app.name');

  // The tab's title shows unread activity; inside a room the room titles the tab itself.
  const inRoom = useRouter(selectRoute).name === 'dispute';
  useEffect(() => {
    if (!inRoom) document.title = unread > 0 ? `(${unread}) ${appTitle}` : appTitle;
  }, [unread, inRoom, appTitle]);

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (
        event instanceof KeyboardEvent
          ? event.key === 'Escape'
          : !panel.current?.contains(event.target as Node)
      )
        setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  const label = unread > 0 ? t('bell.labelUnread', { count: unread }) : t('bell.title');
  return (
    <div className="bell" ref={panel}>
      <button
        type="button"
        className="btn btn-ghost btn-small bell-button"
        aria-label={label}
        aria-expanded={open}
        aria-haspopup="true"
        onClick={() => setOpen(!open)}
      >
        <Icon name="bell" size={18} />
        {unread > 0 && (
          <span className="bell-count" data-testid="bell-count" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {open && (
        <div className="bell-panel" role="dialog" aria-label={t('bell.title')}>
          <div className="bell-head">
            <strong>{t('bell.title')}</strong>
            <button
              type="button"
              className="btn btn-ghost btn-small"
              disabled={unread === 0}
              onClick={() => void useNotifications.getState().markAllRead()}
            >
              {t('bell.markAll')}
            </button>
          </div>
          {ask && (
            <button
              type="button"
              className="btn btn-small bell-ask"
              onClick={() => void Notification.requestPermission().then(() => setAsk(canAsk()))}
            >
              {t('bell.ask')}
            </button>
          )}
          {items.length === 0 ? (
            <p className="muted bell-empty">{t('bell.empty')}</p>
          ) : (
            <ul className="bell-list">
              {items.map((n) => (
                <li key={n.id} className={n.readAt ? 'bell-item' : 'bell-item unread'}>
                  <Link
                    to={n.url}
                    onClick={() => {
                      void useNotifications.getState().markRead(n.id);
                      setOpen(false);
                    }}
                  >
                    <span className="bell-title">
                      <bdi>{n.title}</bdi>
                    </span>
                    <span className="bell-body" dir="auto">
                      {n.body}
                    </span>
                    <time className="muted" dateTime={n.createdAt}>
                      {timeAgo(now - Date.parse(n.createdAt))}
                    </time>
                  </Link>
                </li>
              ))}
            </ul>
          )}
          <div className="bell-foot">
            {nextCursor && (
              <button
                type="button"
                className="btn btn-ghost btn-small"
                onClick={() => void useNotifications.getState().loadMore()}
              >
                {t('bell.older')}
              </button>
            )}
            <Link to="/settings/notifications" onClick={() => setOpen(false)}>
              {t('bell.settings')}
            </Link>
          </div>
        </div>
      )}
    </div>
  );
}
