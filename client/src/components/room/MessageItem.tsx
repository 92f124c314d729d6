import type { Message } from '@dispute-room/shared';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { roleLabel } from '../../lib/people';
import { describeSystemMessage } from '../../lib/systemEvents';
import { dateTimeLabel, timeLabel } from '../../lib/time';
import { retryMessage } from '../../realtime/roomSync';
import { useEvidence } from '../../stores/evidence';
import { useRoom, type PendingMessage } from '../../stores/room';
import { Avatar } from '../Avatar';
import { LinkifiedText } from '../LinkifiedText';
import { Names } from '../Names';
import { EvidenceAttachment, ProposalReference } from './Attachments';
import type { NameOf } from './useNames';

/** An evidence entry whose text only repeats the file name shows just the file card. */
function evidenceCaption(message: Message, attachedNames: string): string {
  if (message.kind !== 'evidence') return message.body;
  const names = attachedNames.split('\n').filter(Boolean);
  return names.includes(message.body.trim()) ? '' : message.body;
}

interface MessageItemProps {
  message: Message;
  /** Follows an entry of the same author closely: no repeated name and avatar. */
  grouped: boolean;
  zone: string;
  nameOf: NameOf;
  mine: boolean;
  seenBy: string[] | null;
}

export const MessageItem = memo(function MessageItem({
  message,
  grouped,
  zone,
  nameOf,
  mine,
  seenBy,
}: MessageItemProps) {
  const common = {
    'data-testid': 'message',
    'data-seq': message.seq,
    'data-channel': message.channel,
    'data-kind': message.kind,
    'data-message-id': message.id,
  };
  const { t } = useTranslation();
  // A string, so the selector result compares by value.
  const attachedNames = useEvidence((s) =>
    message.evidenceIds.map((id) => s.byId[id]?.filename ?? '').join('\n'),
  );
  if (message.kind === 'system') {
    return (
      <li className="message system" {...common}>
        <span className="system-text">{describeSystemMessage(message, (id) => nameOf(id))}</span>
        <time dateTime={message.createdAt} title={dateTimeLabel(message.createdAt, zone)}>
          {timeLabel(message.createdAt, zone)}
        </time>
      </li>
    );
  }
  const author = nameOf(message.authorId, message.authorRole);
  const role = message.authorRole ?? 'unknown';
  // A proposal's terms are shown from the proposal itself, in the reader's language.
  const body =
    message.kind === 'proposal' && message.proposalId
      ? ''
      : evidenceCaption(message, attachedNames);
  return (
    <li
      className={`message kind-${message.kind}${grouped ? ' grouped' : ''}${mine ? ' mine' : ''}`}
      {...common}
    >
      <div className="message-gutter">
        {grouped ? (
          <time className="gutter-time" dateTime={message.createdAt}>
            {timeLabel(message.createdAt, zone)}
          </time>
        ) : (
          <Avatar name={author} role={role} />
        )}
      </div>
      <div className="message-content">
        {!grouped && (
          <div className="message-meta">
            <span className={`author role-${role}`}>
              <bdi>{author}</bdi>
            </span>
            {message.authorRole && (
              <span className={`role-tag role-${role}`}>{roleLabel(message.authorRole)}</span>
            )}
            <time dateTime={message.createdAt} title={dateTimeLabel(message.createdAt, zone)}>
              {timeLabel(message.createdAt, zone)}
            </time>
          </div>
        )}
        {grouped && (
          <span className="sr-only">
            <bdi>{author}</bdi>:{' '}
          </span>
        )}
        {body && (
          <div className="message-body" dir="auto">
            <LinkifiedText text={body} />
            {message.editedAt && (
              <span
                className="edited"
                title={t('message.editedAt', { when: dateTimeLabel(message.editedAt, zone) })}
              >
                {' '}
                {t('message.edited')}
              </span>
            )}
          </div>
        )}
        {message.proposalId && (
          <ProposalReference
            proposalId={message.proposalId}
            storedText={message.kind === 'proposal' ? message.body : ''}
          />
        )}
        {message.evidenceIds.length > 0 && (
          <div className="attachments">
            {message.evidenceIds.map((id) => (
              <EvidenceAttachment key={id} evidenceId={id} />
            ))}
          </div>
        )}
        {seenBy && seenBy.length > 0 && (
          <div className="seen-by" data-testid="seen-by">
            {t('message.seenBy')} <Names names={seenBy} />
          </div>
        )}
      </div>
    </li>
  );
});

export function PendingItem({
  pending,
  author,
  role,
}: {
  pending: PendingMessage;
  author: string;
  role: string;
}) {
  const removePending = useRoom((s) => s.removePending);
  const { t } = useTranslation();
  return (
    <li
      className={`message mine pending ${pending.status}`}
      data-testid="message-pending"
      data-status={pending.status}
      data-channel={pending.channel}
    >
      <div className="message-gutter">
        <Avatar name={author} role={role} />
      </div>
      <div className="message-content">
        <div className="message-meta">
          <span className={`author role-${role}`}>
            <bdi>{author}</bdi>
          </span>
          <span className="pending-status">
            {pending.status === 'sending' ? t('message.sending') : t('message.notSent')}
          </span>
        </div>
        <div className="message-body" dir="auto">
          <LinkifiedText text={pending.body} />
        </div>
        {pending.status === 'failed' && (
          <div className="pending-actions" role="alert">
            <span className="form-error">{pending.error ?? t('message.couldNotSend')}</span>
            <button
              type="button"
              className="link-button"
              data-testid="retry-send"
              onClick={() => retryMessage(pending.clientMsgId)}
            >
              {t('common.retry')}
            </button>
            <button
              type="button"
              className="link-button muted"
              onClick={() => removePending(pending.clientMsgId)}
            >
              {t('message.discard')}
            </button>
          </div>
        )}
      </div>
    </li>
  );
}
