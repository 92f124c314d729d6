import type { Channel, Message } from '@dispute-room/shared';
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { lastOwnMessage, seenBy } from '../../lib/receipts';
import { visibleMessages } from '../../lib/thread';
import { dayKey, dayLabel } from '../../lib/time';
import { markRead } from '../../realtime/roomSync';
import { selectNow, useClock } from '../../stores/clock';
import { useEvidence } from '../../stores/evidence';
import { useRoom } from '../../stores/room';
import { selectUser, selectZone, useSession } from '../../stores/session';
import { MessageItem, PendingItem } from './MessageItem';
import { useNameOf } from './useNames';

const EMPTY: Message[] = [];
const GROUP_WINDOW_MS = 5 * 60_000;
const BOTTOM_SLACK_PX = 48;

function groupsWith(prev: Message | null, m: Message): boolean {
  return (
    prev !== null &&
    prev.kind !== 'system' &&
    m.kind !== 'system' &&
    prev.authorId === m.authorId &&
    Date.parse(m.createdAt) - Date.parse(prev.createdAt) < GROUP_WINDOW_MS
  );
}

/** One channel's log: day separators, grouped authors, pending sends, "Seen by". */
export function Thread({ channel, label }: { channel: Channel; label: string }) {
  const disputeId = useRoom((s) => s.disputeId);
  const status = useRoom((s) => s.status);
  const messages = useRoom((s) => s.messages[channel]) ?? EMPTY;
  const allPending = useRoom((s) => s.pending);
  const reads = useRoom((s) => s.reads[channel]);
  const user = useSession(selectUser);
  const zone = useSession(selectZone);
  const now = useClock(selectNow);
  const nameOf = useNameOf();
  const { t } = useTranslation();

  const visible = useMemo(() => visibleMessages(messages), [messages]);
  const pending = useMemo(
    () => allPending.filter((p) => p.channel === channel),
    [allPending, channel],
  );

  const scroller = useRef<HTMLDivElement>(null);
  const atBottomRef = useRef(true);
  const [atBottom, setAtBottom] = useState(true);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK_PX;
    atBottomRef.current = bottom;
    setAtBottom(bottom);
  };

  const scrollToBottom = () => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
    atBottomRef.current = true;
    setAtBottom(true);
  };

  // A new channel opens at its newest entry.
  useLayoutEffect(() => {
    scrollToBottom();
  }, [channel]);

  // Follow new entries only when the viewer is already at the bottom.
  useLayoutEffect(() => {
    if (atBottomRef.current) {
      const el = scroller.current;
      if (el) el.scrollTop = el.scrollHeight;
    }
  }, [visible.length, pending.length]);

  // Tell the server once the newest entry has been on screen in a visible tab.
  useEffect(() => {
    if (status !== 'joined' || !atBottom || visible.length === 0) return;
    if (document.visibilityState === 'visible') markRead(channel);
  }, [status, atBottom, visible, channel]);

  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === 'visible' && atBottomRef.current) markRead(channel);
    };
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('focus', onVisible);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('focus', onVisible);
    };
  }, [channel]);

  // File names and previews of the attachments in this channel.
  useEffect(() => {
    if (disputeId && status === 'joined') void useEvidence.getState().load(disputeId, channel);
  }, [disputeId, status, channel]);

  const myId = user?.id ?? '';

  const ownLast = useMemo(() => lastOwnMessage(visible, myId), [visible, myId]);
  const ownLastSeenBy = useMemo(
    () => (ownLast ? seenBy(reads, ownLast.seq, [myId]).map((id) => nameOf(id)) : null),
    [ownLast, reads, myId, nameOf],
  );

  const items: ReactNode[] = [];
  let prevDay: string | null = null;
  let prev: Message | null = null;
  const nowDate = new Date(now);
  for (const m of visible) {
    const day = dayKey(m.createdAt, zone);
    if (day !== prevDay) {
      items.push(
        <li key={`day-${day}`} className="day-separator" data-testid="day-separator">
          <span>{dayLabel(m.createdAt, zone, nowDate)}</span>
        </li>,
      );
      prevDay = day;
      prev = null;
    }
    items.push(
      <MessageItem
        key={m.id}
        message={m}
        grouped={groupsWith(prev, m)}
        zone={zone}
        nameOf={nameOf}
        mine={m.authorId === myId}
        seenBy={m === ownLast ? ownLastSeenBy : null}
      />,
    );
    prev = m;
  }

  const empty = visible.length === 0 && pending.length === 0;
  return (
    <div className="thread-wrap">
      {/* A log: what is added is read out politely, author first (the room keys this per
          channel, so opening a channel does not read out its history). */}
      <div
        className="thread"
        ref={scroller}
        onScroll={onScroll}
        tabIndex={0}
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        aria-label={t('thread.messages', { channel: label })}
        data-testid="thread-log"
      >
        {status === 'joining' && visible.length === 0 && (
          <p className="thread-note muted">{t('thread.loading')}</p>
        )}
        {status === 'joined' && empty && (
          <p className="thread-note muted">{t('thread.empty', { channel: label })}</p>
        )}
        <ol
          className="messages"
          aria-label={t('thread.conversation', { channel: label })}
          data-testid="thread"
          data-channel={channel}
        >
          {items}
          {pending.map((p) => (
            <PendingItem
              key={p.clientMsgId}
              pending={p}
              author={user?.name ?? t('thread.youName')}
              role={user?.role ?? 'unknown'}
            />
          ))}
        </ol>
      </div>
      {!atBottom && (
        <button type="button" className="jump-latest" onClick={scrollToBottom}>
          ↓ {t('thread.latest')}
        </button>
      )}
    </div>
  );
}
