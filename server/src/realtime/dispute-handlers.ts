import { idSchema, wellFormed, type Ack } from '@dispute-room/shared';
import type { Context } from '../context.js';
import type { DisputeDoc } from '../disputes/model.js';
import { parse, toAppError } from '../http/errors.js';
import type { ThreadService } from '../messages/thread.js';
import type { AppSocket } from './gateway.js';
import { rooms, type IO } from './hub.js';

type AckFn = (answer: Ack<object>) => void;

/** No lone UTF-16 surrogates anywhere in a payload (keys included), at any depth. */
function wellFormedDeep(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return wellFormed(value);
  if (depth > 32) return false;
  if (Array.isArray(value)) return value.every((v) => wellFormedDeep(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(([k, v]) => wellFormed(k) && wellFormedDeep(v, depth + 1));
  }
  return true;
}

/** Only the three people of a dispute show presence; staff reading along do not. */
function isMember(userId: string, d: Pick<DisputeDoc, 'clientId' | 'freelancerId' | 'mediatorId'>) {
  return userId === d.clientId || userId === d.freelancerId || userId === d.mediatorId;
}

/**
 * Socket events of the dispute room. Each handler parses, calls the thread service
 * and answers the ack; whatever goes wrong becomes `{ok:false, error}` and never
 * reaches the process.
 */
export function registerDisputeHandlers(io: IO, ctx: Context, thread: ThreadService) {
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
      for (const userId of [d.clientId, d.freelancerId, ...(d.mediatorId ? [d.mediatorId] : [])]) {
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
          if (!wellFormedDeep(payload)) {
            return reply({
              ok: false,
              error: { code: 'validation_failed', message: 'invalid Unicode in the payload' },
            });
          }
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
      const result = await thread.join(user, payload, {
        online: onlineIn,
        subscribe: (id, channels) =>
          Promise.resolve(
            socket.join([rooms.dispute(id), ...channels.map((c) => rooms.channel(id, c))]),
          ),
      });
      const d = result.dispute;
      const doc = {
        _id: d.id,
        clientId: d.clientId,
        freelancerId: d.freelancerId,
        mediatorId: d.mediatorId,
      } as DisputeDoc;
      joined.set(d.id, doc);
      if (isMember(user.id, doc)) {
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

    handle('typing', async (payload) => {
      const { disputeId, channel } = await thread.typing(user, payload);
      socket
        .to(rooms.channel(disputeId, channel))
        .emit('typing', { disputeId, channel, userId: user.id });
      return {};
    });

    handle('message:read', async (payload) => {
      const read = await thread.markRead(user, payload);
      io.to(rooms.channel(read.disputeId, read.channel)).emit('read', { ...read, userId: user.id });
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

  return () => clearInterval(timer);
}
