import {
  fileDisputeBodySchema,
  formatDisputeNumber,
  isTerminal,
  type User,
} from '@dispute-room/shared';
import type { Context } from '../context.js';
import type { ContractService } from '../contracts/service.js';
import { newId } from '../db/ids.js';
import { isDuplicateKey } from '../db/mongo.js';
import { AppError, conflict, notFound, parse } from '../http/errors.js';
import { addBusinessDaysUtc, dayOfUtc } from './business-days.js';
import { searchKeysOf, type DisputeDoc, type DisputeEventDoc } from './model.js';
import type { DisputeStore } from './store.js';

/**
 * Filing a dispute on a contract: one open or mediation dispute per contract (a unique key
 * on the contract), a human number allocated by unique insert, then the `filed` event.
 */
export class DisputeFiling {
  private lastNumber: number | null = null;

  constructor(
    private readonly ctx: Context,
    private readonly deps: { store: DisputeStore; contracts: ContractService },
  ) {}

  async file(user: User, body: unknown): Promise<DisputeDoc> {
    const input = parse(fileDisputeBodySchema, body);
    const contract = await this.deps.contracts.byId(input.contractId);
    if (!contract || (user.id !== contract.clientId && user.id !== contract.freelancerId)) {
      throw notFound('contract');
    }
    if (input.claimCents > contract.escrowCents) {
      throw new AppError('validation_failed', 'request is invalid', [
        { path: 'claimCents', message: `must be at most the escrow (${contract.escrowCents})` },
      ]);
    }
    const id = newId();
    await this.lockContract(contract._id, id);
    const now = this.ctx.clock.now();
    const n = await this.allocateNumber(id);
    const claimantIsClient = user.id === contract.clientId;
    const dispute: DisputeDoc = {
      _id: id,
      number: formatDisputeNumber(n),
      contractId: contract._id,
      contractTitle: contract.title,
      state: 'open',
      claimantId: user.id,
      respondentId: claimantIsClient ? contract.freelancerId : contract.clientId,
      clientId: contract.clientId,
      freelancerId: contract.freelancerId,
      mediatorId: null,
      reason: input.reason,
      description: input.description,
      claimCents: input.claimCents,
      escrowCents: contract.escrowCents,
      currency: contract.currency,
      respondBy: addBusinessDaysUtc(now, this.ctx.config.RESPOND_BUSINESS_DAYS),
      mediationEndsBy: null,
      mediationStartedAt: null,
      everAssigned: false,
      pending: null,
      outcome: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      sortAt: now,
      sortDay: dayOfUtc(now),
      createdDay: dayOfUtc(now),
      queue: null,
      mediatorMonth: null,
      searchKeys: searchKeysOf({ sortAt: now, state: 'open', mediatorId: null, outcome: null }),
    };
    const event: DisputeEventDoc = {
      _id: `${id}:1`,
      disputeId: id,
      version: 1,
      type: 'filed',
      actorId: user.id,
      from: 'open',
      to: 'open',
      at: now,
      note: '',
      data: {},
    };
    const { store } = this.deps;
    await store.insertEvent(event);
    await store.models.disputes.collection.insertOne(dispute as never);
    await store.filed(dispute, event);
    return dispute;
  }

  /** One open or mediation dispute per contract, decided by a unique insert on the contract id. */
  private async lockContract(contractId: string, disputeId: string): Promise<void> {
    const { store } = this.deps;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await store.models.active.collection.insertOne({ _id: contractId, disputeId } as never);
        return;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const lock = await store.models.active.findById(contractId).lean();
        const holder = lock && (await store.load(lock.disputeId));
        // A holder that reached a terminal state but crashed before unlocking: release it.
        if (lock && (!holder || isTerminal(holder.state))) {
          await store.models.active.deleteOne({ _id: contractId, disputeId: lock.disputeId });
          continue;
        }
        throw conflict('this contract already has an open dispute', { disputeId: lock?.disputeId });
      }
    }
    throw conflict('this contract already has an open dispute');
  }

  private async allocateNumber(disputeId: string): Promise<number> {
    const { numbers } = this.deps.store.models;
    if (this.lastNumber === null) {
      const last = await numbers.findOne({}, { _id: 1 }).sort({ _id: -1 }).lean();
      this.lastNumber = last?._id ?? 0;
    }
    for (;;) {
      const n: number = (this.lastNumber ?? 0) + 1;
      try {
        await numbers.collection.insertOne({ _id: n, disputeId } as never);
        this.lastNumber = n;
        return n;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        this.lastNumber = n;
      }
    }
  }
}
