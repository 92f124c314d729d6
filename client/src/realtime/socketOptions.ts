import type { ManagerOptions, SocketOptions } from 'socket.io-client';

/**
 * The app socket's options. With `retries`, Socket.IO sends every emit that is not volatile
 * through one queue, one at a time and in order: each try waits `ackTimeout` for its ack,
 * and an unanswered one is sent again, also on the next connection when the link dropped.
 * That is safe because every event we send is idempotent on the server: `message:send` by
 * its clientMsgId, joins, leaves and reads by what they set.
 */
export const socketOptions = {
  path: '/socket.io',
  withCredentials: true,
  autoConnect: false,
  ackTimeout: 10_000,
  retries: 2,
} satisfies Partial<ManagerOptions & SocketOptions>;
