import type { Channel, Dispute, DisputeState } from '@dispute-room/shared';
import { create } from 'zustand';
import { disputesApi } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { boundOf, coveredByPage, mergeListed, type ListBound } from '../lib/disputes';

/** Disputes a page of the list asks for. */
export const LIST_PAGE = 50;

type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

interface DisputesState {
  /** Every dispute the viewer has been shown, as the server last shaped it for them. */
  byId: Record<string, Dispute>;
  filter: DisputeState | null;
  status: LoadStatus;
  error: string | null;
  /** Where the next page of the list starts (null: all shown), and the last dispute listed. */
  nextCursor: string | null;
  listedThrough: ListBound | null;
  olderStatus: LoadStatus;
  queueStatus: LoadStatus;
  queueError: string | null;
  setFilter(filter: DisputeState | null): void;
  /** The list's first page (again). */
  load(): Promise<void>;
  /** The page after the last one shown. */
  loadOlder(): Promise<void>;
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

/**
 * One page of the list after `cursor` (the page before ended at `after`), as a merge into
 * what the viewer holds: it drops only disputes of the part of the list the page covers.
 */
async function fetchPage(
  filter: DisputeState | null,
  cursor: string | null,
  after: ListBound | null,
) {
  const asked = changes;
  const { disputes, nextCursor } = await disputesApi.list({
    state: filter,
    limit: LIST_PAGE,
    cursor,
  });
  const changed = changedAfter(asked);
  const through = nextCursor ? boundOf(disputes) : null;
  return (byId: Record<string, Dispute>) => ({
    byId: mergeListed(
      byId,
      (d) => (filter === null || d.state === filter) && coveredByPage(d, after, through),
      disputes,
      changed,
    ),
    nextCursor,
    listedThrough: through,
  });
}

/** What a signed-out viewer holds (the filter survives a sign-out). */
const empty = {
  byId: {},
  status: 'idle',
  error: null,
  nextCursor: null,
  listedThrough: null,
  olderStatus: 'idle',
  queueStatus: 'idle',
  queueError: null,
} satisfies Partial<DisputesState>;

export const useDisputes = create<DisputesState>()((set, get) => ({
  ...empty,
  filter: null,

  setFilter(filter) {
    set({ filter });
    void get().load();
  },

  async load() {
    const { filter } = get();
    set({ status: 'loading', error: null });
    try {
      // The first page covers the newest filings down to its last: older pages already shown
      // stay until their own reload.
      const merged = await fetchPage(filter, null, null);
      if (get().filter !== filter) return;
      set((s) => ({ ...merged(s.byId), status: 'ready', olderStatus: 'idle' }));
    } catch (error) {
      set({ status: 'error', error: errorMessage(error) });
    }
  },

  async loadOlder() {
    const { filter, nextCursor: cursor, listedThrough, olderStatus } = get();
    if (!cursor || olderStatus === 'loading') return;
    set({ olderStatus: 'loading' });
    try {
      const merged = await fetchPage(filter, cursor, listedThrough);
      // A filter changed or a reload came meanwhile: this page belongs to a list not shown.
      if (get().filter !== filter || get().nextCursor !== cursor) return;
      set((s) => ({ ...merged(s.byId), olderStatus: 'ready' }));
    } catch (error) {
      set({ olderStatus: 'error', error: errorMessage(error) });
    }
  },

  async loadQueue(meId) {
    set({ queueStatus: 'loading', queueError: null });
    const asked = changes;
    try {
      const [unassigned, mine] = await Promise.all([
        disputesApi.list({ assigned: 'none' }),
        // The queue page shows their disputes in mediation: only those are asked for, read
        // back to the oldest live dispute, not through the mediator's whole history.
        disputesApi.list({ assigned: 'me', state: 'mediation' }),
      ]);
      const changed = changedAfter(asked);
      set((s) => {
        let byId = mergeListed(
          s.byId,
          (d) => d.state === 'mediation' && d.mediatorId === null,
          unassigned.disputes,
          changed,
        );
        byId = mergeListed(
          byId,
          (d) => d.mediatorId === meId && d.state === 'mediation',
          mine.disputes,
          changed,
        );
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
    set(empty);
  },
}));

export const selectDisputesById = (s: DisputesState) => s.byId;
