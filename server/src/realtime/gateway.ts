import type { Request, RequestHandler } from 'express';
import type { Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, User } from '@dispute-room/shared';
import type { Context } from '../context.js';
import type { TokenService } from '../auth/tokens.js';
import type { UserService } from '../users/service.js';
import { rooms, type IO } from './hub.js';

export interface SocketData {
  user: User;
  sid: string | null;
  tokenId: string | null;
}

export type AppSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

interface SessionRequest extends Request {
  session: Request['session'] & { passport?: { user?: string } };
}

/** Handshake auth: the session cookie (same one as REST) or `auth.token`; else "unauthorized". */
export function authenticateSockets(
  io: IO,
  ctx: Context,
  deps: { session: RequestHandler; users: UserService; tokens: TokenService },
): void {
  io.engine.use(deps.session);
  io.use((socket, next) => {
    void (async () => {
      const data = socket.data as Partial<SocketData>;
      const auth = socket.handshake.auth as { token?: unknown } | undefined;
      const header = socket.handshake.headers.authorization;
      const token =
        typeof auth?.token === 'string'
          ? auth.token
          : header?.startsWith('Bearer ')
            ? header.slice(7)
            : null;
      if (token !== null) {
        const found = await deps.tokens.resolve(token);
        const user = found && (await deps.users.byId(found.userId));
        if (!found || !user) return false;
        Object.assign(data, { user, tokenId: found.tokenId, sid: null });
        return true;
      }
      const req = socket.request as SessionRequest;
      const userId = req.session?.passport?.user;
      const user = typeof userId === 'string' ? await deps.users.byId(userId) : null;
      if (!user) return false;
      Object.assign(data, { user, sid: req.sessionID, tokenId: null });
      return true;
    })().then(
      (ok) => next(ok ? undefined : new Error('unauthorized')),
      (err: unknown) => {
        ctx.log.warn({ err }, 'socket authentication failed');
        next(new Error('unauthorized'));
      },
    );
  });

  io.on('connection', (raw) => {
    const socket = raw as AppSocket;
    const { user, sid, tokenId } = socket.data;
    void socket.join([rooms.user(user.id), rooms.role(user.role)]);
    if (sid) void socket.join(rooms.session(sid));
    if (tokenId) void socket.join(rooms.token(tokenId));
  });
}
