import { reviewBodySchema, type Review } from '@dispute-room/shared';
import { formattingLocale as currentLocaleTag, t } from '../i18n';

export type ReviewBody = ReturnType<typeof reviewBodySchema.parse>;

export type ReviewForm = { ok: true; body: ReviewBody } | { ok: false; error: string };

/** The QA form's text fields as a review body, checked against the contract's schema. */
export function parseReviewForm(scoreText: string, notes: string): ReviewForm {
  const trimmed = scoreText.trim();
  const score = /^\d{1,3}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  const parsed = reviewBodySchema.safeParse({ score, notes });
  if (parsed.success) return { ok: true, body: parsed.data };
  const scoreIssue = parsed.error.issues.some((issue) => issue.path[0] === 'score');
  return {
    ok: false,
    error: scoreIssue
      ? t('review.error.score')
      : t('review.error.notes', { max: (5000).toLocaleString(currentLocaleTag()) }),
  };
}

/** The viewer's own review of the dispute, if they wrote one. */
export function reviewBy(reviews: readonly Review[], reviewerId: string): Review | null {
  return reviews.find((r) => r.reviewerId === reviewerId) ?? null;
}

/** One review per reviewer: a newer one replaces theirs, in place. */
export function upsertReview(reviews: readonly Review[], review: Review): Review[] {
  const i = reviews.findIndex((r) => r.reviewerId === review.reviewerId);
  if (i === -1) return [...reviews, review];
  const next = reviews.slice();
  next[i] = review;
  return next;
}
