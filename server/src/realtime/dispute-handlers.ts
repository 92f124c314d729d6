import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { idSchema, membersOf, type Ack } from '@dispute-room/shared';
import type { Context } from '../context.js';
import type { DisputeDoc } from '../disputes/model.js';
import { conflict, parse, toAppError } from '../http/errors.js';
import { consume, createLimiter } from '../http/rate-limit.js';
import type { ThreadService } from '../messages/thread.js';
import type { AppSocket } from './gateway.js';
import { rooms, usersHere, type IO } from './hub.js';
import { payloadProblem } from './payload.js';

type AckFn = (answer: Ack<object>) => void;

/** At most one `typing` per user and channel is passed on in this many seconds. */
export const TYPING_EVERY_SEC = 2;
/** A reader's receipts in one channel are passed on at most once in this many ms. */
export const READ_WINDOW_MS = 1_000;
/** Disputes one socket may be joined to at once (the web client holds one). */
export const JOINED_PER_SOCKET = 20;

/** Takes a point when one is left; false (instead of an error) when the limit is spent. */
async function passes(limiter: RateLimiterAbstract, key: string): Promise<boolean> {
  try {
    await limiter.consume(key);
    return true;
  } catch (err) {
    if (err instanceof RateLimiterRes) return false;
    throw err;
  }
}

/**
 * Passes on at most one value per key and window: the first at once, then the highest one
 * offered during the window when it ends, so the latest always arrives, at most a window late.
 */
class Coalescer {
  private readonly windows = new Map<
    string,
    { highest: number | null; deliver: (value: number) => Promise<void> }
  >();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly windowMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Resolves once delivered when delivered at once; else at once. */
  async offer(key: string, value: number, deliver: (value: number) => Promise<void>) {
    const open = this.windows.get(key);
    if (open) {
      open.highest = Math.max(open.highest ?? value, value);
      open.deliver = deliver;
      return;
    }
    const window = { highest: null as number | null, deliver };
    this.windows.set(key, window);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.windows.delete(key);
      if (window.highest !== null) {
        this.offer(key, window.highest, window.deliver).catch(this.onError);
      }
    }, this.windowMs);
    this.timers.add(timer);
    await deliver(value);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.windows.clear();
  }
}

/**
 * Only the three people of a dispute show up to the others (presence, typing, read receipts);
 * staff reading along do not.
 */
function isMember(userId: string, d: Pick<DisputeDoc, 'clientId' | 'freelancerId' | 'mediatorId'>) {
  return membersOf(d).includes(userId);
}

/**
 * Socket events of the dispute room. Each handler parses, calls the thread service
 * and answers the ack; whatever goes wrong becomes `{ok:false, error}` and never
 * reaches the process.
 */
export function registerDisputeHandlers(io: IO, ctx: Context, thread: ThreadService) {
  const joinLimiter = createLimiter(ctx, 'join', ctx.config.JOIN_LIMIT_PER_MIN, 60);
  const typingGate = createLimiter(ctx, 'typing', 1, TYPING_EVERY_SEC);
  const receipts = new Coalescer(READ_WINDOW_MS, (err: unknown) =>
    ctx.log.debug({ err }, 'read receipt not passed on'),
  );
  const onlineIn = async (d: DisputeDoc) => {
    const sockets = await io.in(rooms.dispute(d._id)).fetchSockets();
    return new Set(sockets.map((s) => (s.data as AppSocket['data']).user.id));
  };

  // Presence heals by itself: an instance killed without a goodbye sends no "offline", so
  // every instance periodically recounts, across instances, who is joined to each dispute
  // it serves and tells its own sockets the whole picture (cheap: three people a dispute).
  const recount = async () => {
    const served = [...io.of('/').adapter.rooms.keys()].flatMap((room) => {
      const m = /^d:([^:]+)$/.exec(room);
      return m ? [m[1]!] : [];
    });
    for (const disputeId of served) {
      const d = await thread.members(disputeId);
      if (!d) continue;
      const online = await onlineIn(d);
      for (const userId of membersOf(d)) {
        io.local
          .to(rooms.dispute(disputeId))
          .emit('presence', { disputeId, userId, online: online.has(userId) });
      }
    }
  };
  let timer: NodeJS.Timeout | undefined;
  if (ctx.config.PRESENCE_SWEEP_MS > 0) {
    let running = false;
    timer = setInterval(() => {
      if (running) return;
      running = true;
      recount()
        .catch((err: unknown) => ctx.log.debug({ err }, 'presence recount failed'))
        .finally(() => (running = false));
    }, ctx.config.PRESENCE_SWEEP_MS);
    timer.unref();
  }

  io.on('connection', (raw) => {
    const socket = raw as AppSocket;
    const user = socket.data.user;
    const joined = new Map<string, DisputeDoc>();

    const handle = (event: string, run: (payload: unknown) => Promise<object>) => {
      socket.on(
        event as never,
        ((payload: unknown, ack?: unknown) => {
          const reply: AckFn = typeof ack === 'function' ? (ack as AckFn) : () => undefined;
          const problem = payloadProblem(payload);
          if (problem)
            return reply({ ok: false, error: { code: 'validation_failed', message: problem } });
          run(payload).then(
            (result) => reply({ ok: true, ...result }),
            (err: unknown) => {
              const e = toAppError(err);
              if (e.code === 'internal') ctx.log.error({ err, event }, 'socket handler failed');
              reply({ ok: false, error: e.toJSON() });
            },
          );
        }) as never,
      );
    };

    const announceOffline = async (d: DisputeDoc) => {
      if (!isMember(user.id, d)) return;
      const still = await onlineIn(d);
      if (!still.has(user.id)) {
        io.to(rooms.dispute(d._id)).emit('presence', {
          disputeId: d._id,
          userId: user.id,
          online: false,
        });
      }
    };

    handle('dispute:join', async (payload) => {
      await consume(joinLimiter, user.id);
      let alreadyOnline = false;
      const result = await thread.join(user, payload, {
        online: onlineIn,
        subscribe: (id, channels) => {
          if (!joined.has(id) && joined.size >= JOINED_PER_SOCKET) {
            throw conflict(`a socket joins at most ${JOINED_PER_SOCKET} disputes; leave one first`);
          }
          alreadyOnline = usersHere(io, rooms.dispute(id)).has(user.id);
          return Promise.resolve(
            socket.join([rooms.dispute(id), ...channels.map((c) => rooms.channel(id, c))]),
          );
        },
      });
      const d = result.dispute;
      const doc = {
        _id: d.id,
        clientId: d.clientId,
        freelancerId: d.freelancerId,
        mediatorId: d.mediatorId,
      } as DisputeDoc;
      joined.set(d.id, doc);
      // Another tab of this person on this instance already said so: the room heard it then.
      if (isMember(user.id, doc) && !alreadyOnline) {
        result.presence[user.id] = true;
        socket
          .to(rooms.dispute(d.id))
          .emit('presence', { disputeId: d.id, userId: user.id, online: true });
      }
      const { channels: _channels, ...answer } = result;
      return answer;
    });

    handle('dispute:leave', async (payload) => {
      const disputeId = parse(idSchema, (payload as { disputeId?: unknown } | null)?.disputeId);
      const d = joined.get(disputeId);
      await socket.leave(rooms.dispute(disputeId));
      for (const room of socket.rooms)
        if (room.startsWith(`${rooms.dispute(disputeId)}:`)) await socket.leave(room);
      joined.delete(disputeId);
      if (d) await announceOffline(d);
      return {};
    });

    handle('message:send', async (payload) => {
      const { disputeId, ...body } = (payload ?? {}) as { disputeId?: unknown };
      const { message } = await thread.send(user, parse(idSchema, disputeId), body);
      return { message };
    });

    // A typing notice shows for a few seconds: more than one per gate is noise to the others.
    handle('typing', async (payload) => {
      const { disputeId, channel, dispute } = await thread.typing(user, payload);
      if (
        isMember(user.id, dispute) &&
        (await passes(typingGate, `${user.id}:${disputeId}:${channel}`))
      ) {
        socket
          .to(rooms.channel(disputeId, channel))
          .emit('typing', { disputeId, channel, userId: user.id });
      }
      return {};
    });

    // Receipts only ever move forward, so within a window only the highest one matters; it
    // is also what bounds the head probes a receipt past the known head costs.
    handle('message:read', async (payload) => {
      const target = await thread.readTarget(user, payload);
      const member = isMember(user.id, target.dispute);
      const { disputeId, channel } = target;
      await receipts.offer(`${user.id}:${disputeId}:${channel}`, target.seq, async (seq) => {
        const read = await thread.markRead(user, { disputeId, channel, seq });
        if (member)
          io.to(rooms.channel(disputeId, channel)).emit('read', { ...read, userId: user.id });
      });
      return {};
    });

    socket.on('disconnect', () => {
      for (const d of joined.values()) {
        void announceOffline(d).catch((err: unknown) =>
          ctx.log.debug({ err }, 'presence update failed'),
        );
      }
      joined.clear();
    });
  });

  return () => {
    clearInterval(timer);
    receipts.stop();
  };
}
