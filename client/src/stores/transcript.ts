import type { Review, Transcript } from '@dispute-room/shared';
import { create } from 'zustand';
import { opsApi, type ReviewBody } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { upsertReview } from '../lib/review';

type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

interface TranscriptState {
  disputeId: string | null;
  transcript: Transcript | null;
  status: LoadStatus;
  error: string | null;
  /** Names of everyone met in transcripts this session, by user id (mediator filter labels). */
  names: Record<string, string>;
  load(disputeId: string): Promise<void>;
  /** Saves the viewer's QA review (replacing theirs) and shows it; throws the server's error. */
  saveReview(disputeId: string, body: ReviewBody): Promise<Review>;
}

export const useTranscript = create<TranscriptState>()((set, get) => ({
  disputeId: null,
  transcript: null,
  status: 'idle',
  error: null,
  names: {},

  async load(disputeId) {
    const keep = get().disputeId === disputeId ? get().transcript : null;
    set({ disputeId, transcript: keep, status: 'loading', error: null });
    try {
      const transcript = await opsApi.transcript(disputeId);
      if (get().disputeId !== disputeId) return;
      const names = { ...get().names };
      for (const [id, p] of Object.entries(transcript.participants)) names[id] = p.name;
      set({ transcript, status: 'ready', names });
    } catch (error) {
      if (get().disputeId === disputeId) set({ status: 'error', error: errorMessage(error) });
    }
  },

  async saveReview(disputeId, body) {
    const { review } = await opsApi.review(disputeId, body);
    set((s) =>
      s.transcript && s.disputeId === disputeId
        ? { transcript: { ...s.transcript, reviews: upsertReview(s.transcript.reviews, review) } }
        : s,
    );
    return review;
  },
}));
