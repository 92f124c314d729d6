import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { selectConnectionStatus, useConnection } from '../realtime/socket';

/** Tells the viewer when live updates are paused; a first connect only shows if slow. */
export function ConnectionBanner() {
  const status = useConnection(selectConnectionStatus);
  const [slow, setSlow] = useState(false);
  const { t } = useTranslation();

  useEffect(() => {
    if (status !== 'connecting') return;
    const timer = window.setTimeout(() => setSlow(true), 2_000);
    return () => {
      window.clearTimeout(timer);
      setSlow(false);
    };
  }, [status]);

  const text =
    status === 'reconnecting'
      ? t('connection.reconnecting')
      : status === 'connecting' && slow
        ? t('connection.connecting')
        : null;
  return (
    <div className="connection-banner-slot" role="status" aria-live="polite">
      {text && (
        <div className="connection-banner" data-testid="connection-banner">
          <span className="spinner" aria-hidden="true" />
          {text}
          <span className="connection-banner-detail">{t('connection.paused')}</span>
        </div>
      )}
    </div>
  );
}
