import type { Review } from '@dispute-room/shared';
import { describe, expect, it } from 'vitest';
import { parseReviewForm, reviewBy, upsertReview } from './review';

const review = (reviewerId: string, score: number): Review => ({
  id: `d1:${reviewerId}`,
  disputeId: 'd1',
  reviewerId,
  score,
  notes: '',
  createdAt: '2026-03-01T00:00:00.000Z',
  updatedAt: '2026-03-01T00:00:00.000Z',
});

describe('parseReviewForm', () => {
  it('accepts whole scores from 0 to 100 and trims the notes', () => {
    expect(parseReviewForm(' 85 ', '  Clear caucus use. ')).toEqual({
      ok: true,
      body: { score: 85, notes: 'Clear caucus use.' },
    });
    expect(parseReviewForm('0', '')).toEqual({ ok: true, body: { score: 0, notes: '' } });
    expect(parseReviewForm('100', '')).toMatchObject({ ok: true });
  });

  it('refuses other scores', () => {
    for (const text of ['', '101', '-1', '7.5', 'abc', '1e2']) {
      expect(parseReviewForm(text, '')).toEqual({
        ok: false,
        error: 'The score must be a whole number from 0 to 100.',
      });
    }
  });

  it('refuses notes over the limit', () => {
    expect(parseReviewForm('50', 'x'.repeat(5001))).toMatchObject({ ok: false });
  });
});

describe('reviews', () => {
  it('finds the viewer’s own review', () => {
    expect(reviewBy([review('a', 1), review('b', 2)], 'b')?.score).toBe(2);
    expect(reviewBy([review('a', 1)], 'c')).toBeNull();
  });

  it('replaces a reviewer’s earlier review in place', () => {
    const list = [review('a', 1), review('b', 2)];
    expect(upsertReview(list, review('a', 9)).map((r) => r.score)).toEqual([9, 2]);
    expect(upsertReview(list, review('c', 3)).map((r) => r.reviewerId)).toEqual(['a', 'b', 'c']);
  });
});
