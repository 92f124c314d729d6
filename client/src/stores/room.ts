import type { Channel, Dispute, JoinResult, Message } from '@dispute-room/shared';
import { create } from 'zustand';
import type { Participants } from '../lib/people';
import { mergeIntoChannels, type MessagesByChannel } from '../lib/thread';

/** A message on its way: shown at once, replaced by the stored entry when it comes back. */
export interface PendingMessage {
  clientMsgId: string;
  disputeId: string;
  channel: Channel;
  body: string;
  status: 'sending' | 'failed';
  error: string | null;
  createdAt: string;
}

/**
 * loading: fetching the dispute; summary: visible but no channel is readable (a queue
 * item for a mediator who has not claimed it); joined: live.
 */
export type RoomStatus = 'idle' | 'loading' | 'summary' | 'joining' | 'joined' | 'error';

export const TYPING_SHOWN_MS = 4_000;

interface RoomState {
  disputeId: string | null;
  status: RoomStatus;
  error: string | null;
  dispute: Dispute | null;
  messages: MessagesByChannel;
  pending: PendingMessage[];
  presence: Record<string, boolean>;
  reads: Partial<Record<Channel, Record<string, number>>>;
  /** Who is typing, until when (epoch ms), and where. */
  typing: Record<string, { channel: Channel; until: number }>;
  participants: Participants;
  activeChannel: Channel;

  reset(disputeId: string | null): void;
  setStatus(status: RoomStatus, error?: string | null): void;
  setDispute(dispute: Dispute): void;
  applyJoin(result: JoinResult, participants: Participants): void;
  addMessages(messages: readonly Message[]): void;
  dropChannels(keep: readonly Channel[]): void;
  addPending(pending: PendingMessage): void;
  updatePending(clientMsgId: string, patch: Partial<PendingMessage>): void;
  removePending(clientMsgId: string): void;
  setPresence(userId: string, online: boolean): void;
  setRead(channel: Channel, userId: string, seq: number): void;
  setTyping(userId: string, channel: Channel, now: number): void;
  setActiveChannel(channel: Channel): void;
}

const empty = {
  status: 'idle' as RoomStatus,
  error: null,
  dispute: null,
  messages: {},
  pending: [],
  presence: {},
  reads: {},
  typing: {},
  participants: {},
  activeChannel: 'joint' as Channel,
};

function mergeReads(current: RoomState['reads'], incoming: RoomState['reads']): RoomState['reads'] {
  const next: RoomState['reads'] = { ...current };
  for (const [channel, users] of Object.entries(incoming) as [Channel, Record<string, number>][]) {
    const merged = { ...next[channel] };
    for (const [userId, seq] of Object.entries(users)) {
      merged[userId] = Math.max(merged[userId] ?? 0, seq);
    }
    next[channel] = merged;
  }
  return next;
}

/** The dispute room the viewer has open: its thread, people and live state. */
export const useRoom = create<RoomState>()((set) => ({
  disputeId: null,
  ...empty,

  reset(disputeId) {
    set({ disputeId, ...empty, status: disputeId ? 'loading' : 'idle' });
  },

  setStatus(status, error = null) {
    set({ status, error });
  },

  setDispute(dispute) {
    set((s) => {
      if (s.disputeId !== dispute.id) return s;
      const known = s.dispute;
      if (known && Date.parse(known.updatedAt) > Date.parse(dispute.updatedAt)) return s;
      return { dispute };
    });
  },

  applyJoin(result, participants) {
    set((s) => {
      if (s.disputeId !== result.dispute.id) return s;
      const messages = mergeIntoChannels(s.messages, result.messages);
      return {
        status: 'joined',
        error: null,
        dispute: result.dispute,
        messages,
        pending: withoutDelivered(s.pending, result.messages),
        presence: result.presence,
        reads: mergeReads(s.reads, result.reads),
        participants: { ...s.participants, ...participants },
      };
    });
  },

  addMessages(incoming) {
    set((s) => {
      const mine = incoming.filter((m) => m.disputeId === s.disputeId);
      if (mine.length === 0) return s;
      const typing = { ...s.typing };
      for (const m of mine) if (m.authorId) delete typing[m.authorId];
      return {
        messages: mergeIntoChannels(s.messages, mine),
        pending: withoutDelivered(s.pending, mine),
        typing,
      };
    });
  },

  dropChannels(keep) {
    set((s) => {
      const messages: MessagesByChannel = {};
      for (const channel of keep) if (s.messages[channel]) messages[channel] = s.messages[channel];
      return { messages };
    });
  },

  addPending(pending) {
    set((s) => ({ pending: [...s.pending, pending] }));
  },

  updatePending(clientMsgId, patch) {
    set((s) => ({
      pending: s.pending.map((p) => (p.clientMsgId === clientMsgId ? { ...p, ...patch } : p)),
    }));
  },

  removePending(clientMsgId) {
    set((s) => ({ pending: s.pending.filter((p) => p.clientMsgId !== clientMsgId) }));
  },

  setPresence(userId, online) {
    set((s) => ({ presence: { ...s.presence, [userId]: online } }));
  },

  setRead(channel, userId, seq) {
    set((s) => ({ reads: mergeReads(s.reads, { [channel]: { [userId]: seq } }) }));
  },

  setTyping(userId, channel, now) {
    set((s) => ({ typing: { ...s.typing, [userId]: { channel, until: now + TYPING_SHOWN_MS } } }));
  },

  setActiveChannel(activeChannel) {
    set({ activeChannel });
  },
}));

function withoutDelivered(pending: PendingMessage[], delivered: readonly Message[]) {
  if (pending.length === 0) return pending;
  const ids = new Set(delivered.map((m) => m.clientMsgId).filter(Boolean));
  return ids.size === 0 ? pending : pending.filter((p) => !ids.has(p.clientMsgId));
}
