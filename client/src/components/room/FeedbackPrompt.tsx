import { useId, useState, type FormEvent } from 'react';
import { disputesApi } from '../../api/endpoints';
import { ApiRequestError, errorMessage } from '../../api/http';

const storageKey = (userId: string, disputeId: string) => `feedback:${userId}:${disputeId}`;

function alreadyRated(userId: string, disputeId: string): boolean {
  try {
    return window.localStorage.getItem(storageKey(userId, disputeId)) === '1';
  } catch {
    return false;
  }
}

function rememberRated(userId: string, disputeId: string): void {
  try {
    window.localStorage.setItem(storageKey(userId, disputeId), '1');
  } catch {
    // Private mode: the server's 409 still tells us next time.
  }
}

const labels = ['Very poor', 'Poor', 'Okay', 'Good', 'Excellent'];

/** CSAT after a dispute ends: 1 to 5 and a comment, once (the server answers 409 after). */
export function FeedbackPrompt({ disputeId, userId }: { disputeId: string; userId: string }) {
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const [done, setDone] = useState(() => alreadyRated(userId, disputeId));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = useId();
  const commentId = useId();

  if (done) {
    return (
      <p className="feedback-thanks" data-testid="feedback-thanks" role="status">
        Thanks for your feedback.
      </p>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (rating < 1) return;
    setBusy(true);
    setError(null);
    try {
      await disputesApi.feedback(disputeId, {
        rating,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
      rememberRated(userId, disputeId);
      setDone(true);
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 409) {
        rememberRated(userId, disputeId);
        setDone(true);
      } else {
        setError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="feedback-prompt" onSubmit={submit} data-testid="feedback-form">
      <fieldset>
        <legend>How well was this dispute handled?</legend>
        <div className="stars">
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n} className={`star${n <= rating ? ' on' : ''}`} title={labels[n - 1]}>
              <input
                type="radio"
                name={name}
                value={n}
                checked={rating === n}
                onChange={() => setRating(n)}
                className="sr-only"
                data-testid={`feedback-rating-${n}`}
              />
              <span aria-hidden="true">★</span>
              <span className="sr-only">
                {n} – {labels[n - 1]}
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <label htmlFor={commentId} className="sr-only">
        Comment (optional)
      </label>
      <input
        id={commentId}
        placeholder="Anything to add? (optional)"
        maxLength={2000}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
      />
      <button type="submit" className="btn btn-primary btn-small" disabled={rating < 1 || busy}>
        {busy ? 'Submitting…' : 'Submit rating'}
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
