import type { CreateProposalBody, Dispute, Proposal } from '@dispute-room/shared';
import { create } from 'zustand';
import { proposalsApi } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { mergeProposals } from '../lib/proposals';

interface ProposalsState {
  disputeId: string | null;
  items: Proposal[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  reset(disputeId: string | null): void;
  load(disputeId: string): Promise<void>;
  create(disputeId: string, body: CreateProposalBody): Promise<void>;
  /** Accepts or rejects; returns the dispute as it now stands. */
  decide(disputeId: string, proposalId: string, accept: boolean): Promise<Dispute>;
}

const upsert = (items: Proposal[], proposal: Proposal) => mergeProposals([proposal], items);

/** Offers and recommendations of the open dispute, newest first. */
export const useProposals = create<ProposalsState>()((set, get) => ({
  disputeId: null,
  items: [],
  status: 'idle',
  error: null,

  reset(disputeId) {
    set({ disputeId, items: [], status: 'idle', error: null });
  },

  async load(disputeId) {
    if (get().status === 'idle') set({ status: 'loading' });
    try {
      const { proposals } = await proposalsApi.list(disputeId);
      if (get().disputeId !== disputeId) return;
      // Reloads may answer out of order: merged, so nothing shown moves backwards.
      set((s) => ({ items: mergeProposals(proposals, s.items), status: 'ready', error: null }));
    } catch (error) {
      set({ status: 'error', error: errorMessage(error) });
    }
  },

  async create(disputeId, body) {
    const { proposal } = await proposalsApi.create(disputeId, body);
    // A new proposal supersedes the pending ones: reload to show that.
    set((s) => (s.disputeId === disputeId ? { items: upsert(s.items, proposal) } : s));
    void get().load(disputeId);
  },

  async decide(disputeId, proposalId, accept) {
    const call = accept ? proposalsApi.accept : proposalsApi.reject;
    const { proposal, dispute } = await call(disputeId, proposalId);
    set((s) => (s.disputeId === disputeId ? { items: upsert(s.items, proposal) } : s));
    return dispute;
  },
}));
