import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server as SocketServer } from 'socket.io';
import type { Config } from './config.js';
import { systemClock, type Clock, type Context } from './context.js';
import { disputeRoutes } from './disputes/routes.js';
import { startJobs } from './jobs/processors.js';
import { csrfGuard } from './auth/csrf.js';
import { createPassport } from './auth/passport.js';
import { authRoutes } from './auth/routes.js';
import { createSessionMiddleware } from './auth/session.js';
import { SsoVerifier } from './auth/sso.js';
import { contractRoutes } from './contracts/routes.js';
import { connectMongo, detectFlavor, ensureIndexes } from './db/mongo.js';
import { createDomain, type Domain } from './domain.js';
import { embedRoutes } from './embed/routes.js';
import { evidenceRoutes } from './evidence/routes.js';
import { healthRoutes } from './health/routes.js';
import { historyRoutes } from './history/routes.js';
import { settlementRoutes } from './settlements/routes.js';
import { createApp } from './http/app.js';
import { guardRequestBodies, slowClientOptions } from './http/slow-clients.js';
import { createLogger, type Logger } from './logger.js';
import { macroRoutes } from './macros/routes.js';
import { notificationRoutes } from './notifications/routes.js';
import { inboundRoutes } from './mail/inbound-routes.js';
import { listenInboundSmtp } from './mail/inbound-smtp.js';
import type { LogAdvance } from './messages/service.js';
import { opsRoutes } from './ops/routes.js';
import { repoRoot } from './paths.js';
import { registerDisputeHandlers } from './realtime/dispute-handlers.js';
import { authenticateSockets } from './realtime/gateway.js';
import { boundedParser } from './realtime/payload.js';
import type { IO } from './realtime/hub.js';
import { connectRedis, safePublisher } from './redis.js';
import { userRoutes } from './users/routes.js';

/** Connections the kernel may hold for us before they are accepted (see listen below). */
const ACCEPT_BACKLOG = 8_192;

export interface StartOptions {
  config: Config;
  mongoUri: string;
  log?: Logger;
  clock?: Clock;
  /** The handler of the FerretDB behind mongoUri, when known (the embedded one). */
  ferretdbHandler?: 'sqlite' | 'postgresql';
}

export interface RunningServer {
  url: string;
  port: number;
  ctx: Context;
  domain: Domain;
  io: IO;
  httpServer: HttpServer;
  stop(): Promise<void>;
}

export async function startServer({
  config,
  mongoUri,
  log: givenLog,
  clock = systemClock,
  ferretdbHandler,
}: StartOptions): Promise<RunningServer> {
  const log = givenLog ?? createLogger(config.LOG_LEVEL);
  const instanceId = randomUUID().slice(0, 8);

  // Redis carries sessions, rate limits, presence across instances and the job queues: the
  // embedded default starts a private one when REDIS_URL is unset (db/open-redis.ts).
  if (!config.REDIS_URL) throw new Error('REDIS_URL is required (the job queues live in Redis)');
  const conn = await connectMongo({ uri: mongoUri, dbName: config.MONGODB_DB });

  const redis = await connectRedis(config.REDIS_URL, log);

  const detected = await detectFlavor(conn);
  const flavor =
    detected === 'ferretdb' && ferretdbHandler === 'sqlite' ? 'ferretdb-sqlite' : detected;
  const ctx: Context = { config, log, conn, redis, instanceId, flavor, clock };
  const domain = createDomain(ctx);
  // Models are registered by the services above; create their indexes before serving.
  await ensureIndexes(conn);
  await domain.users.bootstrapAdmin();

  let ioRef: IO | null = null;
  const session = createSessionMiddleware(ctx);
  const { passport, authenticate } = createPassport(
    domain.users,
    domain.tokens,
    new SsoVerifier(ctx),
  );
  const clientDist = config.CLIENT_DIST ?? join(repoRoot(), 'client', 'dist');
  const app = createApp(ctx, {
    beforeApi: [session, authenticate, csrfGuard(ctx)],
    api: [
      healthRoutes(ctx, () => ioRef),
      authRoutes(ctx, { passport, tokens: domain.tokens, events: domain.events }),
      userRoutes(domain.users),
      contractRoutes(domain.contracts),
      historyRoutes(domain.history),
      settlementRoutes(domain.settlements),
      disputeRoutes(domain.disputes, domain.thread),
      evidenceRoutes(domain.evidence),
      macroRoutes(domain.macros),
      opsRoutes(domain.ops, domain.webhooks, domain.queues),
      notificationRoutes(domain.notifications),
      inboundRoutes(domain.replies),
    ],
    clientDist,
    pages: [embedRoutes(config, clientDist)].filter((r): r is NonNullable<typeof r> => r !== null),
  });
  const httpServer = createServer(slowClientOptions(config), app);
  const io: IO = new SocketServer(httpServer, {
    path: '/socket.io',
    serveClient: false,
    // Whatever a client sends is parsed whole before any handler sees it: the cap bounds
    // that work (WebSocket frames and long-polling bodies alike).
    maxHttpBufferSize: config.SOCKET_MAX_PAYLOAD_BYTES,
    parser: boundedParser,
    cors: config.allowedOrigins.length
      ? { origin: config.allowedOrigins, credentials: true }
      : undefined,
  });
  io.adapter(
    createAdapter(safePublisher(redis.pub, log), redis.sub, {
      key: `${config.REDIS_PREFIX}socket.io`,
    }),
  );
  domain.hub.attach(io, true);
  // Broadcasts from other instances may have been lost while the adapter's subscriber was
  // away: once it is back, tell this instance's clients to re-join with `after` (backfill).
  let subscribed = true;
  redis.sub.on('close', () => (subscribed = false));
  redis.sub.on('ready', () => {
    if (subscribed) return;
    subscribed = true;
    io.local.emit('resync', { reason: 'redis reconnected' });
  });
  io.on('dispute:invalidate' as never, ((id: string) => domain.store.forget(id)) as never);
  io.on('user:invalidate' as never, ((id: string) => domain.users.forget(id)) as never);
  io.on('token:invalidate' as never, ((id: string) => domain.tokens.forget(id)) as never);
  io.on('message:invalidate' as never, ((id: string) => domain.log.forget(id)) as never);
  io.on('log:advanced' as never, ((a: LogAdvance) => domain.log.learn(a)) as never);
  ioRef = io;
  const stopSocketLeases = authenticateSockets(io, ctx, {
    session,
    users: domain.users,
    tokens: domain.tokens,
  });
  const stopHandlers = registerDisputeHandlers(io, ctx, domain.thread);
  const stopSchedules = await startJobs(ctx, domain);

  guardRequestBodies(httpServer, config);

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    // After a restart every open tab reconnects within seconds. Node's default accept queue
    // (511) overflowed by the hundred thousand in the reconnect storm bench: the kernel then
    // drops handshakes, which come back only after TCP's own retransmit backoff (1, 2, 4 s …).
    // The kernel caps this at net.core.somaxconn.
    httpServer.listen({ port: config.PORT, host: config.HOST, backlog: ACCEPT_BACKLOG }, () =>
      resolve(),
    );
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  domain.mail.listeningUrl = `http://${host}:${port}`;
  const inboundSmtp = await listenInboundSmtp(ctx, domain.replies);

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await inboundSmtp?.close();
      stopHandlers();
      stopSocketLeases();
      await domain.log.close();
      stopSchedules();
      await domain.jobs.close();
      await domain.rollups.close();
      domain.mail.close();
      domain.lists.shutdown();
      // Stop accepting, then close sockets (io.close also closes the HTTP server).
      await new Promise<void>((resolve) => io.close(() => resolve()));
      httpServer.closeAllConnections();
      await conn.close();
      await redis.close();
    })();
    return stopping;
  };

  return { url: `http://${host}:${port}`, port, ctx, domain, io, httpServer, stop };
}
