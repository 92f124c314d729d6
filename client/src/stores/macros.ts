import type { Macro } from '@dispute-room/shared';
import { create } from 'zustand';
import { macrosApi } from '../api/endpoints';
import { errorMessage } from '../api/http';

interface MacrosState {
  macros: Macro[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  load(): Promise<void>;
}

/** A mediator's canned replies. */
export const useMacros = create<MacrosState>()((set) => ({
  macros: [],
  status: 'idle',
  error: null,
  async load() {
    set({ status: 'loading', error: null });
    try {
      const { macros } = await macrosApi.list();
      set({ macros, status: 'ready' });
    } catch (error) {
      set({ status: 'error', error: errorMessage(error) });
    }
  },
}));
