import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dispute, Evidence, Message } from '@dispute-room/shared';
import type { RunningServer } from '../server.js';
import { waitFor, type ApiClient, type ClientSocket } from '../../test/api-client.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';
import {
  disputeInMediation,
  fileDispute,
  makeWorld,
  newContract,
  type World,
} from '../../test/world.js';
import { exe, office, pdf, png, zip } from '../../test/fixtures.js';
import { CHUNK_BYTES } from './service.js';

const MiB = 1024 * 1024;
const SMALL_LIMIT = 2.5 * MiB;
const UPLOAD_LIMIT = 4;

let server: RunningServer;
let limited: RunningServer;
let w: World;
let lw: World;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  [server, limited] = await Promise.all([
    startTestServer(),
    startTestServer({
      env: {
        EVIDENCE_MAX_BYTES: String(SMALL_LIMIT),
        EVIDENCE_TYPES: 'pdf,zip',
        UPLOAD_LIMIT_PER_HOUR: String(UPLOAD_LIMIT),
      },
    }),
  ]);
  [w, lw] = await Promise.all([makeWorld(server), makeWorld(limited)]);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await Promise.all([stopTestServer(server), stopTestServer(limited)]);
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface UploadOptions {
  channel?: string;
  description?: string;
  /** Send the fields after the file (as browsers do when the file is appended first). */
  fieldsLast?: boolean;
  claimedType?: string;
}

async function upload(
  c: ApiClient | null,
  disputeId: string,
  bytes: Uint8Array,
  filename: string,
  opts: UploadOptions = {},
  on: RunningServer = server,
) {
  const form = new FormData();
  const fields = () => {
    if (opts.channel !== undefined) form.append('channel', opts.channel);
    if (opts.description !== undefined) form.append('description', opts.description);
  };
  if (!opts.fieldsLast) fields();
  form.append(
    'file',
    new Blob([bytes], { type: opts.claimedType ?? 'application/octet-stream' }),
    filename,
  );
  if (opts.fieldsLast) fields();
  const res = await fetch(`${on.url}/api/disputes/${disputeId}/evidence`, {
    method: 'POST',
    body: form,
    headers: c?.cookie ? { cookie: c.cookie } : {},
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

async function uploaded(
  c: ApiClient,
  disputeId: string,
  bytes: Uint8Array,
  filename: string,
  opts: UploadOptions = {},
): Promise<Evidence> {
  const res = await upload(c, disputeId, bytes, filename, opts);
  if (res.status !== 201)
    throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.evidence;
}

async function download(
  c: ApiClient,
  evidenceId: string,
  opts: { query?: string; headers?: Record<string, string> } = {},
  on: RunningServer = server,
) {
  const res = await fetch(`${on.url}/api/evidence/${evidenceId}/content${opts.query ?? ''}`, {
    headers: { ...(c.cookie ? { cookie: c.cookie } : {}), ...opts.headers },
  });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function gridfsCounts(on: RunningServer) {
  const db = on.ctx.conn.db!;
  const [files, chunks] = await Promise.all([
    db.collection('evidence.files').countDocuments({}),
    db.collection('evidence.chunks').countDocuments({}),
  ]);
  return { files, chunks };
}

/** Every channel of a dispute still verifies its hash chain. */
async function chainsVerify(disputeId: string) {
  for (const c of ['joint', 'caucus:client', 'caucus:freelancer', 'internal'] as const) {
    expect((await server.domain.log.verify(disputeId, c)).verified).toBe(true);
  }
}

async function connect(c: ApiClient): Promise<ClientSocket> {
  const s = await c.socket({ url: server.url });
  sockets.push(s);
  return s;
}

describe('uploading and downloading', () => {
  let d: Dispute;
  beforeAll(async () => {
    d = await disputeInMediation(w, await newContract(w));
  });

  it('stores a small image, lists it, serves it back, and posts it in the channel live', async () => {
    const socket = await connect(w.freelancer);
    const joined = await new Promise<{ ok: boolean }>((resolve) =>
      socket.emit('dispute:join', { disputeId: d.id }, resolve as never),
    );
    expect(joined.ok).toBe(true);
    const live = waitFor<{ message: Message }>(socket, 'message:new');

    const bytes = png();
    const res = await upload(w.client, d.id, bytes, 'photo.png', {
      channel: 'joint',
      description: ' the broken header ',
      claimedType: 'text/html',
    });
    expect(res.status).toBe(201);
    const evidence: Evidence = res.body.evidence;
    expect(evidence).toEqual({
      id: expect.any(String),
      disputeId: d.id,
      uploaderId: w.client.user!.id,
      channel: 'joint',
      filename: 'photo.png',
      contentType: 'image/png',
      size: bytes.length,
      sha256: sha256(bytes),
      description: 'the broken header',
      createdAt: expect.any(String),
    });

    const { message } = await live;
    expect(message).toMatchObject({
      kind: 'evidence',
      channel: 'joint',
      authorId: w.client.user!.id,
      evidenceIds: [evidence.id],
    });
    const thread = await w.mediator.get(`/api/disputes/${d.id}/messages?channel=joint`);
    expect(thread.body.messages.at(-1)).toMatchObject({ id: message.id, kind: 'evidence' });
    await chainsVerify(d.id);

    const list = await w.freelancer.get(`/api/disputes/${d.id}/evidence`);
    expect(list.status).toBe(200);
    expect(list.body.evidence).toContainEqual(evidence);

    const got = await download(w.freelancer, evidence.id);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(bytes)).toBe(true);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('content-length')).toBe(String(bytes.length));
    expect(got.headers.get('content-disposition')).toBe('attachment; filename=photo.png');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('accept-ranges')).toBe('bytes');
  });

  it('streams a 20 MiB file in and out in 1 MiB GridFS chunks', async () => {
    const payload = randomBytes(20 * MiB);
    const bytes = zip([{ name: 'recording.bin', data: payload }]);
    const before = await gridfsCounts(server);
    const started = performance.now();
    const evidence = await uploaded(w.client, d.id, bytes, 'recording.zip');
    const uploadMs = performance.now() - started;
    expect(evidence).toMatchObject({
      contentType: 'application/zip',
      size: bytes.length,
      sha256: sha256(bytes),
    });
    const after = await gridfsCounts(server);
    expect(after.files - before.files).toBe(1);
    expect(after.chunks - before.chunks).toBe(Math.ceil(bytes.length / CHUNK_BYTES));

    const readStarted = performance.now();
    const got = await download(w.mediator, evidence.id);
    const downloadMs = performance.now() - readStarted;
    expect(got.status).toBe(200);
    expect(got.bytes.length).toBe(bytes.length);
    expect(sha256(got.bytes)).toBe(evidence.sha256);

    // Across a chunk boundary.
    const from = CHUNK_BYTES - 10;
    const part = await download(w.client, evidence.id, {
      headers: { range: `bytes=${from}-${from + 19}` },
    });
    expect(part.status).toBe(206);
    expect(part.bytes.equals(bytes.subarray(from, from + 20))).toBe(true);
    expect(part.headers.get('content-range')).toBe(`bytes ${from}-${from + 19}/${bytes.length}`);
    process.stderr.write(
      `[evidence] 20 MiB: upload ${Math.round(uploadMs)} ms, download ${Math.round(downloadMs)} ms\n`,
    );
  }, 120_000);

  it('answers ranges with 206 and the exact bytes, and 416 when nothing fits', async () => {
    const text = Buffer.from(Array.from({ length: 500 }, (_, i) => `line ${i}, ✓\n`).join(''));
    const evidence = await uploaded(w.client, d.id, text, 'log.txt');
    expect(evidence.contentType).toBe('text/plain');

    const mid = await download(w.client, evidence.id, { headers: { range: 'bytes=100-199' } });
    expect(mid.status).toBe(206);
    expect(mid.bytes.equals(text.subarray(100, 200))).toBe(true);
    expect(mid.headers.get('content-length')).toBe('100');
    expect(mid.headers.get('content-range')).toBe(`bytes 100-199/${text.length}`);
    expect(mid.headers.get('content-type')).toBe('text/plain; charset=utf-8');

    const tail = await download(w.client, evidence.id, { headers: { range: 'bytes=-7' } });
    expect(tail.status).toBe(206);
    expect(tail.bytes.equals(text.subarray(text.length - 7))).toBe(true);

    const open = await download(w.client, evidence.id, { headers: { range: 'bytes=4000-' } });
    expect(open.status).toBe(206);
    expect(open.bytes.equals(text.subarray(4000))).toBe(true);

    const beyond = await download(w.client, evidence.id, {
      headers: { range: `bytes=${text.length}-` },
    });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${text.length}`);

    // Several ranges, or a stale If-Range: the whole file.
    const multi = await download(w.client, evidence.id, { headers: { range: 'bytes=0-1,10-11' } });
    expect(multi.status).toBe(200);
    expect(multi.bytes.equals(text)).toBe(true);
    const stale = await download(w.client, evidence.id, {
      headers: { range: 'bytes=0-1', 'if-range': '"not-this-one"' },
    });
    expect(stale.status).toBe(200);
    const fresh = await download(w.client, evidence.id, {
      headers: { range: 'bytes=0-1', 'if-range': `"${evidence.sha256}"` },
    });
    expect(fresh.status).toBe(206);
  });

  it('types files by their bytes: a renamed executable is 415 and leaves nothing behind', async () => {
    const before = await gridfsCounts(server);
    const res = await upload(w.client, d.id, exe(), 'holiday.png', { claimedType: 'image/png' });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    expect(await gridfsCounts(server)).toEqual(before);

    const text = Buffer.from('plain words\n');
    expect((await upload(w.client, d.id, text, 'notes.md')).status).toBe(415);
    expect((await upload(w.client, d.id, Buffer.from([0x61, 0xff, 0xfe]), 'a.txt')).status).toBe(
      415,
    );
    expect((await upload(w.client, d.id, Buffer.from('a,b\0c\n'), 'a.csv')).status).toBe(415);
    expect((await uploaded(w.client, d.id, text, 'notes.csv')).contentType).toBe('text/csv');
    expect((await uploaded(w.client, d.id, office('docx'), 'brief.docx')).contentType).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect((await uploaded(w.client, d.id, office('xlsx', true), 'sums.zip')).contentType).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(await gridfsCounts(server)).toEqual({
      files: before.files + 3,
      chunks: before.chunks + 3,
    });
  });

  it('checks UTF-8 across the whole of a large CSV, not just its start', async () => {
    const row = 'Zoë,東京,🙂,12.50\n';
    const good = Buffer.from(row.repeat(Math.ceil((3 * MiB) / Buffer.byteLength(row))));
    expect((await uploaded(w.client, d.id, good, 'rows.csv')).contentType).toBe('text/csv');
    const bad = Buffer.concat([good, Buffer.from([0xc3])]);
    const before = await gridfsCounts(server);
    expect((await upload(w.client, d.id, bad, 'rows.csv')).status).toBe(415);
    expect(await gridfsCounts(server)).toEqual(before);
  });

  it('stores a traversal filename as its last segment and serves it with a safe header', async () => {
    const bytes = pdf();
    const evidence = await uploaded(w.client, d.id, bytes, '../../x.pdf');
    expect(evidence.filename).toBe('x.pdf');
    expect(evidence.contentType).toBe('application/pdf');
    const got = await download(w.client, evidence.id);
    expect(got.headers.get('content-disposition')).toBe('attachment; filename=x.pdf');
    expect(got.bytes.equals(bytes)).toBe(true);

    const odd = await uploaded(w.client, d.id, pdf(), 'Rechnung März.pdf.html');
    expect(odd.filename).toBe('Rechnung März.pdf.html.pdf');
    const header = (await download(w.client, odd.id)).headers.get('content-disposition')!;
    expect(header).toBe(
      `attachment; filename="Rechnung Marz.pdf.html.pdf"; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf.html.pdf`,
    );
  });

  it('honours inline disposition for images and PDF only', async () => {
    const image = await uploaded(w.client, d.id, png(), 'shot.png');
    const doc = await uploaded(w.client, d.id, pdf(), 'contract.pdf');
    const text = await uploaded(w.client, d.id, Buffer.from('<script>alert(1)</script>'), 'x.txt');
    const inline = { query: '?disposition=inline' };
    expect((await download(w.client, image.id, inline)).headers.get('content-disposition')).toBe(
      'inline; filename=shot.png',
    );
    expect((await download(w.client, doc.id, inline)).headers.get('content-disposition')).toBe(
      'inline; filename=contract.pdf',
    );
    const plain = await download(w.client, text.id, inline);
    expect(plain.headers.get('content-disposition')).toBe('attachment; filename=x.txt');
    expect(plain.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await download(w.client, text.id, { query: '?disposition=bogus' })).status).toBe(400);
  });

  it('refuses an empty file (400), a missing file (400) and a JSON body (415)', async () => {
    const before = await gridfsCounts(server);
    const empty = await upload(w.client, d.id, new Uint8Array(0), 'empty.txt');
    expect(empty.status).toBe(400);
    expect(empty.body.error.details).toEqual([{ path: 'file', message: 'the file is empty' }]);

    const noFile = await fetch(`${server.url}/api/disputes/${d.id}/evidence`, {
      method: 'POST',
      body: (() => {
        const f = new FormData();
        f.append('channel', 'joint');
        return f;
      })(),
      headers: { cookie: w.client.cookie! },
    });
    expect(noFile.status).toBe(400);

    const json = await w.client.post(`/api/disputes/${d.id}/evidence`, { file: 'x' });
    expect(json.status).toBe(415);
    expect(await gridfsCounts(server)).toEqual(before);
  });

  it('takes the fields in any order: a channel after the file decides as if it came first', async () => {
    const before = await gridfsCounts(server);
    // What browsers and `curl -F` send when the file is appended first.
    const late = await uploaded(w.client, d.id, png(), 'late.png', {
      channel: 'caucus:client',
      description: 'said afterwards',
      fieldsLast: true,
    });
    expect(late).toMatchObject({ channel: 'caucus:client', description: 'said afterwards' });
    expect(
      (await w.client.get(`/api/disputes/${d.id}/evidence?channel=caucus:client`)).body.evidence,
    ).toContainEqual(expect.objectContaining({ id: late.id }));
    expect(await gridfsCounts(server)).toEqual({
      files: before.files + 1,
      chunks: before.chunks + 1,
    });

    // Refusals decided by a late field keep nothing: a channel the client may not write
    // (403), an unknown channel (400), an unknown field (400).
    for (const [opts, status] of [
      [{ channel: 'internal' }, 403],
      [{ channel: 'caucus:freelancer' }, 403],
      [{ channel: 'nowhere' }, 400],
    ] as const) {
      const res = await upload(w.client, d.id, pdf(), 'refused.pdf', { ...opts, fieldsLast: true });
      expect(res.status, JSON.stringify(opts)).toBe(status);
    }
    expect(await gridfsCounts(server)).toEqual({
      files: before.files + 1,
      chunks: before.chunks + 1,
    });
  });

  it('stores the same bytes once per dispute but lists each upload with its uploader', async () => {
    const bytes = pdf();
    const before = await gridfsCounts(server);
    const mine = await uploaded(w.client, d.id, bytes, 'invoice.pdf');
    const theirs = await uploaded(w.freelancer, d.id, bytes, 'same-invoice.pdf');
    // Two at once, of bytes not seen before: the unique insert still keeps one copy.
    const fresh = pdf();
    const racing = await Promise.all([
      uploaded(w.client, d.id, fresh, 'again.pdf'),
      uploaded(w.freelancer, d.id, fresh, 'again.pdf'),
    ]);
    expect(await gridfsCounts(server)).toEqual({
      files: before.files + 2,
      chunks: before.chunks + 2,
    });
    expect(racing.map((e) => e.sha256)).toEqual([sha256(fresh), sha256(fresh)]);
    expect(racing.map((e) => e.uploaderId)).toEqual([w.client.user!.id, w.freelancer.user!.id]);
    expect(theirs.id).not.toBe(mine.id);
    expect([mine.sha256, theirs.sha256]).toEqual([sha256(bytes), sha256(bytes)]);
    expect(mine.uploaderId).toBe(w.client.user!.id);
    expect(theirs.uploaderId).toBe(w.freelancer.user!.id);
    const listed = (await w.mediator.get(`/api/disputes/${d.id}/evidence?channel=joint`)).body
      .evidence as Evidence[];
    expect(listed.filter((e) => e.sha256 === mine.sha256).map((e) => e.uploaderId)).toEqual([
      w.client.user!.id,
      w.freelancer.user!.id,
    ]);
    for (const e of [mine, theirs]) {
      expect((await download(w.mediator, e.id)).bytes.equals(bytes)).toBe(true);
    }
    for (const e of racing) {
      expect((await download(w.client, e.id)).bytes.equals(fresh)).toBe(true);
    }
    await chainsVerify(d.id);
  });
});

describe('who sees what', () => {
  let d: Dispute;
  let secret: Evidence;
  beforeAll(async () => {
    d = await disputeInMediation(w, await newContract(w));
    secret = await uploaded(w.freelancer, d.id, pdf(), 'private.pdf', {
      channel: 'caucus:freelancer',
    });
  });

  it('keeps caucus evidence within its audience: others get 404 for list and content', async () => {
    expect(secret.channel).toBe('caucus:freelancer');
    const asClient = await w.client.get(`/api/disputes/${d.id}/evidence?channel=caucus:freelancer`);
    expect(asClient.status).toBe(404);
    const all = await w.client.get(`/api/disputes/${d.id}/evidence`);
    expect(all.status).toBe(200);
    expect(all.body.evidence.map((e: Evidence) => e.id)).not.toContain(secret.id);
    const denied = await download(w.client, secret.id);
    expect(denied.status).toBe(404);
    expect(JSON.parse(denied.bytes.toString()).error.code).toBe('not_found');
    expect((await download(w.stranger, secret.id)).status).toBe(404);
    expect((await download(w.otherMediator, secret.id)).status).toBe(404);

    for (const reader of [w.ops, w.mediator, w.freelancer, w.admin]) {
      const list = await reader.get(`/api/disputes/${d.id}/evidence?channel=caucus:freelancer`);
      expect(list.body.evidence.map((e: Evidence) => e.id)).toEqual([secret.id]);
      expect((await download(reader, secret.id)).status).toBe(200);
    }
    // The evidence entry went only into the caucus.
    const caucus = await w.freelancer.get(
      `/api/disputes/${d.id}/messages?channel=caucus:freelancer`,
    );
    expect(caucus.body.messages.at(-1)).toMatchObject({
      kind: 'evidence',
      evidenceIds: [secret.id],
    });
    const joint = await w.client.get(`/api/disputes/${d.id}/messages?channel=joint`);
    expect(JSON.stringify(joint.body)).not.toContain(secret.id);
  });

  it('orders its checks: 401, 404, 403, 400, then 409', async () => {
    const bytes = png();
    expect((await upload(null, d.id, bytes, 'a.png')).status).toBe(401);
    expect((await upload(w.stranger, d.id, bytes, 'a.png')).status).toBe(404);
    expect(
      (await upload(w.client, 'nope', bytes, 'a.png', { channel: 'caucus:freelancer' })).status,
    ).toBe(404);
    expect(
      (await upload(w.client, d.id, bytes, 'a.png', { channel: 'caucus:freelancer' })).status,
    ).toBe(403);
    expect((await upload(w.ops, d.id, bytes, 'a.png', { channel: 'joint' })).status).toBe(403);
    expect((await upload(w.client, d.id, bytes, 'a.png', { channel: 'lobby' })).status).toBe(400);
    expect(
      (await upload(w.client, d.id, bytes, 'a.png', { description: 'x'.repeat(2_001) })).status,
    ).toBe(400);

    const withdrawn = await fileDispute(w, w.client, await newContract(w));
    expect((await w.client.post(`/api/disputes/${withdrawn.id}/withdraw`)).status).toBe(200);
    const before = await gridfsCounts(server);
    expect(
      (await upload(w.client, withdrawn.id, bytes, 'a.png', { channel: 'caucus:freelancer' }))
        .status,
    ).toBe(403);
    const closed = await upload(w.client, withdrawn.id, bytes, 'a.png');
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('conflict');
    expect(await gridfsCounts(server)).toEqual(before);
  });

  it('attaches evidence to a message only when every reader of the channel may see it', async () => {
    const joint = await uploaded(w.client, d.id, pdf(), 'shared.pdf');
    const other = await disputeInMediation(w, await newContract(w));
    const foreign = await uploaded(w.client, other.id, pdf(), 'elsewhere.pdf');

    const send = (c: ApiClient, channel: string, evidenceIds: string[]) =>
      c.post(`/api/disputes/${d.id}/messages`, {
        channel,
        body: 'see attached',
        clientMsgId: randomBytes(6).toString('hex'),
        evidenceIds,
      });

    const bad = await send(w.client, 'joint', [joint.id, foreign.id]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details).toEqual([
      { path: 'evidenceIds.1', message: expect.any(String) },
    ]);
    // The mediator may read the freelancer's caucus, but the client could not: not in joint.
    const leak = await send(w.mediator, 'joint', [secret.id]);
    expect(leak.status).toBe(400);
    expect(leak.body.error.details[0].path).toBe('evidenceIds.0');
    expect((await send(w.client, 'joint', ['does-not-exist'])).status).toBe(400);

    const ok = await send(w.freelancer, 'caucus:freelancer', [secret.id, joint.id]);
    expect(ok.status).toBe(201);
    expect(ok.body.message.evidenceIds).toEqual([secret.id, joint.id]);
    const stored = await server.domain.log.byId(ok.body.message.id);
    expect(stored!.evidenceSha256).toEqual([secret.sha256, joint.sha256]);
    await chainsVerify(d.id);
  });
});

describe('limits', () => {
  it('answers 413 past EVIDENCE_MAX_BYTES and removes every chunk already written', async () => {
    const d = await fileDispute(lw);
    // Past the sniffing window and past two chunks, so chunks were written before the limit.
    const bytes = zip([{ name: 'big.bin', data: randomBytes(4 * MiB) }]);
    const res = await upload(lw.client, d.id, bytes, 'big.zip', {}, limited);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(await gridfsCounts(limited)).toEqual({ files: 0, chunks: 0 });
    const evidence = await lw.client.get(`/api/disputes/${d.id}/evidence`);
    expect(evidence.body.evidence).toEqual([]);
    // The same when the channel follows the file (the file waits aside, cut at the limit).
    const late = await upload(
      lw.client,
      d.id,
      bytes,
      'big.zip',
      { channel: 'joint', fieldsLast: true },
      limited,
    );
    expect(late.status).toBe(413);
    expect(await gridfsCounts(limited)).toEqual({ files: 0, chunks: 0 });

    // Types outside EVIDENCE_TYPES are refused there.
    expect((await upload(lw.client, d.id, png(), 'a.png', {}, limited)).status).toBe(415);
  });

  it('removes what was stored when the uploader goes away mid-file', async () => {
    const d = await fileDispute(lw, lw.client, await newContract(lw));
    const boundary = 'x-boundary-x';
    // The channel first, so the file streams straight into GridFS as it arrives.
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="channel"\r\n\r\njoint\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.zip"\r\n` +
        'Content-Type: application/zip\r\n\r\n',
    );
    const start = zip([{ name: 'a.bin', data: randomBytes(2 * MiB) }]).subarray(0, 2 * MiB);
    const controller = new AbortController();
    let sent!: () => void;
    const allSent = new Promise<void>((resolve) => (sent = resolve));
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(head);
        c.enqueue(start);
        sent();
      },
    });
    const request = fetch(`${limited.url}/api/disputes/${d.id}/evidence`, {
      method: 'POST',
      body,
      headers: {
        cookie: lw.client.cookie!,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      signal: controller.signal,
      duplex: 'half',
    } as RequestInit);
    await allSent;
    // Wait until a chunk is in GridFS, then hang up.
    for (let i = 0; i < 100 && (await gridfsCounts(limited)).chunks === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await gridfsCounts(limited)).chunks).toBeGreaterThan(0);
    controller.abort();
    await request.catch(() => undefined);
    let counts = await gridfsCounts(limited);
    for (let i = 0; i < 100 && counts.chunks + counts.files > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      counts = await gridfsCounts(limited);
    }
    expect(counts).toEqual({ files: 0, chunks: 0 });
  });

  it('limits uploads per user per hour (429)', async () => {
    const d = await fileDispute(lw, lw.client, await newContract(lw));
    const statuses: number[] = [];
    for (let i = 0; i < UPLOAD_LIMIT + 1; i++) {
      statuses.push((await upload(lw.freelancer, d.id, pdf(), `n${i}.pdf`, {}, limited)).status);
    }
    expect(statuses).toEqual([...Array(UPLOAD_LIMIT).fill(201), 429]);
    const limitedRes = await upload(lw.freelancer, d.id, pdf(), 'more.pdf', {}, limited);
    expect(limitedRes.body.error.code).toBe('rate_limited');
  });
});
