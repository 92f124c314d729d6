import { connect } from 'node:net';
import getPort from 'get-port';
import type { ParsedMail } from 'mailparser';
import { createTransport, type SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Channel, Dispute, Message } from '@dispute-room/shared';
import type { RunningServer } from '../server.js';
import type { ApiClient } from '../../test/api-client.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';
import { startSmtpSink, type SmtpSink } from '../../test/smtp-sink.js';
import { disputeInMediation, makeWorld, newContract, type World } from '../../test/world.js';

const REPLY_DOMAIN = 'reply.dispute-room.test';
const EVIDENCE_MAX_BYTES = 256 * 1024;
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

let server: RunningServer;
let w: World;
let sink: SmtpSink;
let inboundPort: number;
/** The server's clock runs this far ahead of real time (reply addresses expire). */
let offset = 0;

beforeAll(async () => {
  sink = await startSmtpSink();
  inboundPort = await getPort();
  server = await startTestServer({
    clock: { now: () => new Date(Date.now() + offset) },
    env: {
      SMTP_URL: sink.url,
      REPLY_DOMAIN,
      SMTP_INBOUND_PORT: String(inboundPort),
      EVIDENCE_MAX_BYTES: String(EVIDENCE_MAX_BYTES),
      MAIL_BACKOFF_MS: '50',
    },
  });
  w = await makeWorld(server);
  for (const who of [w.client, w.freelancer, w.mediator]) {
    const current = (await who.get('/api/me/preferences')).body.preferences;
    await who.request('PUT', '/api/me/preferences', { ...current, email: 'immediate' });
  }
});
afterAll(async () => {
  await stopTestServer(server);
  await sink.close();
});

const email = (who: ApiClient) => who.user!.email;

interface Thread {
  dispute: Dispute;
  /** The Reply-To of the notification mail the recipient got. */
  address: string;
  mail: ParsedMail;
}

/** A dispute in mediation where `author` wrote in `channel` and `recipient` was mailed about it. */
async function mailedAbout(
  author: ApiClient,
  recipient: ApiClient,
  channel: Channel,
): Promise<Thread> {
  const dispute = await disputeInMediation(w, await newContract(w));
  const res = await author.post(`/api/disputes/${dispute.id}/messages`, {
    channel,
    body: 'Can you confirm which pages are missing?',
    clientMsgId: `ask-${dispute.id}`,
  });
  expect(res.status).toBe(201);
  const mail = await vi.waitFor(
    () => {
      const found = sink.mails.find(
        (m) =>
          m.to &&
          'text' in m.to &&
          m.to.text === email(recipient) &&
          m.subject?.includes(dispute.number) &&
          m.replyTo,
      );
      expect(found).toBeDefined();
      return found!;
    },
    { timeout: 15_000, interval: 100 },
  );
  return { dispute, address: mail.replyTo!.value[0]!.address!, mail };
}

function gmailReply(
  t: Thread,
  from: ApiClient,
  text: string,
  extra: SendMailOptions = {},
): SendMailOptions {
  return {
    from: `${from.user!.name} <${email(from)}>`,
    to: t.address,
    subject: `Re: ${t.mail.subject}`,
    inReplyTo: t.mail.messageId,
    text:
      `${text}\n\nOn Tue, Dec 1, 2026 at 10:04 AM The dispute room <no-reply@dispute-room.test> wrote:\n` +
      `> ${t.mail.subject}\n>\n> Can you confirm which pages are missing?\n`,
    ...extra,
  };
}

async function raw(options: SendMailOptions): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

const smtp = () =>
  createTransport({ host: '127.0.0.1', port: inboundPort, secure: false, ignoreTLS: true });

/** Over SMTP: the server's answer (250 or the refusal's code). */
async function deliver(options: SendMailOptions): Promise<{ code: number; response: string }> {
  const transport = smtp();
  try {
    const info = await transport.sendMail(options);
    return { code: 250, response: info.response };
  } catch (err) {
    const e = err as { responseCode?: number; response?: string; message: string };
    return { code: e.responseCode ?? 0, response: e.response ?? e.message };
  } finally {
    transport.close();
  }
}

/** Over HTTP, as a provider's inbound hook posts it. */
function post(body: Buffer | string, as: ApiClient = w.admin, type = 'message/rfc822') {
  return as.request('POST', '/api/inbound/email', body.toString(), { 'content-type': type });
}

async function messages(t: Thread, channel: Channel, as: ApiClient): Promise<Message[]> {
  const res = await as.get(`/api/disputes/${t.dispute.id}/messages?channel=${channel}`);
  expect(res.status).toBe(200);
  return res.body.messages as Message[];
}

/** Everything a reply could store: entries of every channel, evidence records and files. */
async function stored() {
  const db = server.ctx.conn.db!;
  const [entries, evidence, files] = await Promise.all([
    db.collection('messages').countDocuments(),
    db.collection('evidence').countDocuments(),
    db.collection('evidence.files').countDocuments(),
  ]);
  return { entries, evidence, files };
}

describe('replies by email over SMTP', () => {
  it('a reply lands in its channel as the recipient, quote stripped, the attachment as evidence', async () => {
    const t = await mailedAbout(w.freelancer, w.client, 'joint');
    expect(t.address).toMatch(new RegExp(`^reply\\+[a-z0-9-]+@${REPLY_DOMAIN}$`));
    const result = await deliver(
      gmailReply(t, w.client, 'Pages 3 and 4 are missing, see the screenshot.\n\nThanks,\nCarla', {
        attachments: [{ filename: 'missing-pages.png', content: PNG }],
        messageId: `<CAF${t.dispute.id}@mail.gmail.com>`,
      }),
    );
    expect(result.code).toBe(250);
    const joint = await messages(t, 'joint', w.client);
    const reply = joint.find((m) => m.kind === 'text' && m.authorId === w.client.user!.id)!;
    expect(reply.body).toBe('Pages 3 and 4 are missing, see the screenshot.\n\nThanks,\nCarla');
    expect(result.response).toContain(reply.id);
    expect(reply.evidenceIds).toHaveLength(1);
    const evidence = (await w.client.get(`/api/disputes/${t.dispute.id}/evidence`)).body.evidence;
    expect(evidence).toEqual([
      expect.objectContaining({
        id: reply.evidenceIds[0],
        channel: 'joint',
        filename: 'missing-pages.png',
        contentType: 'image/png',
        uploaderId: w.client.user!.id,
      }),
    ]);
  });

  it('a reply to a caucus notification stays in that caucus', async () => {
    const t = await mailedAbout(w.mediator, w.client, 'caucus:client');
    expect(
      (
        await deliver(
          gmailReply(t, w.client, 'Between us: I would settle for 300.', {
            messageId: `<caucus-${t.dispute.id}@mail.gmail.com>`,
          }),
        )
      ).code,
    ).toBe(250);
    const caucus = await messages(t, 'caucus:client', w.client);
    expect(caucus.map((m) => m.body)).toContain('Between us: I would settle for 300.');
    const joint = await messages(t, 'joint', w.client);
    expect(joint.some((m) => m.body.includes('settle for 300'))).toBe(false);
  });

  it('the same mail delivered twice is stored once', async () => {
    const t = await mailedAbout(w.freelancer, w.client, 'joint');
    const mail = gmailReply(t, w.client, 'Confirmed, once.', {
      messageId: `<twice-${t.dispute.id}@mail.gmail.com>`,
      attachments: [{ filename: 'proof.png', content: PNG }],
    });
    const first = await deliver(mail);
    const before = await stored();
    const second = await deliver(mail);
    expect([first.code, second.code]).toEqual([250, 250]);
    expect(await stored()).toEqual(before);
    const joint = await messages(t, 'joint', w.client);
    expect(joint.filter((m) => m.body === 'Confirmed, once.')).toHaveLength(1);
    expect(second.response).toContain(joint.find((m) => m.body === 'Confirmed, once.')!.id);
  });

  it('an auto-reply is dropped without a bounce', async () => {
    const t = await mailedAbout(w.freelancer, w.client, 'joint');
    const before = await stored();
    const outOfOffice = await deliver({
      from: email(w.client),
      to: t.address,
      subject: 'Automatic reply: New messages',
      text: 'I am out of the office until Monday.',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    const bySubject = await deliver({
      from: email(w.client),
      to: t.address,
      subject: 'Out of Office: back on 4 January',
      text: 'I am away.',
    });
    const bulk = await deliver({
      from: email(w.client),
      to: t.address,
      subject: 'Re: New messages',
      text: 'Thank you for your message.',
      headers: { Precedence: 'auto_reply' },
    });
    expect([outOfOffice.code, bySubject.code, bulk.code]).toEqual([250, 250, 250]);
    expect(await stored()).toEqual(before);
  });

  it('every bad reply is bounced with 550 and stores nothing', async () => {
    const t = await mailedAbout(w.freelancer, w.client, 'joint');
    const m = await mailedAbout(w.client, w.mediator, 'caucus:client');
    const tampered = t.address.replace(
      /-([a-f0-9])([a-f0-9]{19})@/,
      (_s, c: string, rest: string) => `-${c === 'a' ? 'b' : 'a'}${rest}@`,
    );
    const cases: [string, SendMailOptions, RegExp][] = [
      ['a forged token', gmailReply(t, w.client, 'Hello', { to: tampered }), /not valid/],
      ['another sender', gmailReply(t, w.freelancer, 'I am not Carla'), /another sender/],
      [
        'another envelope sender',
        gmailReply(t, w.client, 'Hello', {
          envelope: { from: email(w.stranger), to: [t.address] },
        }),
        /another sender/,
      ],
      ['only the quote', gmailReply(t, w.client, ''), /no text of its own/],
      [
        'a type evidence does not take',
        gmailReply(t, w.client, 'Here is the tool', {
          attachments: [
            { filename: 'tool.exe', content: Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00') },
          ],
        }),
        /not accepted/,
      ],
    ];
    const before = await stored();
    for (const [name, mail, reason] of cases) {
      const result = await deliver(mail);
      expect({ name, code: result.code }).toEqual({ name, code: 550 });
      expect(result.response).toMatch(reason);
    }
    // A channel the user may no longer write: the mediator was replaced.
    const reassigned = await w.admin.post(`/api/disputes/${m.dispute.id}/assign`, {
      mediatorId: w.otherMediator.user!.id,
    });
    expect(reassigned.status).toBe(200);
    const before2 = await stored();
    expect(await deliver(gmailReply(m, w.mediator, 'Still here?'))).toMatchObject({
      code: 550,
      response: expect.stringMatching(/may no longer write/),
    });
    expect(await stored()).toEqual(before2);
    // A terminal dispute.
    expect((await w.client.post(`/api/disputes/${t.dispute.id}/withdraw`)).status).toBe(200);
    const before3 = await stored();
    expect(await deliver(gmailReply(t, w.client, 'Too late?'))).toMatchObject({
      code: 550,
      response: expect.stringMatching(/withdrawn/),
    });
    expect(await stored()).toEqual(before3);
    expect(before2.evidence).toBe(before.evidence);
    expect(before2.files).toBe(before.files);
    // Not a reply address: refused at RCPT (no relay).
    expect(
      (await deliver(gmailReply(t, w.client, 'Hi', { to: 'someone@example.test' }))).code,
    ).toBe(550);
  });

  it('an expired reply address is bounced', async () => {
    const t = await mailedAbout(w.freelancer, w.client, 'joint');
    const before = await stored();
    offset = 31 * 86_400_000;
    try {
      expect(await deliver(gmailReply(t, w.client, 'A month later'))).toMatchObject({
        code: 550,
        response: expect.stringMatching(/expired/),
      });
    } finally {
      offset = 0;
    }
    expect(await stored()).toEqual(before);
  });

  it('a mail over the size limit is refused before it is read', async () => {
    const t = await mailedAbout(w.freelancer, w.client, 'joint');
    const before = await stored();
    const big = gmailReply(t, w.client, 'Huge', {
      attachments: [{ filename: 'big.txt', content: Buffer.alloc(2 * 1024 * 1024, 'a') }],
    });
    expect((await deliver(big)).code).toBe(552);
    expect(await stored()).toEqual(before);
  });
  it('a client that drops the connection mid-mail stores nothing, and the next mail is taken', async () => {
    const t = await mailedAbout(w.freelancer, w.client, 'joint');
    const before = await stored();
    const socket = connect(inboundPort, '127.0.0.1');
    let heard = '';
    socket.on('data', (d: Buffer) => (heard += d.toString()));
    await vi.waitFor(() => expect(heard).toMatch(/^220 /m));
    socket.write('EHLO client.example.test\r\n');
    await vi.waitFor(() => expect(heard).toMatch(/^250 /m));
    socket.write(`MAIL FROM:<${email(w.client)}>\r\nRCPT TO:<${t.address}>\r\nDATA\r\n`);
    await vi.waitFor(() => expect(heard).toMatch(/^354 /m));
    socket.write(`From: ${email(w.client)}\r\nTo: ${t.address}\r\n\r\nHalf a rep`);
    socket.destroy();
    const next = await deliver(gmailReply(t, w.client, 'The whole reply.'));
    expect(next.code).toBe(250);
    const joint = await messages(t, 'joint', w.client);
    expect(joint.filter((m) => m.authorId === w.client.user!.id).map((m) => m.body)).toEqual([
      'The whole reply.',
    ]);
    expect((await stored()).evidence).toBe(before.evidence);
  });
});

describe('replies by email over HTTP (a provider hook)', () => {
  it('is accepted as 202 with the stored message, quote stripped (Outlook)', async () => {
    const t = await mailedAbout(w.freelancer, w.client, 'joint');
    const mime = await raw({
      from: email(w.client),
      to: t.address,
      subject: `RE: ${t.mail.subject}`,
      messageId: `<DB9PR${t.dispute.id}@eurprd.outlook.com>`,
      text:
        'Fine by me, please send the revised files.\r\n\r\n' +
        '________________________________\r\n' +
        'From: The dispute room <no-reply@dispute-room.test>\r\n' +
        'Sent: Tuesday, December 1, 2026 10:04 AM\r\n' +
        `To: ${email(w.client)}\r\n` +
        `Subject: ${t.mail.subject}\r\n\r\nCan you confirm which pages are missing?\r\n`,
      attachments: [{ filename: 'contract.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n') }],
    });
    const res = await post(mime);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: true, messageId: expect.any(String) });
    const joint = await messages(t, 'joint', w.client);
    const reply = joint.find((m) => m.id === res.body.messageId)!;
    expect(reply).toMatchObject({
      kind: 'text',
      channel: 'joint',
      authorId: w.client.user!.id,
      body: 'Fine by me, please send the revised files.',
    });
    expect(reply.evidenceIds).toHaveLength(1);
    // Delivered again by the hook: the same message, nothing more stored.
    const before = await stored();
    const again = await post(mime);
    expect(again.body).toEqual({ accepted: true, messageId: res.body.messageId });
    expect(await stored()).toEqual(before);
  });

  it('finds the reply address in Delivered-To when To is a list', async () => {
    const t = await mailedAbout(w.freelancer, w.client, 'joint');
    const res = await post(
      await raw({
        from: email(w.client),
        to: 'team@client.example.test',
        headers: { 'Delivered-To': t.address },
        subject: 'Re: pages',
        text: 'Forwarded through our team address.',
      }),
    );
    expect(res.status).toBe(202);
    expect((await messages(t, 'joint', w.client)).map((m) => m.body)).toContain(
      'Forwarded through our team address.',
    );
  });

  it('strips the quote headers of Gmail, Apple Mail, German Gmail and a signature', async () => {
    const t = await mailedAbout(w.freelancer, w.client, 'joint');
    const samples: [string, string][] = [
      [
        'Gmail, its header wrapped',
        'Sounds fair.\n\nOn Tue, Dec 1, 2026 at 10:04 AM The dispute room <\nno-reply@dispute-room.test> wrote:\n\n> Can you confirm?\n',
      ],
      [
        'Apple Mail on an iPhone',
        'Yes, I agree.\n\nSent from my iPhone\n\n> On 1 Dec 2026, at 10:04, The dispute room <no-reply@dispute-room.test> wrote:\n> \n> Can you confirm?\n',
      ],
      [
        'German Gmail',
        'Einverstanden.\n\nAm Di., 1. Dez. 2026 um 10:04 Uhr schrieb The dispute room <no-reply@dispute-room.test>:\n> Can you confirm?\n',
      ],
      ['a signature', 'Here is my answer.\n\n-- \nCarla Client\nClient & Co, Lisbon\n'],
    ];
    const expected = ['Sounds fair.', 'Yes, I agree.', 'Einverstanden.', 'Here is my answer.'];
    const ids: string[] = [];
    for (const [name, text] of samples) {
      const res = await post(
        await raw({ from: email(w.client), to: t.address, subject: `Re: ${name}`, text }),
      );
      expect({ name, status: res.status }).toEqual({ name, status: 202 });
      ids.push(res.body.messageId as string);
    }
    const joint = await messages(t, 'joint', w.client);
    expect(ids.map((id) => joint.find((m) => m.id === id)?.body)).toEqual(expected);
  });

  it('answers 422 for every bad mail and stores nothing; auto-replies 202 {accepted: false}', async () => {
    const t = await mailedAbout(w.freelancer, w.client, 'joint');
    const before = await stored();
    for (const [name, body] of [
      ['not a mail', Buffer.from('\x00\x01\x02 garbage \xff\xfe')],
      ['no reply address', await raw({ from: email(w.client), to: 'x@example.test', text: 'Hi' })],
      ['another sender', await raw({ from: email(w.stranger), to: t.address, text: 'Hi' })],
      [
        'only a signature',
        await raw({ from: email(w.client), to: t.address, text: '-- \nCarla\n' }),
      ],
      [
        'too long, with an attachment',
        await raw({
          from: email(w.client),
          to: t.address,
          text: 'x'.repeat(10_001),
          attachments: [{ filename: 'fine.png', content: PNG }],
        }),
      ],
      [
        'a broken MIME tree',
        `From: ${email(w.client)}\r\nTo: ${t.address}\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@@\r\n--x`,
      ],
    ] as const) {
      const res = await post(body);
      expect({ name, status: res.status, code: res.body?.error?.code }).toEqual({
        name,
        status: 422,
        code: 'unprocessable',
      });
    }
    const auto = await post(
      await raw({
        from: email(w.client),
        to: t.address,
        subject: 'Away',
        text: 'I am away',
        headers: { 'X-Autoreply': 'yes' },
      }),
    );
    expect(auto.status).toBe(202);
    expect(auto.body).toEqual({ accepted: false, messageId: null });
    expect(await stored()).toEqual(before);
  });

  it('is for admins (or integration tokens) only, and takes message/rfc822', async () => {
    const t = await mailedAbout(w.freelancer, w.client, 'joint');
    const mime = await raw({ from: email(w.client), to: t.address, text: 'By myself' });
    const before = await stored();
    expect((await post(mime, w.client)).status).toBe(403);
    expect((await post(mime, w.admin, 'text/plain')).status).toBe(415);
    const big = await raw({
      from: email(w.client),
      to: t.address,
      text: 'big',
      attachments: [{ filename: 'big.txt', content: Buffer.alloc(2 * 1024 * 1024, 'a') }],
    });
    expect((await post(big)).status).toBe(413);
    expect(await stored()).toEqual(before);
  });
});
