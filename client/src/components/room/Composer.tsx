import { MAX_BODY_CHARS, type Channel } from '@dispute-room/shared';
import { useId, useLayoutEffect, useRef, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formattingLocale } from '../../i18n';
import { notifyTyping, sendMessage } from '../../realtime/roomSync';
import { audienceKind, type Audience } from '../../lib/audience';
import type { ChannelTab } from '../../lib/channels';
import { draftKey, useDrafts } from '../../stores/drafts';
import { useUploads } from '../../stores/uploads';
import { Icon } from '../Icon';
import { MacroPicker } from './MacroPicker';

const MAX_HEIGHT_PX = 220;

const switchKeys: Record<Channel, string> = {
  joint: 'composer.switch.joint',
  'caucus:client': 'composer.switch.caucusClient',
  'caucus:freelancer': 'composer.switch.caucusFreelancer',
  internal: 'composer.switch.internal',
};

/**
 * Writes into one channel, its audience written above it: Enter sends, Shift+Enter breaks
 * the line; attached files are shown for a description before they post. Staff who write
 * in several channels switch the channel here, where they type.
 */
export function Composer({
  disputeId,
  channel,
  channelLabel,
  audience,
  switchTabs,
  onSwitch,
  withMacros,
}: {
  disputeId: string;
  channel: Channel;
  channelLabel: string;
  audience: Audience;
  /** The channels offered on the composer's switch; none: no switch. */
  switchTabs: ChannelTab[];
  onSwitch: (channel: Channel) => void;
  withMacros: boolean;
}) {
  const key = draftKey(disputeId, channel);
  const text = useDrafts((s) => s.drafts[key] ?? '');
  const setDraft = useDrafts((s) => s.setDraft);
  const stage = useUploads((s) => s.stage);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const id = useId();
  const { t } = useTranslation();
  const count = (n: number) => n.toLocaleString(formattingLocale());

  const body = text.trim();
  const tooLong = body.length > MAX_BODY_CHARS;
  const canSend = body.length > 0 && !tooLong;

  useLayoutEffect(() => {
    const el = textarea.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  const send = () => {
    if (!canSend) return;
    sendMessage(channel, body);
    setDraft(key, '');
    textarea.current?.focus();
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    send();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  const insert = (snippet: string) => {
    setDraft(key, text ? `${text.replace(/\s+$/, '')}\n${snippet}` : snippet);
    textarea.current?.focus();
  };

  return (
    <form
      className={`composer audience-${audience.kind}`}
      onSubmit={onSubmit}
      data-testid="composer-form"
      data-audience={audience.kind}
    >
      {switchTabs.length > 1 && (
        <div className="audience-switch" role="radiogroup" aria-label={t('composer.postTo')}>
          {switchTabs.map((tab) => (
            <label
              key={tab.channel}
              className={`audience-option audience-${audienceKind(tab.channel)}`}
              data-testid={`composer-switch-${tab.channel}`}
            >
              <input
                type="radio"
                name={`${id}-channel`}
                value={tab.channel}
                checked={tab.channel === channel}
                onChange={() => onSwitch(tab.channel)}
              />
              {t(switchKeys[tab.channel])}
            </label>
          ))}
        </div>
      )}
      <p
        id={`${id}-audience`}
        className={`audience-line audience-${audience.kind}`}
        data-testid="composer-audience"
      >
        {audience.readers}
      </p>
      <label htmlFor={id} className="sr-only">
        {t('composer.label')}
      </label>
      <textarea
        id={id}
        ref={textarea}
        rows={1}
        value={text}
        placeholder={t('composer.placeholder', { channel: channelLabel })}
        aria-describedby={`${id}-audience ${id}-hint`}
        aria-invalid={tooLong}
        data-testid="composer"
        onChange={(e) => {
          setDraft(key, e.target.value);
          if (e.target.value.trim()) notifyTyping(channel);
        }}
        onKeyDown={onKeyDown}
      />
      <div className="composer-bar">
        <div className="composer-tools">
          <input
            ref={fileInput}
            type="file"
            multiple
            hidden
            data-testid="file-input"
            onChange={(e) => {
              stage(disputeId, channel, Array.from(e.target.files ?? []));
              e.target.value = '';
            }}
          />
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => fileInput.current?.click()}
            data-testid="attach-button"
          >
            <Icon name="paperclip" /> {t('composer.attach')}
          </button>
          {withMacros && <MacroPicker disputeId={disputeId} onInsert={insert} />}
        </div>
        <span id={`${id}-hint`} className={`composer-hint${tooLong ? ' error' : ''}`}>
          {tooLong
            ? t('composer.tooLong', { count: count(body.length), max: count(MAX_BODY_CHARS) })
            : body.length > MAX_BODY_CHARS * 0.9
              ? `${count(body.length)} / ${count(MAX_BODY_CHARS)}`
              : t('composer.hint')}
        </span>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={!canSend}
          data-testid="send-button"
        >
          {audience.send}
        </button>
      </div>
    </form>
  );
}
