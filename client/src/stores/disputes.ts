import type { Channel, Dispute, DisputeState } from '@dispute-room/shared';
import { create } from 'zustand';
import { disputesApi } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { mergeListed } from '../lib/disputes';

type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

interface DisputesState {
  /** Every dispute the viewer has been shown, as the server last shaped it for them. */
  byId: Record<string, Dispute>;
  filter: DisputeState | null;
  status: LoadStatus;
  error: string | null;
  queueStatus: LoadStatus;
  queueError: string | null;
  setFilter(filter: DisputeState | null): void;
  load(): Promise<void>;
  /** A mediator's queue: unassigned disputes and their own. */
  loadQueue(meId: string): Promise<void>;
  upsert(dispute: Dispute): void;
  remove(disputeId: string): void;
  /** Reading a channel clears its unread count at once, before the server confirms. */
  markChannelRead(disputeId: string, channel: Channel): void;
  clear(): void;
}

/**
 * When each dispute last changed here (by event or by the viewer's own action), counted, so
 * that a list answer can tell what it cannot know about: what changed after it was asked.
 */
let changes = 0;
const changedAt = new Map<string, number>();

function noteChange(disputeId: string): void {
  changedAt.set(disputeId, ++changes);
}

function changedAfter(mark: number): Set<string> {
  const ids = new Set<string>();
  for (const [id, at] of changedAt) if (at > mark) ids.add(id);
  return ids;
}

export const useDisputes = create<DisputesState>()((set, get) => ({
  byId: {},
  filter: null,
  status: 'idle',
  error: null,
  queueStatus: 'idle',
  queueError: null,

  setFilter(filter) {
    set({ filter });
    void get().load();
  },

  async load() {
    const { filter } = get();
    set({ status: 'loading', error: null });
    const asked = changes;
    try {
      const { disputes } = await disputesApi.list({ state: filter });
      if (get().filter !== filter) return;
      const changed = changedAfter(asked);
      set((s) => ({
        byId: mergeListed(s.byId, (d) => filter === null || d.state === filter, disputes, changed),
        status: 'ready',
      }));
    } catch (error) {
      set({ status: 'error', error: errorMessage(error) });
    }
  },

  async loadQueue(meId) {
    set({ queueStatus: 'loading', queueError: null });
    const asked = changes;
    try {
      const [unassigned, mine] = await Promise.all([
        disputesApi.list({ assigned: 'none' }),
        disputesApi.list({ assigned: 'me' }),
      ]);
      const changed = changedAfter(asked);
      set((s) => {
        let byId = mergeListed(
          s.byId,
          (d) => d.state === 'mediation' && d.mediatorId === null,
          unassigned.disputes,
          changed,
        );
        byId = mergeListed(byId, (d) => d.mediatorId === meId, mine.disputes, changed);
        return { byId, queueStatus: 'ready' };
      });
    } catch (error) {
      set({ queueStatus: 'error', queueError: errorMessage(error) });
    }
  },

  upsert(dispute) {
    noteChange(dispute.id);
    set((s) => {
      const known = s.byId[dispute.id];
      // Events can cross: never let an older copy replace a newer one.
      if (known && Date.parse(known.updatedAt) > Date.parse(dispute.updatedAt)) return s;
      return { byId: { ...s.byId, [dispute.id]: dispute } };
    });
  },

  remove(disputeId) {
    noteChange(disputeId);
    set((s) => {
      if (!s.byId[disputeId]) return s;
      const byId = { ...s.byId };
      delete byId[disputeId];
      return { byId };
    });
  },

  markChannelRead(disputeId, channel) {
    set((s) => {
      const known = s.byId[disputeId];
      if (!known || !known.unread[channel]) return s;
      return {
        byId: { ...s.byId, [disputeId]: { ...known, unread: { ...known.unread, [channel]: 0 } } },
      };
    });
  },

  clear() {
    changedAt.clear();
    set({ byId: {}, status: 'idle', error: null, queueStatus: 'idle', queueError: null });
  },
}));

export const selectDisputesById = (s: DisputesState) => s.byId;
