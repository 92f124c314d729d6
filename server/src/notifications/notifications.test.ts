import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Notification, NotificationKind } from '@dispute-room/shared';
import type { RunningServer } from '../server.js';
import { waitFor, type ApiClient } from '../../test/api-client.js';
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

async function inbox(who: ApiClient, disputeId?: string): Promise<Notification[]> {
  const res = await who.get('/api/notifications?limit=100');
  expect(res.status).toBe(200);
  const all = res.body.notifications as Notification[];
  return disputeId ? all.filter((n) => n.disputeId === disputeId) : all;
}

const kinds = async (who: ApiClient, disputeId: string): Promise<NotificationKind[]> =>
  (await inbox(who, disputeId)).map((n) => n.kind).sort();

/** Every user of the world but the given ones gets nothing about this dispute. */
async function nobodyElse(disputeId: string, except: ApiClient[]) {
  const rest = [w.client, w.freelancer, w.mediator, w.otherMediator, w.ops, w.stranger, w.admin];
  for (const who of rest.filter((c) => !except.includes(c)))
    expect(await inbox(who, disputeId)).toEqual([]);
}

describe('who gets what', () => {
  it('filed → the respondent only; assigned, proposal, state change, feedback → both parties, the actor included', async () => {
    const contractId = await newContract(w);
    const d = await fileDispute(w, w.client, contractId);
    await vi.waitFor(async () =>
      expect(await kinds(w.freelancer, d.id)).toEqual(['dispute_filed']),
    );
    const [filed] = await inbox(w.freelancer, d.id);
    expect(filed!.url).toBe(`/disputes/${d.id}?channel=joint`);
    expect(filed!.title).toContain(d.number);
    await nobodyElse(d.id, [w.freelancer]);

    // The freelancer rejects: mediation (a state change: both are told, the freelancer as its actor).
    await w.freelancer.post(`/api/disputes/${d.id}/respond`, { accept: false });
    await vi.waitFor(async () => expect(await kinds(w.client, d.id)).toEqual(['state_changed']));
    await vi.waitFor(async () =>
      expect(await kinds(w.freelancer, d.id)).toEqual(['dispute_filed', 'state_changed']),
    );
    const [ownChange] = (await inbox(w.freelancer, d.id)).filter((n) => n.kind === 'state_changed');
    expect(ownChange!.title).toBe(`${d.number} is now Mediation (your action)`);
    const [theirChange] = await inbox(w.client, d.id);
    expect(theirChange!.title).toBe(`${d.number} is now Mediation`);
    await w.mediator.post(`/api/disputes/${d.id}/assign`);
    await vi.waitFor(async () =>
      expect(await kinds(w.client, d.id)).toEqual(['mediator_assigned', 'state_changed']),
    );
    await vi.waitFor(async () =>
      expect(await kinds(w.freelancer, d.id)).toEqual([
        'dispute_filed',
        'mediator_assigned',
        'state_changed',
      ]),
    );
    // A party's own offer: its author is told too, in their own words.
    const offer = await w.client.post(`/api/disputes/${d.id}/proposals`, {
      clientCents: 60_000,
      freelancerCents: 40_000,
    });
    expect(offer.status).toBe(201);
    await vi.waitFor(async () => {
      const own = (await inbox(w.client, d.id)).filter((n) => n.kind === 'proposal');
      const theirs = (await inbox(w.freelancer, d.id)).filter((n) => n.kind === 'proposal');
      expect(own.map((n) => n.title)).toEqual([`Your proposal in ${d.number}`]);
      expect(own[0]!.body).toMatch(/^You propose: client \$600\.00, freelancer \$400\.00\./);
      expect(theirs.map((n) => n.title)).toEqual([`A new proposal in ${d.number}`]);
      expect(theirs[0]!.body).toMatch(/^Carla Client proposes: client \$600\.00/);
    });
    const proposal = await w.mediator.post(`/api/disputes/${d.id}/proposals`, {
      clientCents: 50_000,
      freelancerCents: 50_000,
    });
    expect(proposal.status).toBe(201);
    await vi.waitFor(async () => {
      expect((await kinds(w.client, d.id)).filter((k) => k === 'proposal')).toHaveLength(2);
      expect((await kinds(w.freelancer, d.id)).filter((k) => k === 'proposal')).toHaveLength(2);
    });
    const pid = proposal.body.proposal.id;
    await w.client.post(`/api/disputes/${d.id}/proposals/${pid}/accept`);
    await w.freelancer.post(`/api/disputes/${d.id}/proposals/${pid}/accept`);
    await vi.waitFor(async () => {
      expect(await kinds(w.client, d.id)).toEqual([
        'feedback_request',
        'mediator_assigned',
        'proposal',
        'proposal',
        'state_changed',
        'state_changed',
      ]);
      expect(await kinds(w.freelancer, d.id)).toEqual([
        'dispute_filed',
        'feedback_request',
        'mediator_assigned',
        'proposal',
        'proposal',
        'state_changed',
        'state_changed',
      ]);
    }, 10_000);
    // The mediator, ops, admin, the other mediator and a stranger were told nothing.
    for (const who of [w.mediator, w.otherMediator, w.ops, w.stranger, w.admin])
      expect(await inbox(who, d.id)).toEqual([]);
  });

  it('a message → members not joined who may read its channel, once per digest window', async () => {
    const d = await disputeInMediation(w, await newContract(w));
    // Everything the setup tells both parties has arrived before the live one is awaited.
    for (const who of [w.client, w.freelancer])
      await vi.waitFor(async () =>
        expect(await kinds(who, d.id)).toEqual(
          expect.arrayContaining(['mediator_assigned', 'state_changed']),
        ),
      );
    const before = {
      client: (await inbox(w.client, d.id)).length,
      freelancer: (await inbox(w.freelancer, d.id)).length,
    };
    // The freelancer is connected (live notifications) but not joined; the client is joined.
    const freelancerSocket = await w.freelancer.socket();
    const clientSocket = await w.client.socket();
    const joined = await clientSocket.emitWithAck('dispute:join', { disputeId: d.id });
    expect(joined.ok).toBe(true);
    const live = waitFor<{ notification: Notification }>(freelancerSocket, 'notification:new');

    // Private with the mediator: only the mediator may read it.
    for (let i = 0; i < 3; i++) {
      const res = await w.client.post(`/api/disputes/${d.id}/messages`, {
        channel: 'caucus:client',
        body: `secret offer ${i}`,
        clientMsgId: `c-${i}`,
      });
      expect(res.status).toBe(201);
    }
    await vi.waitFor(async () => {
      const n = (await inbox(w.mediator, d.id)).filter((x) => x.kind === 'message');
      expect(n).toHaveLength(1);
      expect(n[0]!.body).toBe('Carla Client: secret offer 0');
      expect(n[0]!.url).toBe(`/disputes/${d.id}?channel=caucus%3Aclient`);
    });

    await w.mediator.post(`/api/disputes/${d.id}/messages`, {
      channel: 'joint',
      body: 'Hello both',
      clientMsgId: 'm-1',
    });
    const { notification } = await live;
    expect(notification).toMatchObject({ kind: 'message', disputeId: d.id, readAt: null });
    expect(notification.body).toBe('Mia Mediator: Hello both');
    await w.mediator.post(`/api/disputes/${d.id}/messages`, {
      channel: 'joint',
      body: 'Hello again',
      clientMsgId: 'm-2',
    });
    await vi.waitFor(async () => {
      expect((await inbox(w.mediator, d.id)).filter((x) => x.kind === 'message')).toHaveLength(1);
      expect(await inbox(w.freelancer, d.id)).toHaveLength(before.freelancer + 1);
    });
    // The joined client got nothing; nobody's notifications carry the caucus text but the mediator's.
    expect(await inbox(w.client, d.id)).toHaveLength(before.client);
    for (const who of [w.client, w.freelancer, w.ops, w.otherMediator, w.stranger, w.admin])
      for (const n of await inbox(who)) expect(n.body).not.toContain('secret offer');
    freelancerSocket.disconnect();
    clientSocket.disconnect();
  });
});

describe('the notification list', () => {
  it('pages newest first by cursor, counts unread, marks read by id and all', async () => {
    const who = w.stranger;
    const userId = who.user!.id;
    for (let i = 1; i <= 5; i++)
      await server.domain.notifications.notify({
        userId,
        kind: 'rule',
        disputeId: null,
        title: `n${i}`,
        body: '',
        url: '/',
        key: `list-test:${i}`,
      });
    // The same key again makes nothing.
    expect(
      await server.domain.notifications.notify({
        userId,
        kind: 'rule',
        disputeId: null,
        title: 'again',
        body: '',
        url: '/',
        key: 'list-test:1',
      }),
    ).toBeNull();
    const first = await who.get('/api/notifications?limit=2');
    expect(first.body.notifications.map((n: Notification) => n.title)).toEqual(['n5', 'n4']);
    expect(first.body.unreadCount).toBe(5);
    const second = await who.get(`/api/notifications?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.notifications.map((n: Notification) => n.title)).toEqual(['n3', 'n2']);
    const third = await who.get(`/api/notifications?limit=2&cursor=${second.body.nextCursor}`);
    expect(third.body.notifications.map((n: Notification) => n.title)).toEqual(['n1']);
    expect(third.body.nextCursor).toBeNull();

    const n4 = first.body.notifications[1] as Notification;
    // Another user's id is ignored; a repeat counts once.
    const other = (await inbox(w.freelancer))[0]!;
    expect(
      (await who.post('/api/notifications/read', { ids: [n4.id, n4.id, other.id] })).status,
    ).toBe(204);
    expect((await inbox(w.freelancer)).find((n) => n.id === other.id)!.readAt).toBeNull();
    const after = await who.get('/api/notifications?limit=5');
    expect(after.body.unreadCount).toBe(4);
    expect(
      after.body.notifications.find((n: Notification) => n.id === n4.id).readAt,
    ).not.toBeNull();

    expect((await who.post('/api/notifications/read', { all: true })).status).toBe(204);
    const all = await who.get('/api/notifications?limit=5');
    expect(all.body.unreadCount).toBe(0);
    expect(all.body.notifications.every((n: Notification) => n.readAt !== null)).toBe(true);

    // Made at once (on FerretDB only a unique insert is atomic): each gets its own seq, all count.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        server.domain.notifications.notify({
          userId,
          kind: 'rule',
          disputeId: null,
          title: `burst ${i}`,
          body: '',
          url: '/',
          key: `burst:${i}`,
        }),
      ),
    );
    const burst = await who.get('/api/notifications?limit=100');
    expect(burst.body.notifications).toHaveLength(17);
    expect(burst.body.unreadCount).toBe(12);

    expect((await who.post('/api/notifications/read', { all: false })).status).toBe(400);
    expect((await who.get('/api/notifications?limit=0')).status).toBe(400);
    expect(
      (await new (who.constructor as typeof ApiClient)(server.url).get('/api/notifications'))
        .status,
    ).toBe(401);
  });
});

describe('in the recipient’s language', () => {
  it('words each notification for its reader: language, money and zone', async () => {
    const prefs = await w.freelancer.get('/api/me/preferences');
    const put = (locale: string) =>
      w.freelancer.put('/api/me/preferences', { ...prefs.body.preferences, locale });
    expect((await put('es')).status).toBe(200);
    try {
      const d = await fileDispute(w, w.client, await newContract(w), 12_345);
      await vi.waitFor(async () =>
        expect(await kinds(w.freelancer, d.id)).toContain('dispute_filed'),
      );
      const [filed] = await inbox(w.freelancer, d.id);
      expect(filed!.title).toBe(`${w.client.user!.name} abrió la disputa ${d.number} contra ti`);
      // Money the Spanish way (123,45 US$), the deadline in the reader's zone, named.
      expect(filed!.body).toContain('123,45');
      expect(filed!.body).toMatch(/Responde antes del .*(UTC|GMT)/);

      // The client kept English: the same event in their words.
      await w.freelancer.post(`/api/disputes/${d.id}/respond`, { accept: false });
      await vi.waitFor(async () => expect(await kinds(w.client, d.id)).toContain('state_changed'));
      const change = (await inbox(w.client, d.id)).find((n) => n.kind === 'state_changed')!;
      expect(change.title).toBe(`${d.number} is now Mediation`);
      const theirs = (await inbox(w.freelancer, d.id)).find((n) => n.kind === 'state_changed')!;
      expect(theirs.title).toBe(`${d.number} ahora está en Mediación (tu acción)`);
    } finally {
      await put('en');
    }
  });
});

describe('preferences on one instance', () => {
  it('a read that a change overtakes answers with what it read, and the change is what is kept', async () => {
    const notifications = server.domain.notifications;
    const model = notifications.models.preferences;
    const who = w.otherMediator.user!;
    await notifications.setPreferences(who, {
      email: 'digest',
      digestMinutes: 15,
      quietHours: null,
      locale: 'en',
    });
    // Hold one real read of the database, once it has read, until the change is stored.
    let read!: () => void;
    const hasRead = new Promise<void>((resolve) => (read = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const findById = model.findById.bind(model);
    model.findById = ((...args: Parameters<typeof findById>) => {
      const query = findById(...args);
      return {
        lean: async () => {
          const doc: unknown = await query.lean();
          read();
          await gate;
          return doc;
        },
      };
    }) as never;
    let overtaken: Promise<{ digestMinutes: number }>;
    try {
      overtaken = notifications.preferences(who.id);
      await hasRead;
      await notifications.setPreferences(who, {
        email: 'digest',
        digestMinutes: 5,
        quietHours: null,
        locale: 'en',
      });
    } finally {
      model.findById = findById as never;
      release();
    }
    expect((await overtaken).digestMinutes).toBe(15);
    expect((await notifications.preferences(who.id)).digestMinutes).toBe(5);
  });
});
