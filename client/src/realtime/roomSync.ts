import {
  readableChannels,
  relationTo,
  type Ack,
  type Channel,
  type Dispute,
  type JoinResult,
  type Message,
  type User,
} from '@dispute-room/shared';
import { disputesApi } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { channelTabs } from '../lib/channels';
import { withReadFloor } from '../lib/disputes';
import { readParticipants } from '../lib/people';
import { createThrottle } from '../lib/throttle';
import { afterMap, contiguousHead, lastSeq, leavesGap } from '../lib/thread';
import { useDisputes } from '../stores/disputes';
import { useEvidence } from '../stores/evidence';
import { useProposals } from '../stores/proposals';
import { useRoom, type PendingMessage } from '../stores/room';
import { useSession } from '../stores/session';
import { getSocket } from './socket';

/*
 * Keeps the open dispute room in step with the server: joins it over the socket,
 * backfills what was missed (after a reconnect, a seq gap, or a `resync`), sends
 * messages optimistically and reports reads and typing.
 */

const BACKFILL_PAGES = 20;

let generation = 0;
let joinInFlight = false;
let joinAgain = false;
let proposalsTimer: number | undefined;
/** The seq up to which the viewer has read, per dispute and channel, this session. */
const readFloors = new Map<string, Partial<Record<Channel, number>>>();
const typingGates = new Map<string, (now: number) => boolean>();

function me(): User | null {
  return useSession.getState().user;
}

function readable(dispute: Dispute): Channel[] {
  const user = me();
  return user ? readableChannels(relationTo(user, dispute)) : [];
}

function sameChannels(a: readonly Channel[], b: readonly Channel[]): boolean {
  return a.length === b.length && a.every((c) => b.includes(c));
}

/** Picks a tab the viewer may see when the current one is not (or no longer) one. */
function ensureActiveChannel(dispute: Dispute): void {
  const user = me();
  if (!user) return;
  const tabs = channelTabs(user, dispute);
  const room = useRoom.getState();
  const first = tabs[0];
  if (first && !tabs.some((t) => t.channel === room.activeChannel)) {
    room.setActiveChannel(first.channel);
  }
}

/** Reloads the proposals soon: several events of one change arrive together. */
function refreshProposalsSoon(disputeId: string): void {
  window.clearTimeout(proposalsTimer);
  proposalsTimer = window.setTimeout(() => {
    if (useRoom.getState().disputeId === disputeId) void useProposals.getState().load(disputeId);
  }, 250);
}

function enter(dispute: Dispute): void {
  const room = useRoom.getState();
  room.setDispute(dispute);
  ensureActiveChannel(dispute);
  if (readable(dispute).length === 0) {
    room.setStatus('summary');
    return;
  }
  room.setStatus('joining');
  void useProposals.getState().load(dispute.id);
  join();
}

/** Opens a dispute room: shows the summary at once if known, then joins live. */
export async function openRoom(disputeId: string): Promise<void> {
  generation += 1;
  joinInFlight = false;
  joinAgain = false;
  useRoom.getState().reset(disputeId);
  useProposals.getState().reset(disputeId);
  useEvidence.getState().reset(disputeId);
  let dispute = useDisputes.getState().byId[disputeId];
  if (!dispute) {
    try {
      dispute = (await disputesApi.get(disputeId)).dispute;
    } catch (error) {
      if (useRoom.getState().disputeId === disputeId) {
        useRoom.getState().setStatus('error', errorMessage(error));
      }
      return;
    }
    if (useRoom.getState().disputeId !== disputeId) return;
    useDisputes.getState().upsert(dispute);
  }
  enter(dispute);
}

export function closeRoom(disputeId: string): void {
  const room = useRoom.getState();
  if (room.disputeId !== disputeId) return;
  generation += 1;
  joinInFlight = false;
  joinAgain = false;
  const socket = getSocket();
  if (socket?.connected && (room.status === 'joined' || room.status === 'joining')) {
    socket.emitWithAck('dispute:leave', { disputeId }).catch(() => undefined);
  }
  room.reset(null);
}

/**
 * Joins (or re-joins) the open room, asking only for entries after what we hold.
 * Calls while a join is in flight are folded into one more join after it.
 */
export function join(): void {
  const room = useRoom.getState();
  const { disputeId, dispute } = room;
  if (!disputeId || !dispute || (room.status !== 'joining' && room.status !== 'joined')) return;
  const socket = getSocket();
  // Not connected: the connect handler joins.
  if (!socket?.connected) return;
  if (joinInFlight) {
    joinAgain = true;
    return;
  }
  joinInFlight = true;
  const gen = generation;
  const after = afterMap(room.messages, readable(dispute));
  const settle = (ack: Ack<JoinResult> | null) => {
    if (gen !== generation) return;
    joinInFlight = false;
    const current = useRoom.getState();
    if (current.disputeId !== disputeId) return;
    if (!ack) {
      // Every try (see socketOptions) went unanswered; the room offers to try again.
      current.setStatus('error', 'The server did not answer in time.');
    } else if (!ack.ok) {
      if (current.status !== 'joined') current.setStatus('error', ack.error.message);
    } else {
      const participants = readParticipants((ack as { participants?: unknown }).participants);
      const dispute = withReadFloor(ack.dispute, readFloors.get(disputeId));
      current.applyJoin({ ...ack, dispute }, participants);
      useDisputes.getState().upsert(dispute);
      ensureActiveChannel(dispute);
      for (const [channel, more] of Object.entries(ack.hasMore) as [Channel, boolean][]) {
        if (more) void backfill(disputeId, channel, gen);
      }
    }
    if (joinAgain) {
      joinAgain = false;
      join();
    }
  };
  socket.emitWithAck('dispute:join', { disputeId, after }).then(settle, () => settle(null));
}

/** Pages a long channel in over REST after a join that returned only its first part. */
async function backfill(disputeId: string, channel: Channel, gen: number): Promise<void> {
  for (let page = 0; page < BACKFILL_PAGES; page += 1) {
    const head = contiguousHead(useRoom.getState().messages[channel] ?? []);
    try {
      const { messages, hasMore } = await disputesApi.messages(disputeId, channel, head);
      if (gen !== generation) return;
      useRoom.getState().addMessages(messages);
      if (!hasMore || messages.length === 0) return;
    } catch {
      return;
    }
  }
}

/** After a reconnect or a `resync`: the server may have sent things we never got. */
export function resync(): void {
  join();
}

export function onConnected(): void {
  // Acks of the old connection will never come.
  generation += 1;
  joinInFlight = false;
  joinAgain = false;
  join();
}

export function onMessage(message: Message): void {
  const room = useRoom.getState();
  if (message.disputeId !== room.disputeId) return;
  const gap = room.status === 'joined' && leavesGap(room.messages[message.channel] ?? [], message);
  room.addMessages([message]);
  if (message.kind === 'proposal' || message.proposalId || message.kind === 'system') {
    refreshProposalsSoon(message.disputeId);
  }
  if (message.kind === 'evidence')
    void useEvidence.getState().load(message.disputeId, message.channel);
  if (gap) join();
}

export function onDisputeUpdated(dispute: Dispute): void {
  const room = useRoom.getState();
  if (room.disputeId !== dispute.id) return;
  const before = room.dispute;
  room.setDispute(dispute);
  ensureActiveChannel(dispute);
  refreshProposalsSoon(dispute.id);
  const now = readable(dispute);
  const was = before ? readable(before) : [];
  if (now.length === 0) {
    // Reassigned away: nothing here is ours to read any more.
    room.dropChannels([]);
    room.setStatus('summary');
  } else if (room.status === 'summary' || !sameChannels(now, was)) {
    room.dropChannels(now);
    if (room.status !== 'joined') room.setStatus('joining');
    join();
  } else if (before && before.mediatorId !== dispute.mediatorId) {
    // A new mediator: join again, which also brings their name (participants).
    join();
  }
}

function deliver(pending: PendingMessage): void {
  const socket = getSocket();
  const room = useRoom.getState();
  if (!socket) {
    room.updatePending(pending.clientMsgId, { status: 'failed', error: 'Not connected.' });
    return;
  }
  const { disputeId, channel, body, clientMsgId } = pending;
  // Retried by the socket with the same clientMsgId: the server stores it at most once.
  socket.emitWithAck('message:send', { disputeId, channel, body, clientMsgId }).then(
    (ack) => {
      const current = useRoom.getState();
      if (current.disputeId !== disputeId) return;
      if (!ack.ok) {
        current.updatePending(clientMsgId, { status: 'failed', error: ack.error.message });
      } else {
        current.addMessages([ack.message]);
        current.removePending(clientMsgId);
      }
    },
    () => {
      const current = useRoom.getState();
      if (current.disputeId !== disputeId) return;
      current.updatePending(clientMsgId, {
        status: 'failed',
        error: 'The server did not answer in time.',
      });
    },
  );
}

/** Shows the message at once and sends it; the ack (or its echo) replaces it. */
export function sendMessage(channel: Channel, body: string): void {
  const { disputeId } = useRoom.getState();
  if (!disputeId) return;
  const pending: PendingMessage = {
    clientMsgId: crypto.randomUUID(),
    disputeId,
    channel,
    body,
    status: 'sending',
    error: null,
    createdAt: new Date().toISOString(),
  };
  useRoom.getState().addPending(pending);
  deliver(pending);
}

/** Sends again with the same clientMsgId: the server stores it at most once. */
export function retryMessage(clientMsgId: string): void {
  const room = useRoom.getState();
  const pending = room.pending.find((p) => p.clientMsgId === clientMsgId);
  if (!pending) return;
  room.updatePending(clientMsgId, { status: 'sending', error: null });
  deliver({ ...pending, status: 'sending', error: null });
}

/** The viewer has the newest entry of a channel in view: tell the server and others. */
export function markRead(channel: Channel): void {
  const room = useRoom.getState();
  const user = me();
  const { disputeId, dispute } = room;
  if (!disputeId || !dispute || !user || room.status !== 'joined') return;
  const seq = lastSeq(room.messages[channel]);
  const floor = readFloors.get(disputeId) ?? {};
  if (seq === 0 || (floor[channel] ?? 0) >= seq) return;
  const socket = getSocket();
  if (!socket?.connected) return;
  readFloors.set(disputeId, { ...floor, [channel]: seq });
  socket.emit('message:read', { disputeId, channel, seq });
  room.setRead(channel, user.id, seq);
  if (dispute.unread[channel]) {
    room.setDispute({ ...dispute, unread: { ...dispute.unread, [channel]: 0 } });
  }
  useDisputes.getState().markChannelRead(disputeId, channel);
}

/** What the viewer has read of a dispute this session (see withReadFloor). */
export function readFloorOf(disputeId: string): Partial<Record<Channel, number>> | undefined {
  return readFloors.get(disputeId);
}

/** At most one typing notice per channel every few seconds. */
export function notifyTyping(channel: Channel): void {
  const { disputeId } = useRoom.getState();
  const socket = getSocket();
  if (!disputeId || !socket?.connected) return;
  const key = `${disputeId}|${channel}`;
  let gate = typingGates.get(key);
  if (!gate) {
    gate = createThrottle(2_500);
    typingGates.set(key, gate);
  }
  // Volatile: a notice that cannot go out now is stale by the time it could, and it must
  // not wait in the retry queue in front of messages.
  if (gate(Date.now())) socket.volatile.emit('typing', { disputeId, channel });
}

/** Forgets per-session memory (on logout). */
export function resetRoomSync(): void {
  generation += 1;
  joinInFlight = false;
  joinAgain = false;
  readFloors.clear();
  typingGates.clear();
}
