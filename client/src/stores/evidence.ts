import type { Channel, Evidence } from '@dispute-room/shared';
import { create } from 'zustand';
import { evidenceApi } from '../api/endpoints';
import { errorMessage } from '../api/http';

interface EvidenceState {
  disputeId: string | null;
  byId: Record<string, Evidence>;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  reset(disputeId: string | null): void;
  /** Loads the evidence of one channel (or all readable ones). */
  load(disputeId: string, channel?: Channel): Promise<void>;
  add(evidence: Evidence): void;
}

export const useEvidence = create<EvidenceState>()((set, get) => ({
  disputeId: null,
  byId: {},
  status: 'idle',
  error: null,

  reset(disputeId) {
    set({ disputeId, byId: {}, status: 'idle', error: null });
  },

  async load(disputeId, channel) {
    set({ status: 'loading', error: null });
    try {
      const { evidence } = await evidenceApi.list(disputeId, channel);
      if (get().disputeId !== disputeId) return;
      set((s) => {
        const byId = { ...s.byId };
        for (const e of evidence) byId[e.id] = e;
        return { byId, status: 'ready' };
      });
    } catch (error) {
      set({ status: 'error', error: errorMessage(error) });
    }
  },

  add(evidence) {
    set((s) =>
      s.disputeId === evidence.disputeId ? { byId: { ...s.byId, [evidence.id]: evidence } } : s,
    );
  },
}));
