import { MAX_BODY_CHARS, type Channel } from '@dispute-room/shared';
import { useId, useLayoutEffect, useRef, type FormEvent, type KeyboardEvent } from 'react';
import { notifyTyping, sendMessage } from '../../realtime/roomSync';
import { draftKey, useDrafts } from '../../stores/drafts';
import { useUploads } from '../../stores/uploads';
import { Icon } from '../Icon';
import { MacroPicker } from './MacroPicker';

const MAX_HEIGHT_PX = 220;

/** Writes into one channel: Enter sends, Shift+Enter breaks the line; attachments upload at once. */
export function Composer({
  disputeId,
  channel,
  channelLabel,
  withMacros,
}: {
  disputeId: string;
  channel: Channel;
  channelLabel: string;
  withMacros: boolean;
}) {
  const key = draftKey(disputeId, channel);
  const text = useDrafts((s) => s.drafts[key] ?? '');
  const setDraft = useDrafts((s) => s.setDraft);
  const startUpload = useUploads((s) => s.start);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const id = useId();

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
    <form className="composer" onSubmit={onSubmit} data-testid="composer-form">
      <label htmlFor={id} className="sr-only">
        Message
      </label>
      <textarea
        id={id}
        ref={textarea}
        rows={1}
        value={text}
        placeholder={`Message ${channelLabel}…`}
        aria-describedby={`${id}-hint`}
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
              for (const file of Array.from(e.target.files ?? []))
                startUpload(disputeId, channel, file);
              e.target.value = '';
            }}
          />
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => fileInput.current?.click()}
            data-testid="attach-button"
          >
            <Icon name="paperclip" /> Attach
          </button>
          {withMacros && <MacroPicker disputeId={disputeId} onInsert={insert} />}
        </div>
        <span id={`${id}-hint`} className={`composer-hint${tooLong ? ' error' : ''}`}>
          {tooLong
            ? `${body.length.toLocaleString()} / ${MAX_BODY_CHARS.toLocaleString()} characters: too long`
            : body.length > MAX_BODY_CHARS * 0.9
              ? `${body.length.toLocaleString()} / ${MAX_BODY_CHARS.toLocaleString()}`
              : 'Enter to send · Shift+Enter for a new line'}
        </span>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={!canSend}
          data-testid="send-button"
        >
          Send
        </button>
      </div>
    </form>
  );
}
