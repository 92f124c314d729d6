import { createServer } from 'node:net';
import { MailDev } from 'maildev';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

export interface MailCatcher {
  webUrl: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * SMTP_URL when set; otherwise, on a development start (the embedded default of `pnpm start`),
 * a local mail catcher (MailDev, in this process) that keeps what the server sends and shows
 * it on a web page, so a newcomer can read every mail. Anywhere else (production, tests) no
 * mail is sent without SMTP_URL: a catcher there would only hide that mail is not configured.
 * Returns the config with SMTP_URL filled in when a catcher runs.
 */
export async function openMail(
  config: Config,
  log: Logger,
): Promise<{ config: Config; catcher: MailCatcher | null }> {
  if (config.SMTP_URL) return { config, catcher: null };
  if (config.NODE_ENV !== 'development') {
    log.info('SMTP_URL not set: no email is sent (in-app notifications only)');
    return { config, catcher: null };
  }
  const start = async (web: number) => {
    const smtp = await freePort();
    const maildev = new MailDev({
      smtp,
      web,
      ip: '127.0.0.1',
      webIp: '127.0.0.1',
      silent: true,
    } as ConstructorParameters<typeof MailDev>[0]);
    await maildev.start();
    return { smtp, web, maildev };
  };
  // The usual page first; taken (another instance on this machine), any free port.
  const { smtp, web, maildev } = await start(config.MAIL_CATCHER_PORT || (await freePort())).catch(
    async () => start(await freePort()),
  );
  const webUrl = `http://127.0.0.1:${web}`;
  log.info({ webUrl }, 'SMTP_URL not set: mail goes to the local mail catcher');
  return {
    config: { ...config, SMTP_URL: `smtp://127.0.0.1:${smtp}` },
    catcher: { webUrl, stop: () => maildev.stop() },
  };
}
