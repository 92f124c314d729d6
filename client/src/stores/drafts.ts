import type { Channel } from '@dispute-room/shared';
import { create } from 'zustand';

interface DraftsState {
  drafts: Record<string, string>;
  setDraft(key: string, text: string): void;
}

export const draftKey = (disputeId: string, channel: Channel) => `${disputeId}|${channel}`;

/** Unsent text per dispute and channel, kept while the viewer switches tabs or rooms. */
export const useDrafts = create<DraftsState>()((set) => ({
  drafts: {},
  setDraft(key, text) {
    set((s) => {
      const drafts = { ...s.drafts };
      if (text) drafts[key] = text;
      else delete drafts[key];
      return { drafts };
    });
  },
}));
