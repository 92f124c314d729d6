import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../server.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';
import { fileDispute, makeWorld, type World } from '../../test/world.js';

// Small limits, so that each case takes about a second.
const HEADERS_MS = 500;
const REQUEST_MS = 1_000;
const KEEPALIVE_MS = 500;
const MIN_UPLOAD_BYTES = 1_024;
const WINDOW_MS = 1_000;

let server: RunningServer;
let w: World;
let disputeId: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = await startTestServer({
    env: {
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
      HTTP_KEEPALIVE_TIMEOUT_MS: String(KEEPALIVE_MS),
      UPLOAD_MIN_BYTES_PER_WINDOW: String(MIN_UPLOAD_BYTES),
      UPLOAD_RATE_WINDOW_MS: String(WINDOW_MS),
    },
  });
  w = await makeWorld(server);
  disputeId = (await fileDispute(w)).id;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await stopTestServer(server);
});

/** A raw TCP connection to the server, recording what it answers and whether it closed. */
async function raw() {
  const socket = connect(server.port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  let closed = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return {
    socket,
    received: () => received,
    closed: () => closed,
    /** Writes `chunks` one every `everyMs`, until they run out or the server closes. */
    async trickle(chunks: string[], everyMs: number) {
      for (const chunk of chunks) {
        if (closed) return;
        socket.write(chunk);
        // Pacing the sender, which is what is under test: not a wait before an assertion.
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    },
  };
}

const closedSoon = { timeout: 8_000, interval: 50 };

function multipart(boundary: string, fileBytes: number) {
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="channel"\r\n\r\njoint\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\n` +
    'Content-Type: text/plain\r\n\r\n';
  return head + 'a'.repeat(fileBytes) + `\r\n--${boundary}--\r\n`;
}

function uploadHead(length: number, boundary: string) {
  return (
    `POST /api/disputes/${disputeId}/evidence HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
    `Cookie: ${w.client.cookie}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
    `Content-Length: ${length}\r\n\r\n`
  );
}

const chunked = (text: string, size: number) =>
  Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
    text.slice(i * size, (i + 1) * size),
  );

describe('slow clients', () => {
  it('closes a connection whose headers never finish, with a 408', async () => {
    const c = await raw();
    c.socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await vi.waitFor(() => expect(c.closed()).toBe(true), closedSoon);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection that never sends anything', async () => {
    const c = await raw();
    await vi.waitFor(() => expect(c.closed()).toBe(true), closedSoon);
  });

  it('closes an ordinary request whose body trickles in past HTTP_REQUEST_TIMEOUT_MS', async () => {
    const c = await raw();
    const body = JSON.stringify({ email: 'nobody@example.test', password: 'x'.repeat(80) });
    c.socket.write(
      'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${body.length}\r\n\r\n`,
    );
    // A byte every 100 ms: the whole body would take 10 s.
    await c.trickle(chunked(body, 1), 100);
    expect(c.closed()).toBe(true);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes an upload that brings less than UPLOAD_MIN_BYTES_PER_WINDOW per window', async () => {
    const boundary = 'slowloris';
    const body = multipart(boundary, 20_000);
    const c = await raw();
    c.socket.write(uploadHead(body.length, boundary));
    // 100 bytes a second, against 1,024 required (ten seconds of it at most).
    await c.trickle(chunked(body, 10).slice(0, 100), 100);
    expect(c.closed()).toBe(true);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('lets an upload above the minimum rate take longer than HTTP_REQUEST_TIMEOUT_MS', async () => {
    const boundary = 'steady';
    const body = multipart(boundary, 120_000);
    const c = await raw();
    c.socket.write(uploadHead(body.length, boundary));
    const started = Date.now();
    // 40 KB a second: about three seconds in all, at forty times the minimum rate.
    await c.trickle(chunked(body, 4_000), 100);
    await vi.waitFor(() => expect(c.received()).toMatch(/^HTTP\/1\.1 201 /), closedSoon);
    expect(Date.now() - started).toBeGreaterThan(REQUEST_MS);
    const list = await w.client.get(`/api/disputes/${disputeId}/evidence`);
    expect(list.body.evidence.map((e: { filename: string }) => e.filename)).toContain('notes.txt');
  });

  it('answers ordinary requests on a kept-alive connection, and closes it once idle', async () => {
    const c = await raw();
    const get = 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    c.socket.write(get);
    await vi.waitFor(() => expect(c.received()).toMatch(/^HTTP\/1\.1 200 /), closedSoon);
    c.socket.write(get);
    await vi.waitFor(
      () => expect(c.received().match(/HTTP\/1\.1 200 /g)).toHaveLength(2),
      closedSoon,
    );
    expect(c.closed()).toBe(false);
    await vi.waitFor(() => expect(c.closed()).toBe(true), { timeout: 3_000, interval: 50 });
  });
});
