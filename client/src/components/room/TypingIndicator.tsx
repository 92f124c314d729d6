import type { Channel } from '@dispute-room/shared';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useRoom } from '../../stores/room';
import { Names } from '../Names';
import { useNameOf } from './useNames';

/** "X is typing…" for a few seconds after each typing notice in this channel. */
export function TypingIndicator({ channel }: { channel: Channel }) {
  const typing = useRoom((s) => s.typing);
  const nameOf = useNameOf();
  const { t } = useTranslation();
  const [, setTick] = useState(0);

  // Re-render while notices are live so they disappear when they expire.
  useEffect(() => {
    if (!Object.values(typing).some((entry) => entry.until > Date.now())) return;
    const timer = window.setInterval(() => setTick((n) => n + 1), 1_000);
    return () => window.clearInterval(timer);
  }, [typing]);

  const now = Date.now();
  const names = Object.entries(typing)
    .filter(([, entry]) => entry.channel === channel && entry.until > now)
    .map(([userId]) => nameOf(userId));
  const typingNow = names.length > 0;
  return (
    <div className="typing-indicator" data-testid="typing-indicator" aria-hidden={!typingNow}>
      {typingNow && (
        <>
          <span className="typing-dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          <Names names={names} last={t('common.listAnd')} />{' '}
          {t('typing.verb', { count: names.length })}
        </>
      )}
    </div>
  );
}
