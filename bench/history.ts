import { createHash, randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import {
  GENESIS_HASH,
  channels,
  formatDisputeNumber,
  type Channel,
  type DisputeState,
  type OutcomeKind,
  type Reason,
} from '@dispute-room/shared';
import { chainEntryOf, chainHash } from '@dispute-room/server/src/messages/chain.ts';
import { bucketKey, messageKey, type MessageDoc } from '@dispute-room/server/src/messages/model.ts';
import { dayOfUtc } from '@dispute-room/server/src/disputes/business-days.ts';
import { mediatorMonthOf, queueOf, searchKeysOf } from '@dispute-room/server/src/disputes/model.ts';

/**
 * A synthetic history written straight into the database: the documents, keys and buckets
 * filing, responding, mediating and closing leave (the read models come from `pnpm reindex`).
 * Used by `pnpm bench:scale` and by the notifications bench's digest set-up.
 */
/** Disputes filed a day in the synthetic history: the seed team's ~600,000 a year. */
export const PER_DAY = Number(process.env.BENCH_SCALE_PER_DAY ?? 1_650);
export const MESSAGES_PER_DISPUTE = 20;
const DAY = 86_400_000;
const reasons: Reason[] = ['quality', 'scope', 'non_delivery', 'payment', 'communication', 'other'];
const id = () => randomBytes(12).toString('hex');

export interface Cast {
  clients: string[];
  freelancers: string[];
  mediators: string[];
}

/**
 * People: a client and a freelancer per 50 disputes (a marketplace's disputes reuse the same
 * users often, ~50 each over the history — a bigger history is more people, as a year of a
 * growing marketplace is), and a mediator per 300 disputes up to the seed team's 300 agents.
 */
export async function seedPeople(db: Db, n: number, passwordHash: string): Promise<Cast> {
  const make = (role: string, i: number) => ({
    _id: id(),
    email: `${role}-${i}@scale.test`,
    name: `${role[0]!.toUpperCase()}${role.slice(1)} ${i}`,
    role,
    timezone: 'UTC',
    passwordHash,
    createdAt: new Date(Date.now() - 400 * DAY),
  });
  const people = Math.max(20, Math.round(n / 50));
  const clients = Array.from({ length: people }, (_, i) => make('client', i));
  const freelancers = Array.from({ length: people }, (_, i) => make('freelancer', i));
  const mediators = Array.from(
    { length: Math.max(5, Math.min(300, Math.round(people / 6))) },
    (_, i) => make('mediator', i),
  );
  await db.collection('users').insertMany([...clients, ...freelancers, ...mediators] as never[]);
  return {
    clients: clients.map((u) => u._id),
    freelancers: freelancers.map((u) => u._id),
    mediators: mediators.map((u) => u._id),
  };
}

const pick = <T>(list: T[], i: number) => list[i % list.length]!;

export interface DisputeOptions {
  /** These two parties instead of the cast's. */
  parties?: { clientId: string; freelancerId: string };
  /** Still open (filed, not yet answered) whatever its age. */
  open?: boolean;
  /** Added to the dispute's number, for a history written beside disputes filed live. */
  numberFrom?: number;
}

export type DisputeDocs = ReturnType<typeof disputeDocs>;

/** One dispute's documents, as filing, responding, mediating and closing would have left them. */
export function disputeDocs(i: number, cast: Cast, now: number, o: DisputeOptions = {}) {
  const disputeId = id();
  const contractId = id();
  const clientId = o.parties?.clientId ?? pick(cast.clients, i);
  const freelancerId = o.parties?.freelancerId ?? pick(cast.freelancers, i * 7 + 3);
  // Filed at the team's daily volume, newest first (dispute i is i / PER_DAY days old, at a
  // spread-out minute): a bigger history is a longer one, with the same daily traffic and,
  // once it spans the live windows, the same live disputes.
  const createdAt = new Date(now - (i / PER_DAY) * DAY - ((i * 7_919) % 3_600) * 1_000);
  const age = now - createdAt.getTime();
  const roll = i % 10;
  // Two in three answered; of the rest, most mediated; a few still open. Only recent ones
  // can still be live: a respond deadline is 7 days out, and a dispute whose closing day has
  // not come is still in mediation.
  const closesAt = createdAt.getTime() + (1 + (i % 20)) * DAY;
  const ends: DisputeState = roll < 3 ? 'withdrawn' : roll < 4 ? 'arbitration' : 'resolved';
  const state: DisputeState =
    o.open || (roll < 1 && age < 7 * DAY)
      ? 'open'
      : (roll < 2 && age < 30 * DAY) || closesAt > now
        ? 'mediation'
        : ends;
  const mediated = state !== 'open' && roll >= 1 && roll !== 2 && roll % 3 !== 0;
  const mediatorId = mediated ? pick(cast.mediators, i) : null;
  const closedAt = ['resolved', 'withdrawn', 'arbitration'].includes(state)
    ? new Date(closesAt)
    : null;
  const kind: OutcomeKind | null =
    state === 'resolved'
      ? mediated
        ? 'settlement'
        : i % 2
          ? 'accepted_claim'
          : 'default'
      : state === 'withdrawn'
        ? 'withdrawn'
        : state === 'arbitration'
          ? 'escalated'
          : null;
  const escrowCents = 10_000 + (i % 50) * 1_000;
  const claimCents = Math.round(escrowCents / 2);
  const split = kind === 'settlement' || kind === 'accepted_claim' || kind === 'default';
  const events: object[] = [];
  let version = 0;
  const event = (type: string, from: DisputeState, to: DisputeState, at: Date, data = {}) =>
    events.push({
      _id: `${disputeId}:${++version}`,
      disputeId,
      version,
      type,
      actorId: type === 'deadline' ? 'system' : clientId,
      from,
      to,
      at,
      note: '',
      data,
    });
  event('filed', 'open', 'open', createdAt);
  // Nothing of it in the future: the newest disputes were answered and written in quickly.
  const started = new Date(createdAt.getTime() + Math.min(DAY, age / 2));
  if (state !== 'open') event('responded', 'open', 'mediation', started, { accept: false });
  if (mediatorId) event('assigned', 'mediation', 'mediation', started, { mediatorId });
  if (closedAt) event('closed', 'mediation', state, closedAt);
  const dispute = {
    _id: disputeId,
    number: formatDisputeNumber((o.numberFrom ?? 0) + i + 1),
    contractId,
    contractTitle: `Contract ${i}`,
    state,
    claimantId: clientId,
    respondentId: freelancerId,
    clientId,
    freelancerId,
    mediatorId,
    reason: pick(reasons, i),
    description: `Synthetic dispute ${i}: the delivered work did not match the brief ${i % 97}.`,
    claimCents,
    escrowCents,
    currency: 'USD',
    respondBy: new Date(createdAt.getTime() + 7 * DAY),
    mediationEndsBy: state === 'open' ? null : new Date(started.getTime() + 30 * DAY),
    mediationStartedAt: state === 'open' ? null : started,
    everAssigned: mediatorId !== null,
    pending: null,
    outcome: kind
      ? {
          kind,
          clientCents: split ? escrowCents - claimCents : null,
          freelancerCents: split ? claimCents : null,
          proposalId: null,
          decidedBy: 'system',
          decidedAt: closedAt,
          note: '',
        }
      : null,
    version,
    createdAt,
    updatedAt: closedAt ?? started,
    closedAt,
    sortAt: closedAt ?? createdAt,
    sortDay: dayOfUtc(closedAt ?? createdAt),
    createdDay: dayOfUtc(createdAt),
    queue: queueOf({ state, mediatorId }),
    mediatorMonth: mediatorMonthOf({ mediatorId, createdAt }),
    searchKeys: searchKeysOf({
      sortAt: closedAt ?? createdAt,
      state,
      mediatorId,
      outcome: kind ? { kind } : null,
    }),
  };
  const contract = {
    _id: contractId,
    title: `Contract ${i}`,
    clientId,
    freelancerId,
    escrowCents,
    currency: 'USD',
    createdAt: new Date(createdAt.getTime() - 30 * DAY),
  };
  const messages: MessageDoc[] = [];
  const prev = new Map<Channel, { seq: number; hash: string }>();
  for (let m = 0; m < MESSAGES_PER_DISPUTE; m++) {
    const channel: Channel = m % 5 === 4 ? pick([...channels].slice(1), m) : 'joint';
    const head = prev.get(channel) ?? { seq: 0, hash: GENESIS_HASH };
    const seq = head.seq + 1;
    const authorId = m % 3 === 0 ? freelancerId : m % 3 === 1 ? clientId : (mediatorId ?? clientId);
    const doc: MessageDoc = {
      _id: messageKey(disputeId, channel, seq),
      disputeId,
      channel,
      seq,
      kind: 'text',
      authorId,
      authorRole:
        authorId === clientId ? 'client' : authorId === freelancerId ? 'freelancer' : 'mediator',
      text: `Message ${m} of dispute ${i} about milestone ${m % 7}.`,
      body: `Message ${m} of dispute ${i} about milestone ${m % 7}.`,
      evidenceIds: [],
      evidenceSha256: [],
      proposalId: null,
      event: null,
      editOf: null,
      clientMsgId: `s${m}`,
      idemKey: `${disputeId}:${authorId}:s${m}`,
      createdAt: new Date(createdAt.getTime() + m * Math.min(3_600_000, age / 21)),
      editedAt: null,
      prevHash: head.hash,
      hash: '',
      bucket: bucketKey(disputeId, channel, seq),
    };
    doc.hash = chainHash(doc.prevHash, chainEntryOf(doc));
    prev.set(channel, { seq, hash: doc.hash });
    messages.push(doc);
  }
  const heads = [...prev].map(([channel, h]) => ({ _id: `${disputeId}:${channel}`, ...h }));
  const evidence = {
    _id: id(),
    disputeId,
    channel: 'joint',
    seq: 0,
    uploaderId: clientId,
    filename: `invoice-${i}.pdf`,
    contentType: 'application/pdf',
    size: 12_345,
    sha256: createHash('sha256').update(String(i)).digest('hex'),
    description: '',
    fileId: id(),
    createdAt,
  };
  return {
    dispute,
    contract,
    events,
    messages,
    heads,
    evidence,
    number: { _id: (o.numberFrom ?? 0) + i + 1, disputeId },
    active: state === 'open' || state === 'mediation' ? { _id: contractId, disputeId } : null,
    firstReply: mediatorId
      ? { _id: disputeId, mediatorId, at: new Date(started.getTime() + 3_600_000) }
      : null,
  };
}

/** Where each of a dispute's documents goes. */
const collections: [string, (d: DisputeDocs) => object[]][] = [
  ['disputes', (d) => [d.dispute]],
  ['contracts', (d) => [d.contract]],
  ['dispute_events', (d) => d.events],
  ['messages', (d) => d.messages],
  ['channel_heads', (d) => d.heads],
  ['evidence', (d) => [d.evidence]],
  ['dispute_numbers', (d) => [d.number]],
  ['active_disputes', (d) => (d.active ? [d.active] : [])],
  ['mediator_first_replies', (d) => (d.firstReply ? [d.firstReply] : [])],
];

/** One batch of disputes' documents, each collection in one unordered insert. */
export async function writeDisputes(db: Db, docs: DisputeDocs[]): Promise<void> {
  await Promise.all(
    collections.map(([name, of]) => {
      const list = docs.flatMap(of);
      return list.length
        ? db.collection(name).insertMany(list as never[], { ordered: false })
        : null;
    }),
  );
}
