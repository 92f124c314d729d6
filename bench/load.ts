import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { WARMUP_MS, emitLine, nowMs, onCommands, summarize } from './lib.ts';

/** One participant: a token (app) and the dispute it talks in. */
export interface Seat {
  userId: string;
  token: string;
  disputeId: string;
}

type Ack = { ok: boolean; error?: unknown };

function connect(url: string, seat: Seat | null): Promise<Socket> {
  const socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: seat ? { token: seat.token } : {},
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const call = (s: Socket, event: string, payload: unknown) =>
  new Promise<Ack & Record<string, unknown>>((resolve) => s.emit(event, payload, resolve));

async function joinSeat(kind: 'app' | 'relay', s: Socket, seat: Seat) {
  if (kind === 'relay') await new Promise<void>((r) => s.emit('join', seat.disputeId, () => r()));
  else {
    const ack = await call(s, 'dispute:join', { disputeId: seat.disputeId });
    if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack.error)}`);
  }
}

function send(kind: 'app' | 'relay', s: Socket, seat: Seat) {
  const body = `t:${nowMs()}`;
  return kind === 'relay'
    ? call(s, 'message:send', { room: seat.disputeId, from: seat.userId, body })
    : call(s, 'message:send', {
        disputeId: seat.disputeId,
        channel: 'joint',
        body,
        clientMsgId: randomUUID(),
      });
}

/** Parses our send time out of a delivered message; null for our own messages. */
function latencyOf(
  kind: 'app' | 'relay',
  me: string,
  payload: { message: { authorId?: string; from?: string; body: string } },
) {
  const m = payload.message;
  if ((kind === 'app' ? m.authorId : m.from) === me) return null;
  const t = Number(m.body.slice(2));
  return Number.isFinite(t) ? nowMs() - t : null;
}

async function pool<T>(
  items: T[],
  concurrency: number,
  task: (item: T, i: number) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i]!, i);
      }
    }),
  );
}

let held: Socket[] = [];

onCommands(async (cmd) => {
  switch (cmd.mode) {
    case 'traffic': {
      // Every seat sends; closed loop (next send when the ack returns) or open loop at `rate` msgs/s in total.
      const { url, kind, seats, durationMs, rate } = cmd as {
        url: string;
        kind: 'app' | 'relay';
        seats: Seat[];
        durationMs: number;
        rate?: number;
      };
      const sockets = await Promise.all(
        seats.map((seat) => connect(url, kind === 'app' ? seat : null)),
      );
      await Promise.all(sockets.map((s, i) => joinSeat(kind, s, seats[i]!)));
      const latencies: number[] = [];
      const ackLatencies: number[] = [];
      let delivered = 0;
      let acked = 0;
      let failed = 0;
      // Latencies are sampled after a warm-up second (steady state: the joins just made, and
      // whatever they set off, are not part of the load), the same for every target.
      const sampleFrom = nowMs() + WARMUP_MS;
      sockets.forEach((s, i) =>
        s.on('message:new', (payload) => {
          const l = latencyOf(kind, seats[i]!.userId, payload);
          if (l !== null) {
            delivered++;
            if (nowMs() - l >= sampleFrom && latencies.length < 200_000) latencies.push(l);
          }
        }),
      );
      const deadline = nowMs() + durationMs;
      const sendOne = async (i: number) => {
        const t0 = nowMs();
        const ack = await send(kind, sockets[i]!, seats[i]!);
        if (ack.ok) {
          acked++;
          if (t0 >= sampleFrom) ackLatencies.push(nowMs() - t0);
        } else failed++;
      };
      if (rate) {
        const interval = 1000 / rate;
        const start = nowMs();
        const pending: Promise<void>[] = [];
        for (let n = 0; nowMs() < deadline; n++) {
          pending.push(sendOne(n % sockets.length));
          const wait = start + (n + 1) * interval - nowMs();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        await Promise.all(pending);
      } else {
        await Promise.all(
          sockets.map(async (_, i) => {
            while (nowMs() < deadline) await sendOne(i);
          }),
        );
      }
      await new Promise((r) => setTimeout(r, 1_000));
      sockets.forEach((s) => s.disconnect());
      emitLine({
        acked,
        failed,
        delivered,
        durationMs,
        latency: summarize(latencies),
        ack: summarize(ackLatencies),
      });
      break;
    }
    case 'hold': {
      // Many authenticated sockets, each joined to its dispute; kept open until 'release'.
      const { url, seats, count } = cmd as { url: string; seats: Seat[]; count: number };
      const t0 = nowMs();
      held = new Array(count);
      let done = 0;
      await pool(
        Array.from({ length: count }, (_, i) => i),
        100,
        async (i) => {
          const seat = seats[i % seats.length]!;
          const s = await connect(url, seat);
          await joinSeat('app', s, seat);
          held[i] = s;
          if (++done % 1000 === 0)
            process.stderr.write(`  … ${done} sockets connected and joined\n`);
        },
      );
      emitLine({ connected: count, ms: nowMs() - t0 });
      break;
    }
    case 'roundtrip': {
      // With everything held open: one participant sends, another receives.
      const { seats } = cmd as { seats: Seat[] };
      const [from, to] = [
        held.findIndex((_, i) => i % seats.length === 0),
        held.findIndex((_, i) => i % seats.length === 1),
      ];
      const samples: number[] = [];
      for (let k = 0; k < 50; k++) {
        const got = new Promise<number>((resolve) => {
          const listener = (p: { message: { body: string; authorId: string } }) => {
            if (p.message.authorId === seats[0]!.userId) {
              held[to]!.off('message:new', listener);
              resolve(nowMs() - Number(p.message.body.slice(2)));
            }
          };
          held[to]!.on('message:new', listener);
        });
        await send('app', held[from]!, seats[0]!);
        samples.push(await got);
      }
      emitLine({ roundtrip: summarize(samples) });
      break;
    }
    case 'release': {
      held.forEach((s) => s?.disconnect());
      held = [];
      emitLine({ released: true });
      break;
    }
    case 'backfill': {
      const { url, seat, repeats } = cmd as { url: string; seat: Seat; repeats: number };
      const s = await connect(url, seat);
      const times: number[] = [];
      let count = 0;
      for (let k = 0; k < repeats; k++) {
        const t0 = nowMs();
        const ack = await call(s, 'dispute:join', { disputeId: seat.disputeId });
        times.push(nowMs() - t0);
        count = (ack.messages as unknown[] | undefined)?.length ?? 0;
        await call(s, 'dispute:leave', { disputeId: seat.disputeId });
      }
      s.disconnect();
      // `first`: the first join, which on a fresh instance reads everything from the database.
      emitLine({ firstPage: count, first: times[0], ...summarize(times) });
      break;
    }
    case 'cross': {
      // Sender on A; one receiver on A (same instance) and one on B (across Redis).
      const { urlA, urlB, sender, same, other, messages } = cmd as {
        urlA: string;
        urlB: string;
        sender: Seat;
        same: Seat;
        other: Seat;
        messages: number;
      };
      const [sa, ra, rb] = await Promise.all([
        connect(urlA, sender),
        connect(urlA, same),
        connect(urlB, other),
      ]);
      for (const [s, seat] of [
        [sa, sender],
        [ra, same],
        [rb, other],
      ] as const)
        await joinSeat('app', s, seat);
      const sameL: number[] = [];
      const crossL: number[] = [];
      ra.on('message:new', (p) => {
        const l = latencyOf('app', same.userId, p);
        if (l !== null) sameL.push(l);
      });
      rb.on('message:new', (p) => {
        const l = latencyOf('app', other.userId, p);
        if (l !== null) crossL.push(l);
      });
      for (let k = 0; k < messages; k++) await send('app', sa, sender);
      await new Promise((r) => setTimeout(r, 500));
      [sa, ra, rb].forEach((s) => s.disconnect());
      emitLine({ same: summarize(sameL), cross: summarize(crossL) });
      break;
    }
    case 'exit':
      process.exit(0);
  }
});
