import type { Model } from 'mongoose';
import {
  createContractBodySchema,
  upsertContractBodySchema,
  type Contract,
  type User,
} from '@dispute-room/shared';
import type { Context } from '../context.js';
import { newId } from '../db/ids.js';
import { isDuplicateKey } from '../db/mongo.js';
import { AppError, conflict, parse } from '../http/errors.js';
import type { UserService } from '../users/service.js';
import { contractModel, type ContractDoc } from './model.js';

export function toContract(doc: ContractDoc): Contract {
  return {
    id: doc._id,
    title: doc.title,
    clientId: doc.clientId,
    freelancerId: doc.freelancerId,
    escrowCents: doc.escrowCents,
    currency: doc.currency,
    externalId: doc.externalId ?? null,
    category: doc.category ?? null,
    createdAt: doc.createdAt.toISOString(),
  };
}

/** The contract's parties must be a client and a freelancer: the problems, by field. */
function partyProblems(
  client: User | null,
  freelancer: User | null,
  fields: { client: string; freelancer: string },
) {
  const problems = [];
  if (client?.role !== 'client')
    problems.push({ path: fields.client, message: 'must be a user with role client' });
  if (freelancer?.role !== 'freelancer')
    problems.push({ path: fields.freelancer, message: 'must be a user with role freelancer' });
  return problems;
}

type ContractFields = Pick<
  ContractDoc,
  'title' | 'clientId' | 'freelancerId' | 'escrowCents' | 'currency' | 'category'
>;

export class ContractService {
  readonly model: Model<ContractDoc>;

  constructor(
    ctx: Context,
    private readonly users: UserService,
  ) {
    this.model = contractModel(ctx.conn);
  }

  async create(body: unknown): Promise<Contract> {
    const { externalId, category, ...input } = parse(createContractBodySchema, body);
    const [client, freelancer] = await Promise.all([
      this.users.byId(input.clientId),
      this.users.byId(input.freelancerId),
    ]);
    const problems = partyProblems(client, freelancer, {
      client: 'clientId',
      freelancer: 'freelancerId',
    });
    if (problems.length) throw new AppError('validation_failed', 'request is invalid', problems);
    const doc: ContractDoc = {
      _id: newId(),
      ...input,
      category: category ?? null,
      ...(externalId ? { externalId } : {}),
      createdAt: new Date(),
    };
    try {
      await this.model.collection.insertOne(doc as never);
    } catch (err) {
      if (isDuplicateKey(err)) throw conflict('external id already in use');
      throw err;
    }
    return toContract(doc);
  }

  /**
   * `PUT /api/contracts/by-external/:externalId`: creates or updates the contract the
   * marketplace knows by that id, its parties named by their external ids. Repeating the same
   * body changes nothing; two first mirrors at once race on the unique external id and the
   * loser updates. A dispute already filed keeps the terms it was filed under.
   */
  async upsertByExternalId(externalId: string, body: unknown): Promise<Contract> {
    const input = parse(upsertContractBodySchema, body);
    const [client, freelancer] = await Promise.all([
      this.users.byExternalId(input.clientExternalId),
      this.users.byExternalId(input.freelancerExternalId),
    ]);
    const problems = partyProblems(client, freelancer, {
      client: 'clientExternalId',
      freelancer: 'freelancerExternalId',
    });
    if (problems.length) throw new AppError('validation_failed', 'request is invalid', problems);
    const fields: ContractFields = {
      title: input.title,
      clientId: client!.id,
      freelancerId: freelancer!.id,
      escrowCents: input.escrowCents,
      currency: input.currency,
      category: input.category ?? null,
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await this.model.findOne({ externalId }).lean<ContractDoc>();
      if (existing) {
        const same = (Object.keys(fields) as (keyof ContractFields)[]).every(
          (k) => (existing[k] ?? null) === fields[k],
        );
        if (!same) await this.model.updateOne({ _id: existing._id }, { $set: fields });
        return toContract({ ...existing, ...fields });
      }
      const doc: ContractDoc = { _id: newId(), ...fields, externalId, createdAt: new Date() };
      try {
        await this.model.collection.insertOne(doc as never);
        return toContract(doc);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    throw conflict('the contract is changing too fast, try again');
  }

  async byId(id: string): Promise<ContractDoc | null> {
    return this.model.findById(id).lean();
  }

  /** Contracts the user takes part in; all of them for admin and ops. */
  async listFor(user: User): Promise<Contract[]> {
    const filter =
      user.role === 'admin' || user.role === 'ops'
        ? {}
        : user.role === 'client'
          ? { clientId: user.id }
          : user.role === 'freelancer'
            ? { freelancerId: user.id }
            : null;
    if (!filter) return [];
    const docs = await this.model.find(filter).sort({ createdAt: -1 }).lean();
    return docs.map(toContract);
  }
}
