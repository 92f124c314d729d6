import type { Request, RequestHandler } from 'express';
import type { ExtendedError, Socket } from 'socket.io';
import type {
  ClientToServerEvents,
  ErrorCode,
  ServerToClientEvents,
  User,
} from '@dispute-room/shared';
import type { Context } from '../context.js';
import { createOriginRule } from '../auth/csrf.js';
import type { TokenService } from '../auth/tokens.js';
import type { UserService } from '../users/service.js';
import { rooms, type IO } from './hub.js';
import { strictUtf8Bodies } from './payload.js';
import { SocketCaps } from './socket-caps.js';

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

/** A `connect_error` for the client: `message`, and `data.code` as in the error shape. */
function refusal(code: ErrorCode, message: string): ExtendedError {
  return Object.assign(new Error(message), { data: { code } });
}

/**
 * Handshake auth: the session cookie (same one as REST) or `auth.token`; else "unauthorized".
 * Cookie connections obey the REST origin rule (the cookie is ambient: any page could open a
 * socket with it); token ones are allowed from anywhere. Each user and token may hold a
 * bounded number of sockets across instances.
 */
export function authenticateSockets(
  io: IO,
  ctx: Context,
  deps: { session: RequestHandler; users: UserService; tokens: TokenService },
): () => void {
  const sameSite = createOriginRule(ctx.config);
  const caps = new SocketCaps(ctx);
  io.engine.use(strictUtf8Bodies);
  // Only a request that carries a cookie can have a session; the others (token sockets, and
  // every request of an already open polling connection without one) would each have a new,
  // never stored session made for them: measurable in a reconnect storm.
  io.engine.use(((req, res, next) =>
    req.headers.cookie ? deps.session(req, res, next) : next()) as RequestHandler);

  const authenticate = async (socket: Socket): Promise<ExtendedError | null> => {
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
      if (!found || !user) return refusal('unauthorized', 'unauthorized');
      Object.assign(data, { user, tokenId: found.tokenId, sid: null });
    } else {
      if (!sameSite(socket.request)) return refusal('forbidden', 'cross-site connection refused');
      const req = socket.request as SessionRequest;
      const userId = req.session?.passport?.user;
      const user = typeof userId === 'string' ? await deps.users.byId(userId) : null;
      if (!user) return refusal('unauthorized', 'unauthorized');
      Object.assign(data, { user, sid: req.sessionID, tokenId: null });
    }
    const full = await caps.admit(socket.id, { userId: data.user!.id, tokenId: data.tokenId! });
    return full ? refusal('rate_limited', full) : null;
  };

  io.use((socket, next) => {
    authenticate(socket).then(
      (refused) => next(refused ?? undefined),
      (err: unknown) => {
        ctx.log.warn({ err }, 'socket authentication failed');
        next(refusal('unauthorized', 'unauthorized'));
      },
    );
  });

  const ownersOf = (socket: { data: unknown }) => {
    const { user, tokenId } = socket.data as Partial<SocketData>;
    return user ? { userId: user.id, tokenId: tokenId ?? null } : null;
  };
  io.on('connection', (raw) => {
    const socket = raw as AppSocket;
    const { user, sid, tokenId } = socket.data;
    void socket.join([rooms.user(user.id), rooms.role(user.role)]);
    if (sid) void socket.join(rooms.session(sid));
    if (tokenId) void socket.join(rooms.token(tokenId));
    socket.on('disconnect', () => caps.release(socket.id, ownersOf(socket)!));
  });
  return caps.renewEvery(io, ownersOf);
}
