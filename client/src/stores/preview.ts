import type { Evidence } from '@dispute-room/shared';
import { create } from 'zustand';

interface PreviewState {
  evidence: Evidence | null;
  open(evidence: Evidence): void;
  close(): void;
}

/** The one evidence preview of the room, opened from the thread or the Evidence tab alike. */
export const usePreview = create<PreviewState>()((set) => ({
  evidence: null,
  open: (evidence) => set({ evidence }),
  close: () => set({ evidence: null }),
}));
