import type { Translate } from '@dispute-room/shared';
import escapeHtml from 'escape-html';
import mjml2html from 'mjml';

/** One mail as people read it: a subject, then text and HTML from the same content. */
export interface Mail {
  subject: string;
  text: string;
  html: string;
}

export interface MailItem {
  title: string;
  body: string;
  /** When it happened, already in the recipient's zone and language. */
  when: string;
  url: string;
}

/** A digest groups what was missed by dispute, then channel. */
export interface DigestGroup {
  title: string;
  url: string;
  channels: {
    name: string;
    url: string;
    messages: { author: string; when: string; body: string }[];
  }[];
  /** Other notifications of this dispute (state changes, proposals …). */
  items: MailItem[];
}

const e = (s: string) => escapeHtml(s);

const layout = (preview: string, content: string, settingsUrl: string, t: Translate) => `<mjml>
  <mj-head>
    <mj-preview>${e(preview)}</mj-preview>
    <mj-attributes>
      <mj-all font-family="Helvetica, Arial, sans-serif" />
      <mj-text font-size="15px" line-height="1.5" color="#1f2933" />
    </mj-attributes>
  </mj-head>
  <mj-body background-color="#f3f4f6">
    <mj-section><mj-column>
      <mj-text font-size="13px" color="#52606d">${e(t('app.name'))}</mj-text>
    </mj-column></mj-section>
    <mj-section background-color="#ffffff" padding="16px"><mj-column>${content}</mj-column></mj-section>
    <mj-section><mj-column>
      <mj-text font-size="12px" color="#7b8794">${e(t('mail.why'))}
        <a href="${e(settingsUrl)}">${e(t('mail.settings'))}</a>.</mj-text>
    </mj-column></mj-section>
  </mj-body>
</mjml>`;

const itemBlock = (item: MailItem, t: Translate) => `
      <mj-text font-size="17px" font-weight="bold">${e(item.title)}</mj-text>
      <mj-text>${e(item.body)}</mj-text>
      <mj-text font-size="12px" color="#7b8794">${e(item.when)}</mj-text>
      <mj-button href="${e(item.url)}" background-color="#2563eb" align="left">${e(t('mail.open'))}</mj-button>`;

async function render(markup: string): Promise<string> {
  const { html, errors } = await mjml2html(markup, { validationLevel: 'strict' });
  if (errors.length) throw new Error(`mail template: ${errors.map((x) => x.message).join('; ')}`);
  return html;
}

/** One notification as a mail, its frame in the recipient's language (`t`). */
export async function notificationMail(
  item: MailItem,
  opts: { settingsUrl: string; replyable: boolean; t: Translate },
): Promise<Mail> {
  const { t } = opts;
  const reply = opts.replyable ? `\n${t('mail.reply')}\n` : '';
  return {
    subject: item.title,
    text: `${item.title}\n\n${item.body}\n\n${item.when}\n\n${t('mail.open')}: ${item.url}\n${reply}\n--\n${t('mail.settings')}: ${opts.settingsUrl}\n`,
    html: await render(
      layout(
        item.body,
        itemBlock(item, t) +
          (opts.replyable
            ? `<mj-text font-size="13px" color="#52606d">${e(t('mail.reply'))}</mj-text>`
            : ''),
        opts.settingsUrl,
        t,
      ),
    ),
  };
}

/** A digest in the recipient's language (`t`), plurals included. */
export async function digestMail(
  groups: DigestGroup[],
  opts: { settingsUrl: string; window: string; t: Translate },
): Promise<Mail> {
  const { t } = opts;
  const messageCount = groups.reduce(
    (n, g) => n + g.channels.reduce((m, c) => m + c.messages.length, 0),
    0,
  );
  const subject =
    messageCount > 0
      ? t('mail.digestSubject', {
          messages: t('mail.newMessages', { count: messageCount }),
          disputes: t('mail.inDisputes', { count: groups.length }),
        })
      : t('mail.digestNoMessages', { window: opts.window });
  const text = [
    subject,
    '',
    ...groups.flatMap((g) => [
      `== ${g.title} ==`,
      ...g.items.flatMap((i) => [`* ${i.title} (${i.when})`, `  ${i.body}`]),
      ...g.channels.flatMap((c) => [
        '',
        `-- ${c.name} (${c.url})`,
        ...c.messages.map((m) => `[${m.when}] ${m.author}: ${m.body}`),
      ]),
      '',
      `${t('mail.openShort')}: ${g.url}`,
      '',
    ]),
    '--',
    `${t('mail.settings')}: ${opts.settingsUrl}`,
    '',
  ].join('\n');
  const content = groups
    .map(
      (g) => `
      <mj-text font-size="17px" font-weight="bold"><a href="${e(g.url)}">${e(g.title)}</a></mj-text>
      ${g.items.map((i) => `<mj-text><strong>${e(i.title)}</strong> · ${e(i.when)}<br />${e(i.body)}</mj-text>`).join('')}
      ${g.channels
        .map(
          (
            c,
          ) => `<mj-text font-size="13px" color="#52606d"><a href="${e(c.url)}">${e(c.name)}</a></mj-text>
      ${c.messages.map((m) => `<mj-text padding-top="0"><strong>${e(m.author)}</strong> <span style="color:#7b8794">${e(m.when)}</span><br />${e(m.body)}</mj-text>`).join('')}`,
        )
        .join('')}
      <mj-divider border-width="1px" border-color="#e4e7eb" />`,
    )
    .join('');
  return { subject, text, html: await render(layout(subject, content, opts.settingsUrl, t)) };
}
