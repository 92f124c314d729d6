import type { HistoryMessage } from '@dispute-room/shared';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { historyApi } from '../../api/endpoints';
import { errorMessage } from '../../api/http';
import { dateTimeLabel } from '../../lib/time';
import { draftKey, useDrafts } from '../../stores/drafts';
import { selectZone, useSession } from '../../stores/session';
import { useNameOf } from './useNames';

const PAGE = 30;

/**
 * The conversation the parties had on the marketplace before the dispute (imported by it):
 * read-only, above the joint thread, the latest messages first in view and older ones loaded
 * on scrolling up. The mediator can quote one into the joint composer.
 */
export function PriorConversation({
  disputeId,
  canQuote,
}: {
  disputeId: string;
  canQuote: boolean;
}) {
  const [messages, setMessages] = useState<HistoryMessage[]>([]);
  const [older, setOlder] = useState<string | null>(null);
  const [status, setStatus] = useState<'loading' | 'idle' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);
  const list = useRef<HTMLOListElement>(null);
  /** Distance from the bottom to keep while older messages are put on top. */
  const keep = useRef<number | null>(null);
  const nameOf = useNameOf();
  const zone = useSession(selectZone);
  const setDraft = useDrafts((s) => s.setDraft);
  const { t } = useTranslation();

  const load = useCallback(
    async (before: string | null) => {
      setStatus('loading');
      try {
        const page = await historyApi.page(disputeId, { before, limit: PAGE });
        const el = list.current;
        keep.current = el ? el.scrollHeight - el.scrollTop : null;
        setMessages((shown) => (before ? [...page.messages, ...shown] : page.messages));
        setOlder(page.prevCursor);
        setStatus('idle');
      } catch (err) {
        setError(errorMessage(err));
        setStatus('error');
      }
    },
    [disputeId],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  // The latest in view at first; after an older page, the same message stays where it was.
  useLayoutEffect(() => {
    const el = list.current;
    if (!el || keep.current === null) return;
    el.scrollTop = el.scrollHeight - keep.current;
    keep.current = null;
  }, [messages]);

  if (status !== 'loading' && messages.length === 0 && !error) return null;

  const quote = (m: HistoryMessage) => {
    const key = draftKey(disputeId, 'joint');
    const current = useDrafts.getState().drafts[key] ?? '';
    const lines = m.body.split('\n').map((line) => `> ${line}`);
    const intro = t('history.quoted', {
      name: nameOf(m.authorId),
      when: dateTimeLabel(m.sentAt, zone),
    });
    setDraft(key, `${intro}\n${lines.join('\n')}\n\n${current}`);
    document.querySelector<HTMLTextAreaElement>('[data-testid="composer"]')?.focus();
  };

  return (
    <details className="prior" open data-testid="prior-conversation">
      <summary id="prior-title" className="prior-title">
        {t('history.title')}
      </summary>
      <p className="prior-hint">{t('history.hint')}</p>
      <ol
        ref={list}
        className="prior-list"
        tabIndex={0}
        aria-labelledby="prior-title"
        onScroll={(e) => {
          if (e.currentTarget.scrollTop < 24 && older && status === 'idle') void load(older);
        }}
      >
        {older && (
          <li className="prior-more">
            <button
              type="button"
              className="link-button"
              disabled={status === 'loading'}
              onClick={() => void load(older)}
            >
              {t('history.older')}
            </button>
          </li>
        )}
        {messages.map((m) => (
          <li key={m.externalId} className="prior-item" data-testid="prior-message">
            <div className="prior-meta">
              <span className="prior-author">{nameOf(m.authorId)}</span>
              <time dateTime={m.sentAt}>{dateTimeLabel(m.sentAt, zone)}</time>
              {canQuote && (
                <button
                  type="button"
                  className="link-button prior-quote"
                  aria-label={t('history.quoteLabel')}
                  onClick={() => quote(m)}
                >
                  {t('history.quote')}
                </button>
              )}
            </div>
            <p className="prior-body" dir="auto">
              {m.body}
            </p>
          </li>
        ))}
        {status === 'loading' && messages.length === 0 && (
          // The status inside the item: a role on the <li> itself would hide it from the list.
          <li className="prior-more">
            <span role="status">{t('history.loading')}</span>
          </li>
        )}
      </ol>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </details>
  );
}
