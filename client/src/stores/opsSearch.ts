import type { Dispute } from '@dispute-room/shared';
import { create } from 'zustand';
import { opsApi } from '../api/endpoints';
import { errorMessage } from '../api/http';

type SearchStatus = 'idle' | 'loading' | 'loadingMore' | 'ready' | 'error';

interface OpsSearchState {
  /** The API parameters of the results shown, as a string: identifies one search. */
  key: string | null;
  params: Record<string, string>;
  disputes: Dispute[];
  nextCursor: string | null;
  /** Every mediator by name, from the server, for names in rows and the mediator filter. */
  mediators: { id: string; name: string }[];
  status: SearchStatus;
  error: string | null;
  /** The query string of the last search, so a transcript can link back to it. */
  lastQuery: string;
  /** A new search (first page); `query` is the address bar's query string for it. */
  search(params: Record<string, string>, query: string): Promise<void>;
  /** The next page of the same search, appended. */
  loadMore(): Promise<void>;
}

function appendNew(current: Dispute[], page: Dispute[]): Dispute[] {
  const seen = new Set(current.map((d) => d.id));
  return [...current, ...page.filter((d) => !seen.has(d.id))];
}

export const useOpsSearch = create<OpsSearchState>()((set, get) => ({
  key: null,
  params: {},
  disputes: [],
  nextCursor: null,
  mediators: [],
  status: 'idle',
  error: null,
  lastQuery: '',

  async search(params, query) {
    const key = JSON.stringify(params);
    set({
      key,
      params,
      lastQuery: query,
      disputes: [],
      nextCursor: null,
      status: 'loading',
      error: null,
    });
    try {
      const page = await opsApi.search(params);
      if (get().key !== key) return;
      set({
        disputes: page.disputes,
        nextCursor: page.nextCursor,
        mediators: page.mediators,
        status: 'ready',
      });
    } catch (error) {
      if (get().key === key) set({ status: 'error', error: errorMessage(error) });
    }
  },

  async loadMore() {
    const { key, params, nextCursor, status } = get();
    if (!nextCursor || status === 'loading' || status === 'loadingMore') return;
    set({ status: 'loadingMore', error: null });
    try {
      const page = await opsApi.search(params, nextCursor);
      if (get().key !== key) return;
      set((s) => ({
        disputes: appendNew(s.disputes, page.disputes),
        nextCursor: page.nextCursor,
        status: 'ready',
      }));
    } catch (error) {
      // The results so far stay; the cursor stays too, so "Load more" can be tried again.
      if (get().key === key) set({ status: 'error', error: errorMessage(error) });
    }
  },
}));
