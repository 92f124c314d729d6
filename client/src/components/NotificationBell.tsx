import { useEffect, useRef, useState } from 'react';
import { timeAgo } from '../lib/duration';
import { selectNow, useClock } from '../stores/clock';
import { selectRoute, useRouter } from '../stores/router';
import { selectUnread, useNotifications } from '../stores/notifications';
import { Icon } from './Icon';
import { Link } from './Link';

const APP_TITLE = 'The dispute room';

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

  // The tab's title shows unread activity; inside a room the room titles the tab itself.
  const inRoom = useRouter(selectRoute).name === 'dispute';
  useEffect(() => {
    if (!inRoom) document.title = unread > 0 ? `(${unread}) ${APP_TITLE}` : APP_TITLE;
  }, [unread, inRoom]);

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

  const label = unread > 0 ? `Notifications, ${unread} unread` : 'Notifications';
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
        <div className="bell-panel" role="dialog" aria-label="Notifications">
          <div className="bell-head">
            <strong>Notifications</strong>
            <button
              type="button"
              className="btn btn-ghost btn-small"
              disabled={unread === 0}
              onClick={() => void useNotifications.getState().markAllRead()}
            >
              Mark all read
            </button>
          </div>
          {ask && (
            <button
              type="button"
              className="btn btn-small bell-ask"
              onClick={() => void Notification.requestPermission().then(() => setAsk(canAsk()))}
            >
              Also notify me when this tab is in the background
            </button>
          )}
          {items.length === 0 ? (
            <p className="muted bell-empty">
              Nothing yet. You will be told here when something happens in your disputes.
            </p>
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
                Older
              </button>
            )}
            <Link to="/settings/notifications" onClick={() => setOpen(false)}>
              Email settings
            </Link>
          </div>
        </div>
      )}
    </div>
  );
}
