import type { ClientToServerEvents, ServerToClientEvents } from '@dispute-room/shared';
import { io, type Socket } from 'socket.io-client';
import { create } from 'zustand';
import { authApi } from '../api/endpoints';
import { bearerToken } from '../api/http';
import { socketOptions } from './socketOptions';

export type RoomSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** offline: no socket (logged out); reconnecting: it was connected and lost the link. */
export type ConnectionStatus = 'offline' | 'connecting' | 'connected' | 'reconnecting';

export const useConnection = create<{ status: ConnectionStatus }>()(() => ({
  status: 'offline',
}));

export const selectConnectionStatus = (s: { status: ConnectionStatus }) => s.status;

let socket: RoomSocket | null = null;
let retryTimer: number | undefined;

export function getSocket(): RoomSocket | null {
  return socket;
}

/**
 * The one socket of the app, on the session cookie, created after login. Socket.IO
 * reconnects by itself after network trouble; when the server refuses or drops us
 * on purpose we first ask whether the session still exists (a 401 logs the viewer out).
 */
export function openSocket(): RoomSocket {
  if (socket) return socket;
  // A sign-on session (the embedded room) authenticates the socket by its token, not a cookie.
  const token = bearerToken();
  const s: RoomSocket = io(token ? { ...socketOptions, auth: { token } } : socketOptions);
  let everConnected = false;
  const setStatus = (status: ConnectionStatus) => useConnection.setState({ status });
  const checkSessionThenReconnect = () => {
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(() => {
      authApi
        .me()
        .then(() => {
          if (socket === s && !s.connected) s.connect();
        })
        .catch(() => {
          // A 401 has already ended the session; anything else: try again later.
          if (socket === s) checkSessionThenReconnect();
        });
    }, 1_500);
  };

  s.on('connect', () => {
    everConnected = true;
    setStatus('connected');
  });
  s.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return setStatus('offline');
    setStatus('reconnecting');
    if (reason === 'io server disconnect') checkSessionThenReconnect();
  });
  s.on('connect_error', () => {
    setStatus(everConnected ? 'reconnecting' : 'connecting');
    // A refusal by the auth middleware stops automatic reconnection.
    if (!s.active) checkSessionThenReconnect();
  });

  socket = s;
  setStatus('connecting');
  s.connect();
  return s;
}

export function closeSocket(): void {
  window.clearTimeout(retryTimer);
  const s = socket;
  socket = null;
  if (s) {
    s.removeAllListeners();
    s.disconnect();
  }
  useConnection.setState({ status: 'offline' });
}
