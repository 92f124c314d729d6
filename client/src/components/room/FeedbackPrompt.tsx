import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
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

const ratingKeys = ['veryPoor', 'poor', 'okay', 'good', 'excellent'];

/** CSAT after a dispute ends: 1 to 5 and a comment, once (the server answers 409 after). */
export function FeedbackPrompt({ disputeId, userId }: { disputeId: string; userId: string }) {
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const [done, setDone] = useState(() => alreadyRated(userId, disputeId));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = useId();
  const commentId = useId();
  const { t } = useTranslation();
  const labels = ratingKeys.map((key) => t(`feedback.rating.${key}`));

  if (done) {
    return (
      <p className="feedback-thanks" data-testid="feedback-thanks" role="status">
        {t('feedback.thanks')}
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
        <legend>{t('feedback.question')}</legend>
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
        {t('feedback.comment')}
      </label>
      <input
        id={commentId}
        placeholder={t('feedback.placeholder')}
        maxLength={2000}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
      />
      <button type="submit" className="btn btn-primary btn-small" disabled={rating < 1 || busy}>
        {busy ? t('offers.submitting') : t('feedback.submit')}
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
