import { channels } from '@dispute-room/shared';
import type { Context } from './context.js';
import { TokenService } from './auth/tokens.js';
import { ContractService } from './contracts/service.js';
import { DisputeService } from './disputes/service.js';
import { DisputeStore } from './disputes/store.js';
import { EventBus } from './events/bus.js';
import { Outbox } from './events/outbox.js';
import { EvidenceService, toEvidence } from './evidence/service.js';
import { listenRealtime } from './listeners/realtime.js';
import { listenJobs } from './listeners/jobs.js';
import { listenNotifications } from './listeners/notifications.js';
import { Jobs } from './jobs/queues.js';
import { HistoryService } from './history/service.js';
import { SettlementService } from './settlements/service.js';
import { MacroService } from './macros/service.js';
import { Rollups } from './metrics/rollups.js';
import { RepliesByEmail } from './mail/inbound.js';
import { MailService } from './mail/service.js';
import { ChannelLog } from './messages/service.js';
import { ThreadService } from './messages/thread.js';
import { NotificationService } from './notifications/service.js';
import { Reminders } from './notifications/reminders.js';
import { Notifier } from './notifications/who.js';
import { QueueAdmin } from './ops/queues-admin.js';
import { SearchWords } from './ops/search-words.js';
import { OpsService } from './ops/service.js';
import { WebhookService } from './ops/webhooks.js';
import { Hub, rooms, usersHere } from './realtime/hub.js';
import { ListUpdates } from './realtime/list-updates.js';
import { UserService } from './users/service.js';

/**
 * Every domain service of one server instance, built once in dependency order and shared by
 * REST and sockets; then the listeners that carry out what follows each stored fact.
 */
export function createDomain(ctx: Context) {
  const events = new EventBus(ctx.log);
  const outbox = new Outbox(ctx.conn);
  // Before users: a marketplace mirror or sign-on keeps a user's locale in their preferences.
  const notifications = new NotificationService(ctx, { events });
  const users = new UserService(ctx, { events, locales: notifications });
  const tokens = new TokenService(ctx, events);
  const contracts = new ContractService(ctx, users);
  const log = new ChannelLog(ctx, events);
  const store = new DisputeStore(ctx, { log, users, events, outbox });
  const disputes = new DisputeService(ctx, { users, contracts, log, store });
  const evidence = new EvidenceService(ctx, { disputes, log, events });
  const thread = new ThreadService(ctx, { disputes, log, users, evidence, events });
  const macros = new MacroService(ctx, { disputes, users });
  const rollups = new Rollups(ctx, { store });
  const words = new SearchWords(ctx.conn, { store });
  const history = new HistoryService(ctx, { contracts, disputes, users });
  const ops = new OpsService(ctx, {
    disputes,
    rollups,
    words,
    history,
    log,
    users,
    evidence: {
      forTranscript: async (disputeId) =>
        (await evidence.ofDispute(disputeId, [...channels])).map(toEvidence),
    },
  });
  const jobs = new Jobs(ctx);
  const webhooks = new WebhookService(ctx, { store, outbox, jobs, events });
  const hub = new Hub();
  const mail = new MailService(ctx, { jobs, notifications, users, store, log });
  const replies = new RepliesByEmail(ctx, {
    mail,
    notifications,
    users,
    disputes,
    thread,
    evidence,
  });
  const notifier = new Notifier(ctx, {
    store,
    users,
    notifications,
    joined: async (disputeId, userIds) => {
      const io = hub.io;
      if (!io) return new Set();
      const room = rooms.dispute(disputeId);
      const here = usersHere(io, room);
      // Every message asks: when all of them are joined on this instance (the room of a live
      // conversation), the other instances need not be asked (a Redis round trip and each
      // instance's sockets, per message).
      if (userIds.every((u) => here.has(u))) return here;
      const sockets = await io.in(room).fetchSockets();
      return new Set(sockets.map((s) => (s.data as { user: { id: string } }).user.id));
    },
  });
  const reminders = new Reminders(ctx, {
    store,
    outbox,
    jobs,
    notifications,
    users,
    staff: (role) => users.idsWithRole(role),
  });
  const settlements = new SettlementService(ctx, { disputes, store });
  /** Durable follow-ups of every dispute event: a `facts` job each, by name. */
  const factListeners: Record<string, (eventId: string) => Promise<void>> = {
    webhooks: (eventId) => webhooks.deliveriesFor(eventId),
    notifications: (eventId) => notifier.forEvent(eventId),
    reminders: (eventId) => reminders.forEvent(eventId),
    search: (eventId) => words.forEvent(eventId),
    rollups: async (eventId) => {
      const e = await store.event(eventId);
      if (e) await rollups.refresh(e.disputeId);
    },
  };
  for (const name of Object.keys(factListeners)) outbox.followEvents(name);
  const queues = new QueueAdmin({ jobs, webhooks });

  const lists = new ListUpdates(ctx, { hub, store, log });
  listenRealtime(events, hub, lists);
  listenJobs(events, outbox, jobs);
  listenNotifications(events, notifier, hub, mail);

  return {
    events,
    outbox,
    hub,
    lists,
    users,
    tokens,
    contracts,
    log,
    store,
    disputes,
    thread,
    evidence,
    macros,
    ops,
    jobs,
    queues,
    webhooks,
    notifications,
    notifier,
    reminders,
    rollups,
    words,
    history,
    settlements,
    mail,
    replies,
    factListeners,
  };
}

export type Domain = ReturnType<typeof createDomain>;
