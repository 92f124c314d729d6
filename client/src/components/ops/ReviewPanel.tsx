import { useId, useState, type FormEvent } from 'react';
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
            <span className="record-name">Your review</span>
            <span className="review-score" data-testid="your-review-score">
              {mine.score}/100
            </span>
          </p>
          {mine.notes && <p className="record-text">{mine.notes}</p>}
          <p className="muted small">
            {mine.updatedAt !== mine.createdAt ? 'Updated' : 'Written'}{' '}
            {dateTimeLabel(mine.updatedAt, zone)}
          </p>
        </div>
      )}
      <form className="review-form stack" onSubmit={submit} data-testid="review-form" noValidate>
        <Field id={ids.score} label="QA score (0–100)">
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
            How well the mediation was run: tone, neutrality, speed, use of caucus.
          </span>
        </Field>
        <Field id={ids.notes} label="Notes">
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
            Review saved.
          </p>
        )}
        <button
          type="submit"
          className="btn btn-primary"
          disabled={busy}
          data-testid="review-submit"
        >
          {busy ? 'Saving…' : mine ? 'Replace your review' : 'Save review'}
        </button>
      </form>
      {others.length > 0 && (
        <>
          <h3 className="panel-subtitle other-reviews-title">Other reviews</h3>
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
