import type { Model } from 'mongoose';
import { createContractBodySchema, type Contract, type User } from '@dispute-room/shared';
import type { Context } from '../context.js';
import { newId } from '../db/ids.js';
import { AppError, parse } from '../http/errors.js';
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
    createdAt: doc.createdAt.toISOString(),
  };
}

export class ContractService {
  readonly model: Model<ContractDoc>;

  constructor(
    ctx: Context,
    private readonly users: UserService,
  ) {
    this.model = contractModel(ctx.conn);
  }

  async create(body: unknown): Promise<Contract> {
    const input = parse(createContractBodySchema, body);
    const [client, freelancer] = await Promise.all([
      this.users.byId(input.clientId),
      this.users.byId(input.freelancerId),
    ]);
    const problems = [];
    if (client?.role !== 'client')
      problems.push({ path: 'clientId', message: 'must be a user with role client' });
    if (freelancer?.role !== 'freelancer') {
      problems.push({ path: 'freelancerId', message: 'must be a user with role freelancer' });
    }
    if (problems.length) throw new AppError('validation_failed', 'request is invalid', problems);
    const doc: ContractDoc = { _id: newId(), ...input, createdAt: new Date() };
    await this.model.create(doc);
    return toContract(doc);
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
