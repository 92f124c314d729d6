import type { Dispute } from '@dispute-room/shared';
import type { RunningServer } from '../src/server.js';
import { adminClient, makeUser, type ApiClient } from './api-client.js';

/** A contract with its client and freelancer, a mediator, ops, and the admin who made them. */
export interface World {
  admin: ApiClient;
  client: ApiClient;
  freelancer: ApiClient;
  mediator: ApiClient;
  otherMediator: ApiClient;
  ops: ApiClient;
  stranger: ApiClient;
  contractId: string;
  escrowCents: number;
}

/** `server` may be an in-process server or anything with a URL (e.g. a spawned child process). */
export async function makeWorld(
  server: Pick<RunningServer, 'url'>,
  escrowCents = 100_000,
  /** The marketplace's ids of the client, the freelancer and the stranger (a client). */
  externalIds: { client?: string; freelancer?: string; stranger?: string } = {},
): Promise<World> {
  const admin = await adminClient(server.url);
  const ext = (id: string | undefined) => (id ? { externalId: id } : {});
  const [client, freelancer, mediator, otherMediator, ops, stranger] = await Promise.all([
    makeUser(admin, 'client', 'Carla Client', ext(externalIds.client)),
    makeUser(admin, 'freelancer', 'Fred Freelancer', ext(externalIds.freelancer)),
    makeUser(admin, 'mediator', 'Mia Mediator'),
    makeUser(admin, 'mediator', 'Otto Othermediator'),
    makeUser(admin, 'ops', 'Olga Ops'),
    makeUser(admin, 'client', 'Stan Stranger', ext(externalIds.stranger)),
  ]);
  const contract = await admin.post('/api/contracts', {
    title: 'Website redesign',
    clientId: client.user!.id,
    freelancerId: freelancer.user!.id,
    escrowCents,
    currency: 'USD',
  });
  if (contract.status !== 201) throw new Error(JSON.stringify(contract.body));
  return {
    admin,
    client,
    freelancer,
    mediator,
    otherMediator,
    ops,
    stranger,
    contractId: contract.body.contract.id,
    escrowCents,
  };
}

/** A new contract between the world's client and freelancer (one dispute per contract at a time). */
export async function newContract(w: World): Promise<string> {
  const res = await w.admin.post('/api/contracts', {
    title: 'Another job',
    clientId: w.client.user!.id,
    freelancerId: w.freelancer.user!.id,
    escrowCents: w.escrowCents,
    currency: 'USD',
  });
  return res.body.contract.id;
}

export async function fileDispute(
  w: World,
  by: ApiClient = w.client,
  contractId = w.contractId,
  claimCents = 40_000,
): Promise<Dispute> {
  const res = await by.post('/api/disputes', {
    contractId,
    reason: 'quality',
    description: 'The delivered pages do not match the agreed design.',
    claimCents,
  });
  if (res.status !== 201) throw new Error(`file failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.dispute;
}

/** Filed by the client, rejected by the freelancer, claimed by the mediator. */
export async function disputeInMediation(w: World, contractId = w.contractId): Promise<Dispute> {
  const d = await fileDispute(w, w.client, contractId);
  await w.freelancer.post(`/api/disputes/${d.id}/respond`, { accept: false });
  const res = await w.mediator.post(`/api/disputes/${d.id}/assign`);
  if (res.status !== 200)
    throw new Error(`assign failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.dispute;
}
