import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/http';

interface ConfirmActionProps {
  label: string;
  /** Shown above the confirm button once the first button was pressed. */
  question: string;
  confirmLabel: string;
  tone?: 'primary' | 'danger' | 'neutral';
  withNote?: boolean;
  small?: boolean;
  /** A consequential but not the expected next step: a quiet button until pressed. */
  secondary?: boolean;
  testId?: string;
  onConfirm(note: string): Promise<unknown>;
}

/** A consequential action in two steps: press, then confirm (with an optional note). */
export function ConfirmAction({
  label,
  question,
  confirmLabel,
  tone = 'neutral',
  withNote = false,
  small = false,
  secondary = false,
  testId,
  onConfirm,
}: ConfirmActionProps) {
  const [open, setOpen] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  const size = small ? ' btn-small' : '';
  // Focus goes back to the button that opened the question once it is answered or cancelled.
  useEffect(() => {
    if (wasOpen.current && !open) trigger.current?.focus();
    wasOpen.current = open;
  }, [open]);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const noteId = useId();
  const { t } = useTranslation();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onConfirm(note.trim());
      setOpen(false);
      setNote('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (!open) {
    return (
      <button
        ref={trigger}
        type="button"
        className={secondary ? 'btn btn-ghost btn-small' : `btn btn-${tone}${size}`}
        data-testid={testId}
        onClick={() => setOpen(true)}
      >
        {label}
      </button>
    );
  }
  return (
    <form
      className="confirm-action"
      onSubmit={submit}
      aria-label={label}
      data-testid={testId ? `${testId}-question` : undefined}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !busy) setOpen(false);
      }}
    >
      <p className="confirm-question">{question}</p>
      {withNote && (
        <>
          <label htmlFor={noteId} className="field-label">
            {t('common.optionalNote')}
          </label>
          <textarea
            id={noteId}
            value={note}
            maxLength={2000}
            rows={2}
            onChange={(e) => setNote(e.target.value)}
            autoFocus
          />
        </>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button
          type="submit"
          className={`btn btn-${tone === 'neutral' ? 'primary' : tone}${size}`}
          disabled={busy}
          data-testid={testId ? `${testId}-confirm` : undefined}
          autoFocus={!withNote}
        >
          {busy ? t('common.working') : confirmLabel}
        </button>
        <button
          type="button"
          className={`btn btn-ghost${size}`}
          onClick={() => setOpen(false)}
          disabled={busy}
        >
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
