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
  // After a server restart every open tab comes back at once. Each retry waits 1 s doubling to
  // 5 s, each spread ±75% (Socket.IO's default ±50% leaves later retries bunched in their last
  // seconds), so arrivals are spread out; a handshake lost in a full accept queue is abandoned
  // after 8 s instead of the default 20 s, which set the tail of the reconnect storm bench.
  reconnectionDelay: 1_000,
  reconnectionDelayMax: 5_000,
  randomizationFactor: 0.75,
  timeout: 8_000,
} satisfies Partial<ManagerOptions & SocketOptions>;
