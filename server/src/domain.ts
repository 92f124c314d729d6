import type { Context } from './context.js';
import { TokenService } from './auth/tokens.js';
import { ContractService } from './contracts/service.js';
import { DisputeService } from './disputes/service.js';
import { channels } from '@dispute-room/shared';
import { EvidenceService, toEvidence } from './evidence/service.js';
import { MacroService } from './macros/service.js';
import { ChannelLog } from './messages/service.js';
import { ThreadService } from './messages/thread.js';
import { OpsService } from './ops/service.js';
import { WebhookService } from './ops/webhooks.js';
import { Hub } from './realtime/hub.js';
import { UserService } from './users/service.js';

/** Every domain service of one server instance, built once and shared by REST and sockets. */
export function createDomain(ctx: Context) {
  const hub = new Hub();
  const users = new UserService(ctx);
  const tokens = new TokenService(ctx);
  const contracts = new ContractService(ctx, users);
  const log = new ChannelLog(ctx);
  const disputes = new DisputeService(ctx, { users, contracts, log, hub });
  const thread = new ThreadService(ctx, { disputes, log, hub, users });
  const evidence = new EvidenceService(ctx, { disputes, log, thread });
  thread.evidence = evidence;
  const macros = new MacroService(ctx, { disputes, users });
  const ops = new OpsService(ctx, { disputes, log, users });
  ops.evidence = {
    forTranscript: async (disputeId) =>
      (await evidence.ofDispute(disputeId, [...channels])).map(toEvidence),
  };
  const webhooks = new WebhookService(ctx, disputes);
  return { hub, users, tokens, contracts, log, disputes, thread, evidence, macros, ops, webhooks };
}

export type Domain = ReturnType<typeof createDomain>;
