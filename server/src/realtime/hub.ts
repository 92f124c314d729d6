import type { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '@dispute-room/shared';

export type IO = Server<ClientToServerEvents, ServerToClientEvents>;

/** Room names: one place, so emitters and joiners cannot disagree. */
export const rooms = {
  user: (userId: string) => `user:${userId}`,
  session: (sid: string) => `session:${sid}`,
  token: (tokenId: string) => `token:${tokenId}`,
  /** Readers of one channel of one dispute who have joined it. */
  channel: (disputeId: string, channel: string) => `d:${disputeId}:${channel}`,
  /** Everyone joined to a dispute, whatever they may read (presence). */
  dispute: (disputeId: string) => `d:${disputeId}`,
};

/**
 * The services' handle on Socket.IO. It exists before the Socket.IO server does,
 * so services can be built first; emits before attach() are dropped.
 */
export class Hub {
  private server: IO | null = null;

  attach(io: IO): void {
    this.server = io;
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
}
