import { SMTPServer } from 'smtp-server';
import { emitLine, nowMs, onCommands } from './lib.ts';

/**
 * The benchmark's SMTP sink, in its own process: accepts every mail and counts it (no
 * parsing: the sink must never be what the server waits on). Commands: `reset` (count from 0),
 * `until {count}` (answers once that many arrived since the reset: first and last arrival).
 */
let received = 0;
let bytes = 0;
let firstAt = 0;
let lastAt = 0;
let waiting: { count: number; answer: () => void } | null = null;

const report = () => ({ received, bytes, firstAt, lastAt });

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  maxClients: 1_000,
  onData(stream, _session, callback) {
    stream.on('data', (c: Buffer) => (bytes += c.length));
    stream.on('end', () => {
      received++;
      lastAt = nowMs();
      if (received === 1) firstAt = lastAt;
      if (waiting && received >= waiting.count) waiting.answer();
      callback();
    });
  },
});

server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  emitLine({ port: typeof address === 'object' && address ? address.port : 0 });
});

onCommands(async (cmd: { mode: 'reset' } | { mode: 'until'; count: number }) => {
  if (cmd.mode === 'reset') {
    received = bytes = firstAt = lastAt = 0;
    emitLine(report());
    return;
  }
  if (received < cmd.count) {
    await new Promise<void>((resolve) => (waiting = { count: cmd.count, answer: resolve }));
    waiting = null;
  }
  emitLine(report());
});
