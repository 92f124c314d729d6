import type { Metrics } from '@dispute-room/shared';
import { create } from 'zustand';
import { opsApi } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { rangeInstants, type DayRange } from '../lib/dateRange';

type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

interface MetricsState {
  /** The range and zone of the last request: an older answer arriving late is dropped. */
  key: string | null;
  metrics: Metrics | null;
  status: LoadStatus;
  error: string | null;
  load(range: DayRange, zone: string): Promise<void>;
}

/** The ops dashboard's numbers for one range of days; the last ones stay shown while reloading. */
export const useMetrics = create<MetricsState>()((set, get) => ({
  key: null,
  metrics: null,
  status: 'idle',
  error: null,

  async load(range, zone) {
    const key = `${range.from}|${range.to}|${zone}`;
    set({ key, status: 'loading', error: null });
    try {
      const metrics = await opsApi.metrics(rangeInstants(range, zone));
      if (get().key === key) set({ metrics, status: 'ready' });
    } catch (error) {
      if (get().key === key) set({ status: 'error', error: errorMessage(error) });
    }
  },
}));
