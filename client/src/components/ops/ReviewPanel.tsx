import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/http';
import { parseReviewForm, reviewBy } from '../../lib/review';
import { dateTimeLabel } from '../../lib/time';
import { selectUser, useSession } from '../../stores/session';
import { useTranscript } from '../../stores/transcript';
import type { TranscriptViewProps } from './useTranscriptNames';
import { Field } from '../Field';

/** The QA score of the mediation: the viewer's own review (one each, replaced on resubmit) and others'. */
export function ReviewPanel({ transcript, zone, nameOf }: TranscriptViewProps) {
  const me = useSession(selectUser);
  const saveReview = useTranscript((s) => s.saveReview);
  const disputeId = transcript.dispute.id;
  const mine = me ? reviewBy(transcript.reviews, me.id) : null;
  const others = transcript.reviews.filter((r) => r.reviewerId !== me?.id);
  const [score, setScore] = useState(mine ? String(mine.score) : '');
  const [notes, setNotes] = useState(mine?.notes ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const ids = { score: useId(), notes: useId(), hint: useId() };
  const { t } = useTranslation();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const form = parseReviewForm(score, notes);
    if (!form.ok) {
      setError(form.error);
      setSaved(false);
      return;
    }
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await saveReview(disputeId, form.body);
      setSaved(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="review-panel">
      {mine && (
        <div className="your-review card-inset" data-testid="your-review">
          <p className="record-head">
            <span className="record-name">{t('review.yours')}</span>
            <span className="review-score" data-testid="your-review-score">
              {mine.score}/100
            </span>
          </p>
          {mine.notes && <p className="record-text">{mine.notes}</p>}
          <p className="muted small">
            {mine.updatedAt !== mine.createdAt ? t('review.updated') : t('review.written')}{' '}
            {dateTimeLabel(mine.updatedAt, zone)}
          </p>
        </div>
      )}
      <form className="review-form stack" onSubmit={submit} data-testid="review-form" noValidate>
        <Field id={ids.score} label={t('review.score')}>
          <input
            id={ids.score}
            type="number"
            inputMode="numeric"
            min={0}
            max={100}
            step={1}
            required
            value={score}
            onChange={(e) => setScore(e.target.value)}
            aria-describedby={ids.hint}
            aria-invalid={error !== null && !parseReviewForm(score, '').ok}
            data-testid="review-score"
          />
          <span id={ids.hint} className="field-hint">
            {t('review.scoreHint')}
          </span>
        </Field>
        <Field id={ids.notes} label={t('review.notes')}>
          <textarea
            id={ids.notes}
            rows={3}
            maxLength={5000}
            value={notes}
            onChange={(e) => setNotes(e.target.value)}
            data-testid="review-notes"
          />
        </Field>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {saved && (
          <p className="form-success" role="status">
            {t('review.saved')}
          </p>
        )}
        <button
          type="submit"
          className="btn btn-primary"
          disabled={busy}
          data-testid="review-submit"
        >
          {busy ? t('review.saving') : mine ? t('review.replace') : t('review.save')}
        </button>
      </form>
      {others.length > 0 && (
        <>
          <h3 className="panel-subtitle other-reviews-title">{t('review.others')}</h3>
          <ul className="record-list">
            {others.map((r) => (
              <li key={r.id} className="record-item" data-testid="transcript-review">
                <p className="record-head">
                  <span className="record-name">
                    <bdi>{nameOf(r.reviewerId, 'ops')}</bdi>
                  </span>
                  <span className="review-score">{r.score}/100</span>
                </p>
                {r.notes && (
                  <p className="record-text" dir="auto">
                    {r.notes}
                  </p>
                )}
                <p className="muted small">{dateTimeLabel(r.updatedAt, zone)}</p>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
