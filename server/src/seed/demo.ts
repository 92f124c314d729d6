import type { User } from '@dispute-room/shared';
import type { Domain } from '../domain.js';
import type { Logger } from '../logger.js';

/** Dev-only demo password: printed at seeding, never for production data. */
export const DEMO_PASSWORD = 'demo-room-walkthrough';

const people = [
  { key: 'admin', email: 'admin@demo.test', name: 'Ada Admin', role: 'admin', timezone: 'UTC' },
  {
    key: 'client',
    email: 'client@demo.test',
    name: 'Carla Client',
    role: 'client',
    timezone: 'America/New_York',
  },
  {
    key: 'freelancer',
    email: 'freelancer@demo.test',
    name: 'Fred Freelancer',
    role: 'freelancer',
    timezone: 'Europe/Berlin',
  },
  {
    key: 'mediator',
    email: 'mediator@demo.test',
    name: 'Mia Mediator',
    role: 'mediator',
    timezone: 'Europe/London',
  },
  { key: 'ops', email: 'ops@demo.test', name: 'Olga Ops', role: 'ops', timezone: 'Asia/Singapore' },
] as const;

type Key = (typeof people)[number]['key'];

/**
 * The demo users the dev-only demo marketplace signs on (embed/demo-host.ts): their ids in
 * that marketplace are their `externalId` here.
 */
export const demoMarketplaceUsers = {
  client: { ...people[1], externalId: 'demo-client' },
  freelancer: { ...people[2], externalId: 'demo-freelancer' },
  mediator: { ...people[3], externalId: 'demo-agent' },
} as const;

const externalIdOf = (key: Key): string | undefined =>
  key === 'client' || key === 'freelancer' || key === 'mediator'
    ? demoMarketplaceUsers[key].externalId
    : undefined;

/**
 * A living demo: one user per role, two contracts, and one dispute in each state, made
 * through the same services a user would go through. Runs only on an empty database.
 */
export async function seedDemo(
  domain: Domain,
  log: Logger,
): Promise<{ email: string; role: string }[] | null> {
  if ((await domain.users.model.estimatedDocumentCount()) > 1) return null;
  const u = {} as Record<Key, User>;
  for (const p of people) {
    const existing = await domain.users.credentialsByEmail(p.email);
    u[p.key] = existing
      ? (await domain.users.byId(existing._id))!
      : await domain.users.create({
          email: p.email,
          name: p.name,
          role: p.role,
          timezone: p.timezone,
          password: DEMO_PASSWORD,
          ...(externalIdOf(p.key) ? { externalId: externalIdOf(p.key) } : {}),
        });
  }
  const { contracts, disputes, thread, macros } = domain;
  const logo = await contracts.create({
    title: 'Brand identity and logo',
    clientId: u.client.id,
    freelancerId: u.freelancer.id,
    escrowCents: 240_000,
    currency: 'USD',
  });
  const app = await contracts.create({
    title: 'Mobile app MVP',
    clientId: u.client.id,
    freelancerId: u.freelancer.id,
    escrowCents: 1_200_000,
    currency: 'EUR',
    externalId: 'demo-contract-app',
    category: 'mobile development',
  });
  // What the client and the freelancer said on the marketplace before the dispute.
  const before = [
    [
      'client',
      'Kick-off: the spec PDF is attached on the contract page. Notifications are in section 4.',
    ],
    [
      'freelancer',
      'Got it. I read section 4 as email notifications; push needs certificates and a backend.',
    ],
    ['client', 'We also need an admin panel to moderate posts. Can you fit it into sprint 2?'],
    ['freelancer', 'An admin panel was not in the estimate. I can quote it separately.'],
    ['client', 'It has to be in the MVP. And push, please, our users expect it.'],
    ['freelancer', 'Then the milestone needs more time or budget. I will pause until we agree.'],
  ] as const;
  await domain.history.import(u.admin, app.id, {
    messages: before.map(([who, body], i) => ({
      externalId: `demo-msg-${i + 1}`,
      authorExternalId: demoMarketplaceUsers[who].externalId,
      body,
      sentAt: new Date(Date.now() - (before.length - i) * 6 * 3_600_000).toISOString(),
    })),
  });
  const say = (who: User, id: string, channel: string, body: string) =>
    thread.send(who, id, {
      channel,
      body,
      clientMsgId: `seed-${Math.random().toString(36).slice(2)}`,
    });
  const file = (
    who: User,
    contractId: string,
    reason: string,
    description: string,
    claimCents: number,
  ) => disputes.file(who, { contractId, reason, description, claimCents });

  // resolved: mediated settlement
  const resolved = await file(
    u.client,
    logo.id,
    'quality',
    'The logo files were delivered in the wrong formats and two concepts are missing.',
    120_000,
  );
  await say(
    u.client,
    resolved.id,
    'joint',
    'Only one of the three concepts came, and no vector files.',
  );
  await disputes.respond(u.freelancer, resolved.id, {
    accept: false,
    note: 'Two concepts were agreed, not three.',
  });
  await disputes.assign(u.mediator, resolved.id, {});
  await say(u.mediator, resolved.id, 'joint', 'Thanks both. Let us look at the brief together.');
  const offer = await disputes.propose(u.mediator, resolved.id, {
    clientCents: 60_000,
    freelancerCents: 180_000,
    note: 'Vector files now, third concept dropped.',
  });
  await disputes.decideProposal(u.client, resolved.id, offer.id, 'accept');
  await disputes.decideProposal(u.freelancer, resolved.id, offer.id, 'accept');
  await disputes.feedback(u.client, resolved.id, { rating: 5, comment: 'Fair and fast.' });

  // withdrawn
  const withdrawn = await file(
    u.freelancer,
    logo.id,
    'payment',
    'Milestone 2 was approved but not released.',
    80_000,
  );
  await say(u.freelancer, withdrawn.id, 'joint', 'The milestone is still not released.');
  await disputes.withdraw(u.freelancer, withdrawn.id, { note: 'Released now, thanks.' });

  // open, waiting for the respondent
  const open = await file(
    u.client,
    logo.id,
    'communication',
    'No replies for ten days after the last revision request.',
    40_000,
  );
  await say(u.client, open.id, 'joint', 'Could you please confirm you are still working on this?');

  // arbitration
  const arbitration = await file(
    u.client,
    app.id,
    'non_delivery',
    'The app build never arrived.',
    600_000,
  );
  await disputes.respond(u.freelancer, arbitration.id, {
    accept: false,
    note: 'It was delivered to the staging store.',
  });
  await disputes.assign(u.mediator, arbitration.id, {});
  await disputes.escalate(u.mediator, arbitration.id, {
    note: 'Facts disputed; needs an arbitrator.',
  });

  // mediation, with some life in each channel
  const mediation = await file(
    u.freelancer,
    app.id,
    'scope',
    'The client added push notifications and an admin panel mid-sprint.',
    300_000,
  );
  await disputes.respond(u.client, mediation.id, {
    accept: false,
    note: 'These were in the original spec.',
  });
  await disputes.assign(u.mediator, mediation.id, {});
  await say(u.mediator, mediation.id, 'joint', 'Hello both, I will help you find a way forward.');
  await say(u.client, mediation.id, 'joint', 'Section 4 of the spec lists notifications.');
  await say(u.freelancer, mediation.id, 'joint', 'It lists email notifications, not push.');
  await say(
    u.mediator,
    mediation.id,
    'caucus:client',
    'Privately: would you accept a partial refund for the admin panel?',
  );
  await say(u.client, mediation.id, 'caucus:client', 'Possibly, if push stays in.');
  await say(
    u.mediator,
    mediation.id,
    'caucus:freelancer',
    'What would push notifications cost you to finish?',
  );
  await say(
    u.mediator,
    mediation.id,
    'internal',
    'Likely split around 40/60; spec is ambiguous on push.',
  );
  await disputes.propose(u.freelancer, mediation.id, {
    clientCents: 300_000,
    freelancerCents: 900_000,
    note: 'I finish push, admin panel out of scope.',
  });

  await macros.create(u.mediator, {
    title: 'Introduction',
    body: 'Hello {{client.name}} and {{freelancer.name}}, I am {{mediator.name}} and I will mediate {{dispute.number}}. Mediation runs until {{mediationEndsBy}}.',
  });
  await macros.create(u.mediator, {
    title: 'Ask for evidence',
    body: 'Could you both upload the documents that support your position (brief, messages, deliveries)?',
  });

  log.info('seeded the demo data set');
  return people.map((p) => ({ email: p.email, role: p.role }));
}

export function printDemoCredentials(accounts: { email: string; role: string }[]): void {
  const lines = [
    '',
    '  Demo accounts (DEV ONLY — the password is public, never use it for real data):',
    ...accounts.map(
      (a) => `    ${a.role.padEnd(11)} ${a.email.padEnd(24)} password: ${DEMO_PASSWORD}`,
    ),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
