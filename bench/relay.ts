import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { emitLine } from './lib.ts';

// The fan-out ceiling: the same Socket.IO version relaying to a room, with no auth,
// no validation and no storage.
const http = createServer();
const io = new Server(http, { serveClient: false });
io.on('connection', (socket) => {
  socket.on('join', (room: string, ack?: () => void) => {
    void socket.join(room);
    ack?.();
  });
  socket.on('message:send', (payload: { room: string }, ack?: (a: unknown) => void) => {
    io.to(payload.room).emit('message:new', { message: payload });
    ack?.({ ok: true });
  });
});
http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  emitLine({ ready: true, port: (http.address() as { port: number }).port });
});
process.on('SIGTERM', () => io.close(() => process.exit(0)));
