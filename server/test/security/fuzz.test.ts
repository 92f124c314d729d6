import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProposalBodySchema,
  createUserBodySchema,
  errorBodySchema,
  fileDisputeBodySchema,
  joinPayloadSchema,
  readPayloadSchema,
  respondBodySchema,
  sendMessageBodySchema,
  sendPayloadSchema,
  typingPayloadSchema,
  type Ack,
} from '@dispute-room/shared';
import type { ZodType } from 'zod';
import type { RunningServer } from '../../src/server.js';
import type { ClientSocket } from '../api-client.js';
import { backgroundSettled, startTestServer, stopTestServer } from '../harness.js';
import { disputeInMediation, makeWorld, type World } from '../world.js';

/**
 * Payloads that are invalid by construction, thrown at every socket event and REST
 * endpoint: the server must stay up, answer each with the error shape, and change
 * nothing in the database. FUZZ_RUNS sets how many (10,000 in `pnpm test:fuzz`).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1_500);

let server: RunningServer;
let w: World;
let disputeId: string;
let socket: ClientSocket;

/**
 * A digest of every document, per collection (sessions live in Redis), so a failure names the
 * collection that changed.
 */
async function snapshot(): Promise<Record<string, string>> {
  // Coalesced writes (head hints, read positions) land first, so they are in both pictures.
  await server.domain.log.flush();
  const db = server.ctx.conn.db!;
  const names = (await db.listCollections().toArray()).map((c) => c.name).sort();
  const digests: Record<string, string> = {};
  for (const name of names) {
    const docs = await db.collection(name).find().toArray();
    const lines = docs.map((d) => JSON.stringify(d)).sort();
    digests[name] =
      `${docs.length} docs, ${createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16)}`;
  }
  return digests;
}

const nasty = fc.oneof(
  fc.constant({ $gt: '' }),
  fc.constant({ $ne: null }),
  fc.constant({ __proto__: { polluted: true } }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}}')),
  fc.constant({ constructor: { prototype: { polluted: true } } }),
  fc.constant('x'.repeat(20_000)),
  fc.constant('\ud800'),
  fc.constant(null),
  fc.constant([]),
  fc.integer({ min: -1e12, max: -1 }),
  fc.double().filter((x) => !Number.isInteger(x)),
  fc.object({ maxDepth: 4 }),
  fc.letrec((tie) => ({
    deep: fc.oneof({ depthSize: 'small' }, fc.constant(1), fc.record({ a: tie('deep') })),
  })).deep,
);

/** A valid payload with one field replaced by something it can never be, removed, or an extra key. */
function broken(valid: Record<string, unknown>, mustBreak: string[]) {
  return fc.oneof(
    fc
      .record({ key: fc.constantFrom(...mustBreak), value: nasty })
      .map(({ key, value }) => ({ ...valid, [key]: value })),
    fc
      .constantFrom(...mustBreak)
      .map((key) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== key))),
    fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((k) => !(k in valid) && k !== '__proto__')
      .map((k) => ({ ...valid, [k]: 'unexpected' })),
    nasty.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
  );
}

beforeAll(async () => {
  server = await startTestServer();
  w = await makeWorld(server);
  disputeId = (await disputeInMediation(w)).id;
  socket = await w.client.socket();
});
afterAll(async () => {
  socket.disconnect();
  await stopTestServer(server);
});

const emit = (event: string, payload: unknown) =>
  new Promise<Ack>((resolve) =>
    (socket.emit as (e: string, p: unknown, cb: (a: Ack) => void) => void)(event, payload, resolve),
  );

describe('fuzzing', () => {
  it(`answers ${RUNS} invalid payloads over sockets and REST with the error shape and writes nothing`, async () => {
    // Harmless valid traffic first, so the snapshot holds what it would anyway (read positions…).
    await emit('dispute:join', { disputeId });
    // The setup's own follow-ups (notifications of the filing, …) must be written first.
    await backgroundSettled(server);
    const before = await snapshot();
    const validSend = { disputeId, channel: 'joint', body: 'hello', clientMsgId: 'fuzz' };
    const events = fc.oneof(
      fc
        .constantFrom('\ud800', 'a\udfffb', '\udc00\ud800')
        .map((bad) => ['socket', 'message:send', { ...validSend, clientMsgId: bad }] as const),
      broken(validSend, ['channel', 'body', 'clientMsgId']).map(
        (p) => ['socket', 'message:send', p] as const,
      ),
      broken({ disputeId, channel: 'joint', seq: 1 }, ['channel', 'seq']).map(
        (p) => ['socket', 'message:read', p] as const,
      ),
      broken({ disputeId, channel: 'joint' }, ['channel']).map(
        (p) => ['socket', 'typing', p] as const,
      ),
      broken({ disputeId, after: { joint: 0 } }, ['disputeId']).map(
        (p) => ['socket', 'dispute:join', p] as const,
      ),
      broken({ channel: 'joint', body: 'hello', clientMsgId: 'fuzz-rest' }, [
        'channel',
        'body',
        'clientMsgId',
      ]).map((p) => ['rest', `/api/disputes/${disputeId}/messages`, p] as const),
      broken({ accept: true }, ['accept']).map(
        (p) => ['rest', `/api/disputes/${disputeId}/respond`, p] as const,
      ),
      broken({ clientCents: 50_000, freelancerCents: 50_000 }, [
        'clientCents',
        'freelancerCents',
      ]).map((p) => ['rest', `/api/disputes/${disputeId}/proposals`, p] as const),
      broken({ contractId: w.contractId, reason: 'quality', description: 'x', claimCents: 5 }, [
        'reason',
        'claimCents',
        'description',
      ]).map((p) => ['rest', '/api/disputes', p] as const),
      broken({ email: 'a@b.example', name: 'A', role: 'client', password: 'long enough pw' }, [
        'email',
        'role',
        'password',
      ]).map((p) => ['rest-admin', '/api/users', p] as const),
      fc
        .constantFrom('{"a":', '[1,2', 'not json', '\u0000', '{"__proto__":{"x":1}}x')
        .map((raw) => ['raw', `/api/disputes/${disputeId}/messages`, raw] as const),
      fc
        .constantFrom('%7B%24gt%3A%22%22%7D', '..%2F..%2Fetc', 'x'.repeat(300), '%00')
        .map(
          (id) =>
            [
              'rest',
              `/api/disputes/${id}/messages`,
              { channel: 'joint', body: 'x', clientMsgId: 'p' },
            ] as const,
        ),
    );
    // The contract's own schema for each target: a generated payload it would accept is not
    // invalid, so it is discarded rather than sent (a valid write can never sneak in).
    const schemaFor = (target: string): ZodType | null =>
      ({
        'message:send': sendPayloadSchema,
        'message:read': readPayloadSchema,
        typing: typingPayloadSchema,
        'dispute:join': joinPayloadSchema,
      })[target] ??
      (target.endsWith('/messages')
        ? sendMessageBodySchema
        : target.endsWith('/respond')
          ? respondBodySchema
          : target.endsWith('/proposals')
            ? createProposalBodySchema
            : target === '/api/disputes'
              ? fileDisputeBodySchema
              : target === '/api/users'
                ? createUserBodySchema
                : null);
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(events, async ([kind, target, payload]) => {
        const schema = kind === 'raw' ? null : schemaFor(target);
        const wire =
          payload === undefined ? undefined : JSON.parse(JSON.stringify(payload) ?? 'null');
        fc.pre(!schema || !schema.safeParse(wire).success || target.includes('%'));
        tried++;
        if (kind === 'socket') {
          const ack = await emit(target, payload);
          expect(ack.ok, `${target} ${JSON.stringify(payload)?.slice(0, 200)}`).toBe(false);
          if (!ack.ok) expect(ack.error.code).toMatch(/^[a-z_]+$/);
          return;
        }
        const client = kind === 'rest-admin' ? w.admin : w.client;
        const res =
          kind === 'raw'
            ? await client.request('POST', target, payload as string, {
                'content-type': 'application/json',
              })
            : await client.post(target, payload);
        expect(
          res.status,
          `${target} ${JSON.stringify(payload)?.slice(0, 200)}`,
        ).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(
          errorBodySchema.safeParse(res.body).success,
          JSON.stringify(res.body).slice(0, 200),
        ).toBe(true);
      }),
      { numRuns: RUNS },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    // Anything the payloads set off in the background would have to land first.
    await backgroundSettled(server);
    expect(await snapshot()).toEqual(before);
    process.stdout.write(`fuzzing: ${tried} invalid payloads tried\n`);
  }, 600_000);
});
