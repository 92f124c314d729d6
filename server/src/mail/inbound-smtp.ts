import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Context } from '../context.js';
import { isTemporary, type RepliesByEmail } from './inbound.js';

export interface InboundSmtp {
  port: number;
  close(): Promise<void>;
}

const smtpError = (responseCode: number, message: string) =>
  Object.assign(new Error(message), { responseCode });

/**
 * Replies by email over SMTP on SMTP_INBOUND_PORT (unset: none). Only reply addresses are
 * taken as recipients (this is no relay); what a mail says is judged once it is whole: a
 * refusal is a 550 bounce, a passing problem (rate limit, database away) a 451 the sending
 * server retries.
 */
export async function listenInboundSmtp(
  ctx: Context,
  replies: RepliesByEmail,
): Promise<InboundSmtp | null> {
  const port = ctx.config.SMTP_INBOUND_PORT;
  if (port === undefined) return null;
  const server = new SMTPServer({
    name: ctx.config.REPLY_DOMAIN,
    banner: 'the dispute room: replies by email',
    size: replies.maxBytes,
    // Mail servers deliver without logging in; a reply is authenticated by its signed address.
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    maxClients: 50,
    socketTimeout: 60_000,
    // A stopping server waits this long for deliveries in progress.
    closeTimeout: 5_000,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (replies.tokenOf(address.address) === null)
        return callback(smtpError(550, 'no such mailbox here'));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes <= replies.maxBytes) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded || bytes > replies.maxBytes)
          return callback(smtpError(552, `the mail is larger than ${replies.maxBytes} bytes`));
        const envelope = {
          recipients: session.envelope.rcptTo.map((a) => a.address),
          sender: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        };
        replies.receive(Buffer.concat(chunks), envelope).then(
          (result) =>
            callback(
              null,
              result.accepted ? `stored as message ${result.messageId}` : 'auto-reply dropped',
            ),
          (err: unknown) => {
            if (isTemporary(err)) {
              ctx.log.warn({ err }, 'an inbound reply could not be stored now');
              return callback(smtpError(451, 'try again later'));
            }
            ctx.log.info({ reason: (err as Error).message }, 'an inbound reply was refused');
            callback(smtpError(550, (err as Error).message));
          },
        );
      });
    },
  });
  // A broken connection is that client's problem, never the server's.
  server.on('error', (err) => ctx.log.warn({ err }, 'inbound SMTP'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, ctx.config.HOST, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.server.address() as AddressInfo).port;
  ctx.log.info({ port: bound }, 'inbound SMTP for replies by email');
  return {
    port: bound,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
