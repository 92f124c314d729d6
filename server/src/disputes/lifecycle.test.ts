import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatDisputeNumber,
  formatMoney,
  renderSystemMessage,
  type SystemEvent,
} from '@dispute-room/shared';
import type { RunningServer } from '../server.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';
import {
  disputeInMediation,
  fileDispute,
  makeWorld,
  newContract,
  type World,
} from '../../test/world.js';

let server: RunningServer;
let w: World;

beforeAll(async () => {
  server = await startTestServer();
  w = await makeWorld(server);
});
afterAll(() => stopTestServer(server));

const systemEvents = async (id: string, who = w.ops) =>
  (await who.get(`/api/disputes/${id}/messages?channel=joint`)).body.messages
    .filter((m: { kind: string }) => m.kind === 'system')
    .map((m: { event: { type: string; to?: string } }) =>
      m.event.to ? `${m.event.type}:${m.event.to}` : m.event.type,
    );

describe('filing', () => {
  it('files a dispute with a human number, respondBy in 5 business days, and a system message', async () => {
    const contractId = await newContract(w);
    const d = await fileDispute(w, w.freelancer, contractId, 30_000);
    expect(d).toMatchObject({
      state: 'open',
      claimantId: w.freelancer.user!.id,
      respondentId: w.client.user!.id,
      mediatorId: null,
      claimCents: 30_000,
      escrowCents: w.escrowCents,
      outcome: null,
      mediationEndsBy: null,
      heads: { joint: 1 },
      unread: { joint: 1 },
    });
    expect(d.number).toMatch(/^D-\d{6}$/);
    const filed = new Date(d.createdAt);
    const respondBy = new Date(d.respondBy);
    const days = (respondBy.getTime() - filed.getTime()) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(5);
    expect(days).toBeLessThanOrEqual(7);
    expect([0, 6]).not.toContain(respondBy.getUTCDay());
    expect(await systemEvents(d.id)).toEqual(['filed']);
  });

  it('counts respondBy in business days from every weekday, across weekends and a year end', async () => {
    // Written out by hand: five business days, Monday to Friday, at the same time of day.
    const expected: [filed: string, respondBy: string][] = [
      ['2026-03-02T10:00:00.000Z', '2026-03-09T10:00:00.000Z'], // Mon → Mon
      ['2026-03-03T10:00:00.000Z', '2026-03-10T10:00:00.000Z'], // Tue → Tue
      ['2026-03-04T10:00:00.000Z', '2026-03-11T10:00:00.000Z'], // Wed → Wed
      ['2026-03-05T10:00:00.000Z', '2026-03-12T10:00:00.000Z'], // Thu → Thu
      ['2026-03-06T10:00:00.000Z', '2026-03-13T10:00:00.000Z'], // Fri → Fri
      ['2026-03-07T10:00:00.000Z', '2026-03-13T10:00:00.000Z'], // Sat → Fri
      ['2026-03-08T10:00:00.000Z', '2026-03-13T10:00:00.000Z'], // Sun → Fri
      ['2026-12-30T10:00:00.000Z', '2027-01-06T10:00:00.000Z'], // Wed → Wed, next year
    ];
    const clock = { t: new Date(expected[0]![0]), now: () => new Date(clock.t) };
    const timed = await startTestServer({ clock });
    try {
      const tw = await makeWorld(timed);
      for (const [filed, respondBy] of expected) {
        clock.t = new Date(filed);
        const d = await fileDispute(tw, tw.client, await newContract(tw));
        expect({ filed: d.createdAt, respondBy: d.respondBy }).toEqual({ filed, respondBy });
      }
    } finally {
      await stopTestServer(timed);
    }
  });

  it('numbers disputes in sequence and allows only one active dispute per contract', async () => {
    const c1 = await newContract(w);
    const c2 = await newContract(w);
    const a = await fileDispute(w, w.client, c1);
    const b = await fileDispute(w, w.client, c2);
    expect(Number(b.number.slice(2))).toBe(Number(a.number.slice(2)) + 1);
    expect(formatDisputeNumber(Number(a.number.slice(2)))).toBe(a.number);
    const again = await w.freelancer.post('/api/disputes', {
      contractId: c1,
      reason: 'scope',
      description: 'x',
      claimCents: 1,
    });
    expect(again.status).toBe(409);
    // Once the first ends, the contract may be disputed again.
    await w.client.post(`/api/disputes/${a.id}/withdraw`);
    expect((await fileDispute(w, w.freelancer, c1)).state).toBe('open');
  });

  it('validates the claim and who may file', async () => {
    const contractId = await newContract(w);
    const body = {
      contractId,
      reason: 'quality',
      description: 'late',
      claimCents: w.escrowCents + 1,
    };
    expect((await w.client.post('/api/disputes', body)).status).toBe(400);
    expect((await w.client.post('/api/disputes', { ...body, claimCents: 0 })).status).toBe(400);
    expect(
      (await w.client.post('/api/disputes', { ...body, reason: 'vibes', claimCents: 5 })).status,
    ).toBe(400);
    expect((await w.stranger.post('/api/disputes', { ...body, claimCents: 5 })).status).toBe(404);
    expect((await w.mediator.post('/api/disputes', { ...body, claimCents: 5 })).status).toBe(404);
  });
});

describe('the paths of the lifecycle', () => {
  it('respondent accepts → resolved with accepted_claim; claimant gets the claim', async () => {
    const d = await fileDispute(w, w.client, await newContract(w), 25_000);
    expect((await w.client.post(`/api/disputes/${d.id}/respond`, { accept: true })).status).toBe(
      403,
    );
    const res = await w.freelancer.post(`/api/disputes/${d.id}/respond`, {
      accept: true,
      note: 'fair',
    });
    expect(res.status).toBe(200);
    expect(res.body.dispute.state).toBe('resolved');
    expect(res.body.dispute.outcome).toMatchObject({
      kind: 'accepted_claim',
      clientCents: 25_000,
      freelancerCents: w.escrowCents - 25_000,
      decidedBy: w.freelancer.user!.id,
      note: 'fair',
    });
    expect(res.body.dispute.closedAt).not.toBeNull();
    expect(await systemEvents(d.id)).toEqual(['filed', 'state_changed:resolved']);
    expect(
      (await w.freelancer.post(`/api/disputes/${d.id}/respond`, { accept: false })).status,
    ).toBe(409);
  });

  it('reject → mediation (mediationEndsBy 30 days on) → claim → propose → both accept → settlement', async () => {
    const d = await fileDispute(w, w.client, await newContract(w));
    const rejected = await w.freelancer.post(`/api/disputes/${d.id}/respond`, { accept: false });
    expect(rejected.body.dispute.state).toBe('mediation');
    const ends = new Date(rejected.body.dispute.mediationEndsBy).getTime();
    expect(Math.round((ends - Date.now()) / 86_400_000)).toBe(30);

    // The unassigned dispute is in the queue of every mediator.
    const queue = await w.otherMediator.get('/api/disputes?assigned=none');
    expect(queue.body.disputes.map((x: { id: string }) => x.id)).toContain(d.id);

    const claimed = await w.mediator.post(`/api/disputes/${d.id}/assign`);
    expect(claimed.body.dispute.mediatorId).toBe(w.mediator.user!.id);
    expect((await w.otherMediator.post(`/api/disputes/${d.id}/assign`)).status).toBe(409);
    expect(
      (await w.mediator.get('/api/disputes?assigned=me')).body.disputes.map(
        (x: { id: string }) => x.id,
      ),
    ).toContain(d.id);

    const bad = await w.mediator.post(`/api/disputes/${d.id}/proposals`, {
      clientCents: 1,
      freelancerCents: 1,
    });
    expect(bad.status).toBe(400);
    const p1 = await w.mediator.post(`/api/disputes/${d.id}/proposals`, {
      clientCents: 60_000,
      freelancerCents: 40_000,
      note: 'split',
    });
    expect(p1.status).toBe(201);
    expect(p1.body.proposal).toMatchObject({
      status: 'pending',
      acceptedBy: [],
      authorId: w.mediator.user!.id,
    });
    const p2 = await w.mediator.post(`/api/disputes/${d.id}/proposals`, {
      clientCents: 50_000,
      freelancerCents: 50_000,
    });
    const listed = (await w.client.get(`/api/disputes/${d.id}/proposals`)).body.proposals;
    expect(listed.map((p: { status: string }) => p.status)).toEqual(['superseded', 'pending']);
    expect(
      (await w.client.post(`/api/disputes/${d.id}/proposals/${p1.body.proposal.id}/accept`)).status,
    ).toBe(409);
    expect(
      (await w.mediator.post(`/api/disputes/${d.id}/proposals/${p2.body.proposal.id}/accept`))
        .status,
    ).toBe(403);

    const half = await w.client.post(
      `/api/disputes/${d.id}/proposals/${p2.body.proposal.id}/accept`,
    );
    expect(half.body.proposal.acceptedBy).toEqual([w.client.user!.id]);
    expect(half.body.dispute.state).toBe('mediation');
    const done = await w.freelancer.post(
      `/api/disputes/${d.id}/proposals/${p2.body.proposal.id}/accept`,
    );
    expect(done.body.proposal.status).toBe('accepted');
    expect(done.body.dispute.state).toBe('resolved');
    expect(done.body.dispute.outcome).toMatchObject({
      kind: 'settlement',
      clientCents: 50_000,
      freelancerCents: 50_000,
      proposalId: p2.body.proposal.id,
    });
    expect(await systemEvents(d.id)).toEqual([
      'filed',
      'state_changed:mediation',
      'assigned',
      'proposal_accepted',
      'proposal_accepted',
      'state_changed:resolved',
    ]);
  });

  it('a rejection says who rejected which proposal in the joint thread', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const p = await w.mediator.post(`/api/disputes/${d.id}/proposals`, {
      clientCents: 40_000,
      freelancerCents: 60_000,
    });
    const rejected = await w.freelancer.post(
      `/api/disputes/${d.id}/proposals/${p.body.proposal.id}/reject`,
    );
    expect(rejected.body.proposal.status).toBe('rejected');
    const joint = (await w.ops.get(`/api/disputes/${d.id}/messages?channel=joint`)).body
      .messages as { kind: string; body: string; event: { type: string; userId?: string } }[];
    const last = joint.filter((m) => m.kind === 'system').at(-1)!;
    expect(last).toMatchObject({
      body: 'Fred Freelancer rejected the proposal.',
      event: { type: 'proposal_rejected', userId: w.freelancer.user!.id },
    });
  });

  it("keeps the respondent's rejection note in the thread, worded by the shared registry", async () => {
    const d = await fileDispute(w, w.client, await newContract(w));
    await w.freelancer.post(`/api/disputes/${d.id}/respond`, {
      accept: false,
      note: 'All pages were delivered on 3 March.',
    });
    const joint = (await w.client.get(`/api/disputes/${d.id}/messages?channel=joint`)).body
      .messages as { kind: string; body: string; event: Record<string, unknown> }[];
    const change = joint.find((m) => m.event?.type === 'state_changed')!;
    expect(change.event).toMatchObject({
      from: 'open',
      to: 'mediation',
      cause: 'claim_rejected',
      note: 'All pages were delivered on 3 March.',
    });
    // The stored text is the registry's wording of that event: what every client shows.
    expect(change.body).toBe(
      renderSystemMessage(change.event as SystemEvent, {
        nameOf: () => '',
        money: (c, cur) => formatMoney(c, cur, 'en-US'),
      }),
    );
    expect(change.body).toContain('Note: All pages were delivered on 3 March.');
  });

  it('parties trade offers in open, before any mediator: a self-service settlement', async () => {
    const d = await fileDispute(w, w.client, await newContract(w));
    const offer = await w.freelancer.post(`/api/disputes/${d.id}/proposals`, {
      clientCents: 30_000,
      freelancerCents: 70_000,
    });
    expect(offer.body.proposal.acceptedBy).toEqual([w.freelancer.user!.id]);
    const counter = await w.client.post(`/api/disputes/${d.id}/proposals`, {
      clientCents: 40_000,
      freelancerCents: 60_000,
    });
    const rejected = await w.client.post(
      `/api/disputes/${d.id}/proposals/${counter.body.proposal.id}/reject`,
    );
    expect(rejected.body.proposal.status).toBe('rejected');
    const final = await w.client.post(`/api/disputes/${d.id}/proposals`, {
      clientCents: 35_000,
      freelancerCents: 65_000,
    });
    const done = await w.freelancer.post(
      `/api/disputes/${d.id}/proposals/${final.body.proposal.id}/accept`,
    );
    expect(done.body.dispute).toMatchObject({ state: 'resolved', mediatorId: null });
    expect(done.body.dispute.outcome).toMatchObject({ kind: 'settlement', clientCents: 35_000 });
  });

  it('escalation by a party → arbitration; pending proposals expire', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const p = await w.mediator.post(`/api/disputes/${d.id}/proposals`, {
      clientCents: 1,
      freelancerCents: w.escrowCents - 1,
    });
    expect((await w.ops.post(`/api/disputes/${d.id}/escalate`)).status).toBe(403);
    const res = await w.freelancer.post(`/api/disputes/${d.id}/escalate`, {
      note: 'we need a decision',
    });
    expect(res.body.dispute).toMatchObject({
      state: 'arbitration',
      outcome: { kind: 'escalated', clientCents: null },
    });
    const proposals = (await w.client.get(`/api/disputes/${d.id}/proposals`)).body.proposals;
    expect(proposals.find((x: { id: string }) => x.id === p.body.proposal.id).status).toBe(
      'expired',
    );
  });

  it('withdrawal by the claimant only, in open or mediation', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    expect((await w.freelancer.post(`/api/disputes/${d.id}/withdraw`)).status).toBe(403);
    const res = await w.client.post(`/api/disputes/${d.id}/withdraw`, { note: 'sorted it out' });
    expect(res.body.dispute).toMatchObject({ state: 'withdrawn', outcome: { kind: 'withdrawn' } });
    expect((await w.client.post(`/api/disputes/${d.id}/withdraw`)).status).toBe(409);
  });

  it('ops assigns and reassigns; the replaced mediator loses access', async () => {
    const d = await fileDispute(w, w.client, await newContract(w));
    await w.freelancer.post(`/api/disputes/${d.id}/respond`, { accept: false });
    expect((await w.ops.post(`/api/disputes/${d.id}/assign`, {})).status).toBe(400);
    expect(
      (await w.ops.post(`/api/disputes/${d.id}/assign`, { mediatorId: w.client.user!.id })).status,
    ).toBe(400);
    expect(
      (await w.ops.post(`/api/disputes/${d.id}/assign`, { mediatorId: w.mediator.user!.id })).body
        .dispute.mediatorId,
    ).toBe(w.mediator.user!.id);
    const re = await w.ops.post(`/api/disputes/${d.id}/assign`, {
      mediatorId: w.otherMediator.user!.id,
    });
    expect(re.body.dispute.mediatorId).toBe(w.otherMediator.user!.id);
    expect((await w.mediator.get(`/api/disputes/${d.id}/messages?channel=joint`)).status).toBe(403);
    expect(
      (await w.otherMediator.get(`/api/disputes/${d.id}/messages?channel=internal`)).status,
    ).toBe(200);
    expect((await w.client.post(`/api/disputes/${d.id}/assign`, {})).status).toBe(403);
  });

  it('feedback once per party after a terminal state', async () => {
    const d = await fileDispute(w, w.client, await newContract(w));
    expect((await w.client.post(`/api/disputes/${d.id}/feedback`, { rating: 5 })).status).toBe(409);
    await w.client.post(`/api/disputes/${d.id}/withdraw`);
    expect((await w.client.post(`/api/disputes/${d.id}/feedback`, { rating: 6 })).status).toBe(400);
    expect((await w.mediator.post(`/api/disputes/${d.id}/feedback`, { rating: 4 })).status).toBe(
      404,
    );
    expect((await w.ops.post(`/api/disputes/${d.id}/feedback`, { rating: 4 })).status).toBe(403);
    const first = await w.client.post(`/api/disputes/${d.id}/feedback`, {
      rating: 4,
      comment: 'quick',
    });
    expect(first.status).toBe(201);
    expect(first.body.feedback).toMatchObject({
      rating: 4,
      comment: 'quick',
      userId: w.client.user!.id,
    });
    expect((await w.client.post(`/api/disputes/${d.id}/feedback`, { rating: 5 })).status).toBe(409);
  });
});

describe('visibility and status precedence', () => {
  it('401 → 404 → 403 → 400 → 409', async () => {
    const d = await fileDispute(w, w.client, await newContract(w));
    const anon = new (w.client.constructor as new (u: string) => typeof w.client)(server.url);
    expect((await anon.post(`/api/disputes/${d.id}/respond`, { accept: 'x' })).status).toBe(401);
    expect((await w.stranger.post(`/api/disputes/${d.id}/respond`, { accept: 'x' })).status).toBe(
      404,
    );
    expect((await w.client.post(`/api/disputes/${d.id}/respond`, { accept: 'x' })).status).toBe(
      403,
    );
    expect((await w.freelancer.post(`/api/disputes/${d.id}/respond`, { accept: 'x' })).status).toBe(
      400,
    );
    await w.freelancer.post(`/api/disputes/${d.id}/respond`, { accept: true });
    expect(
      (await w.freelancer.post(`/api/disputes/${d.id}/respond`, { accept: true })).status,
    ).toBe(409);
    expect((await w.client.get('/api/disputes/nope-nope')).status).toBe(404);
  });

  it('lists: parties their own, mediators queue + own, ops all; mediators see no open dispute', async () => {
    const d = await fileDispute(w, w.client, await newContract(w));
    const ids = async (c: typeof w.client, q = '') =>
      (await c.get(`/api/disputes${q}`)).body.disputes.map((x: { id: string }) => x.id);
    expect(await ids(w.client)).toContain(d.id);
    expect(await ids(w.freelancer)).toContain(d.id);
    expect(await ids(w.stranger)).not.toContain(d.id);
    expect(await ids(w.mediator)).not.toContain(d.id);
    expect((await w.mediator.get(`/api/disputes/${d.id}`)).status).toBe(404);
    expect(await ids(w.ops)).toContain(d.id);
    expect(await ids(w.ops, '?state=open')).toContain(d.id);
    expect(await ids(w.ops, '?state=resolved')).not.toContain(d.id);
    const view = (await w.mediator.get(`/api/disputes?state=nonsense`)).status;
    expect(view).toBe(400);
  });
});

describe('two conflicting transitions at once', () => {
  it('exactly one wins, the other gets 409', async () => {
    for (let round = 0; round < 3; round++) {
      const d = await fileDispute(w, w.client, await newContract(w));
      const [a, b] = await Promise.all([
        w.freelancer.post(`/api/disputes/${d.id}/respond`, { accept: true }),
        w.client.post(`/api/disputes/${d.id}/withdraw`),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const events = await server.domain.disputes.events(d.id);
      expect(events.map((e) => e.version)).toEqual([1, 2]);
    }
  });
});

describe('deadlines (injected time, two sweepers)', () => {
  it('respondBy passing resolves by default once, even with two instances sweeping', async () => {
    const second = await startTestServer({
      dbName: server.ctx.config.MONGODB_DB,
      redisPrefix: server.ctx.config.REDIS_PREFIX,
    });
    try {
      const d = await fileDispute(w, w.client, await newContract(w), 10_000);
      const before = new Date(new Date(d.respondBy).getTime() - 60_000);
      expect(await server.domain.disputes.tick(before)).toBe(0);
      const after = new Date(new Date(d.respondBy).getTime() + 1_000);
      const fired = await Promise.all([
        server.domain.disputes.tick(after),
        second.domain.disputes.tick(after),
        server.domain.disputes.tick(after),
      ]);
      const mine = (await w.client.get(`/api/disputes/${d.id}`)).body.dispute;
      expect(mine).toMatchObject({
        state: 'resolved',
        outcome: { kind: 'default', decidedBy: 'system', clientCents: 10_000 },
      });
      const deadlineEvents = (await server.domain.disputes.events(d.id)).filter(
        (e) => e.type === 'deadline',
      );
      expect(deadlineEvents).toHaveLength(1);
      expect(fired.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    } finally {
      await second.stop();
    }
  });

  it('mediationEndsBy passing escalates to arbitration', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    const after = new Date(new Date(d.mediationEndsBy!).getTime() + 1);
    await server.domain.disputes.tick(after);
    const now = (await w.mediator.get(`/api/disputes/${d.id}`)).body.dispute;
    expect(now).toMatchObject({
      state: 'arbitration',
      outcome: { kind: 'escalated', decidedBy: 'system' },
    });
  });
});

describe('the per-instance caches', () => {
  it('answer a load that an invalidation overtakes, and do not keep it', async () => {
    const d = await fileDispute(w, w.client, await newContract(w));
    const { store, users } = server.domain;
    // Another instance records an event while this one is loading the dispute (a miss).
    store.forget(d.id);
    const pending = store.cachedLoad(d.id);
    store.forget(d.id);
    expect((await pending)?._id).toBe(d.id);
    // Not kept: the next read loads what is stored now.
    await store.models.disputes.updateOne({ _id: d.id }, { $set: { contractTitle: 'Renamed' } });
    expect((await store.cachedLoad(d.id))?.contractTitle).toBe('Renamed');

    // The same for users (a change on another instance while a request loads its user).
    const id = w.client.user!.id;
    users.forget(id);
    const user = users.byId(id);
    users.forget(id);
    expect((await user)?.id).toBe(id);
  });
});
