import { useId, useState, type FormEvent } from 'react';
import { errorMessage } from '../api/http';

interface ConfirmActionProps {
  label: string;
  /** Shown above the confirm button once the first button was pressed. */
  question: string;
  confirmLabel: string;
  tone?: 'primary' | 'danger' | 'neutral';
  withNote?: boolean;
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
  testId,
  onConfirm,
}: ConfirmActionProps) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const noteId = useId();

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
        type="button"
        className={`btn btn-${tone}`}
        data-testid={testId}
        onClick={() => setOpen(true)}
      >
        {label}
      </button>
    );
  }
  return (
    <form className="confirm-action" onSubmit={submit}>
      <p className="confirm-question">{question}</p>
      {withNote && (
        <>
          <label htmlFor={noteId} className="field-label">
            Note (optional)
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
          className={`btn btn-${tone === 'neutral' ? 'primary' : tone}`}
          disabled={busy}
          data-testid={testId ? `${testId}-confirm` : undefined}
          autoFocus={!withNote}
        >
          {busy ? 'Working…' : confirmLabel}
        </button>
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => setOpen(false)}
          disabled={busy}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
