import type { Server } from 'socket.io';
import {
  channels,
  type ClientToServerEvents,
  type Role,
  type ServerToClientEvents,
} from '@dispute-room/shared';
import type { MessageDoc } from '../messages/model.js';
import { toMessage, type LogAdvance } from '../messages/service.js';

export type IO = Server<ClientToServerEvents, ServerToClientEvents>;

/** Room names: one place, so emitters and joiners cannot disagree. */
export const rooms = {
  user: (userId: string) => `user:${userId}`,
  role: (role: Role) => `role:${role}`,
  session: (sid: string) => `session:${sid}`,
  token: (tokenId: string) => `token:${tokenId}`,
  /** Sockets joined to a dispute that may read this channel. */
  channel: (disputeId: string, channel: string) => `d:${disputeId}:${channel}`,
  /** Every socket joined to a dispute (presence). */
  dispute: (disputeId: string) => `d:${disputeId}`,
};

/** The users with a socket in `room` on this instance (no Redis round trip). */
export function usersHere(io: IO, room: string): Set<string> {
  const ns = io.of('/');
  const users = new Set<string>();
  for (const id of ns.adapter.rooms.get(room) ?? []) {
    const user = (ns.sockets.get(id)?.data as { user?: { id: string } } | undefined)?.user;
    if (user) users.add(user.id);
  }
  return users;
}

type EventName = keyof ServerToClientEvents;
type Payload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

/**
 * The services' handle on Socket.IO. It exists before the Socket.IO server does,
 * so services can be built first; emits before attach() are dropped.
 */
export class Hub {
  private server: IO | null = null;
  private clustered = false;

  /** `clustered`: other instances share rooms through Redis and hear server-side emits. */
  attach(io: IO, clustered: boolean): void {
    this.server = io;
    this.clustered = clustered;
  }

  /** Tells the other instances to drop their cached copy of an edited entry. */
  invalidateMessage(id: string): void {
    if (this.clustered) this.server?.serverSideEmit('message:invalidate', id);
  }

  /** Tells the other instances which heads and read positions moved here (see ChannelLog.learn). */
  announceLogAdvance(advance: LogAdvance): void {
    if (this.clustered) this.server?.serverSideEmit('log:advanced', advance);
  }

  /** Tells the other instances to drop their cached copy of a dispute. */
  invalidateDispute(disputeId: string): void {
    if (this.clustered) this.server?.serverSideEmit('dispute:invalidate', disputeId);
  }

  /** Tells the other instances to drop their cached copy of a revoked token. */
  invalidateToken(tokenId: string): void {
    if (this.clustered) this.server?.serverSideEmit('token:invalidate', tokenId);
  }

  /** Tells the other instances to drop their cached copy of a user. */
  invalidateUser(userId: string): void {
    if (this.clustered) this.server?.serverSideEmit('user:invalidate', userId);
  }

  get io(): IO | null {
    return this.server;
  }

  disconnectSession(sid: string): void {
    this.server?.in(rooms.session(sid)).disconnectSockets(true);
  }

  disconnectToken(tokenId: string): void {
    this.server?.in(rooms.token(tokenId)).disconnectSockets(true);
  }

  /** A new log entry, to the joined readers of its channel only. */
  emitMessage(doc: MessageDoc): void {
    this.server
      ?.to(rooms.channel(doc.disputeId, doc.channel))
      .emit('message:new', { message: toMessage(doc) });
  }

  toUser<E extends EventName>(userId: string, event: E, payload: Payload<E>): void {
    const target = this.server?.to(rooms.user(userId));
    if (target) (target.emit as (e: E, p: Payload<E>) => boolean).call(target, event, payload);
  }

  toRole<E extends EventName>(
    role: Role,
    event: E,
    payload: Payload<E>,
    exceptUserIds: string[] = [],
  ): void {
    const target = this.server?.to(rooms.role(role)).except(exceptUserIds.map(rooms.user));
    if (target) (target.emit as (e: E, p: Payload<E>) => boolean).call(target, event, payload);
  }

  /** Takes a user's sockets out of a dispute's rooms (e.g. a mediator who was replaced). */
  removeFromDispute(userId: string, disputeId: string): void {
    this.server
      ?.in(rooms.user(userId))
      .socketsLeave([
        rooms.dispute(disputeId),
        ...channels.map((c) => rooms.channel(disputeId, c)),
      ]);
  }
}
