import escapeHtml from 'escape-html';
import { createHash } from 'node:crypto';
import {
  auditEventLabel,
  formatMoney,
  howDecided,
  outcomeTitles,
  type Channel,
  type Message,
  type Transcript,
} from '@dispute-room/shared';

/**
 * Text a user wrote, isolated: its own direction (an Arabic name, a U+202E override) cannot
 * reorder the record around it. Bodies keep every character; only their display is contained.
 */
const userText = (text: string) => `<bdi>${escapeHtml(text)}</bdi>`;

const channelLabel: Record<Channel, string> = {
  joint: 'Joint',
  'caucus:client': 'Caucus · client',
  'caucus:freelancer': 'Caucus · freelancer',
  internal: 'Internal notes',
};

const money = (cents: number | null, currency: string) =>
  cents === null ? '—' : formatMoney(cents, currency, 'en-US');

const utc = (iso: string) => `${iso.replace('T', ' ').slice(0, 19)} UTC`;

/** The print view's only script: it opens the browser's print dialog once the page is shown. */
const printScript = 'window.addEventListener("load", function () { window.print(); });';
/** For the print view's Content-Security-Policy: this script and no other may run. */
export const printScriptHash = `'sha256-${createHash('sha256').update(printScript).digest('base64')}'`;

const NAME = '\uE000';

/**
 * The whole record as one printable page (print to PDF for arbitration). Everything is
 * escaped, and everything a user wrote (names, titles, bodies, notes) is isolated.
 */
export function transcriptHtml(
  t: Transcript,
  generatedAt: Date,
  options: { print?: boolean } = {},
): string {
  const d = t.dispute;
  const filenameOf = new Map(t.evidence.map((e) => [e.id, e.filename]));
  const byAge = [...t.proposals].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const proposalNumber = (id: string | null) => {
    const index = byAge.findIndex((p) => p.id === id);
    return index < 0 ? null : index + 1;
  };
  /** Already HTML: never escaped again. */
  const who = (id: string | null) => {
    if (!id) return 'system';
    const p = t.participants[id];
    return p ? `${userText(p.name)} (${escapeHtml(p.role)})` : escapeHtml(id);
  };
  const byTime = [...t.messages].sort(
    (a, b) =>
      a.createdAt.localeCompare(b.createdAt) || a.channel.localeCompare(b.channel) || a.seq - b.seq,
  );
  const row = (m: Message) => `
      <tr class="${m.kind}">
        <td>${escapeHtml(utc(m.createdAt))}</td>
        <td>${escapeHtml(channelLabel[m.channel])} #${m.seq}</td>
        <td>${who(m.authorId)}</td>
        <td><div class="body" dir="auto">${escapeHtml(m.originalBody ?? m.body)}</div>${
          m.editedAt
            ? `<div class="edited">edited ${escapeHtml(utc(m.editedAt))}: <span class="body" dir="auto">${escapeHtml(m.body)}</span></div>`
            : ''
        }${m.evidenceIds.length ? `<div class="evidence">evidence: ${m.evidenceIds.map((id) => userText(filenameOf.get(id) ?? id)).join(', ')}</div>` : ''}</td>
        <td class="hash">${escapeHtml(m.hash)}</td>
      </tr>`;
  const outcome = d.outcome;
  // howDecided words the sentence; a name in it is put back isolated like every other.
  const decided = outcome
    ? escapeHtml(
        howDecided(outcome, {
          nameOf: () => NAME,
          proposalNumber: proposalNumber(outcome.proposalId),
        }),
      ).replace(NAME, who(outcome.decidedBy))
    : '';
  const chain = t.chain.verified
    ? '<p class="ok">Hash chains verified: every channel is complete and unaltered.</p>'
    : `<p class="broken">Hash chain BROKEN: ${t.chain.broken.map((b) => `${escapeHtml(channelLabel[b.channel])} at seq ${b.seq}`).join('; ')}.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(d.number)} transcript</title>
<style>
  body { font: 12px/1.45 system-ui, sans-serif; color: #111; margin: 2rem; }
  h1 { font-size: 20px; margin: 0 0 .25rem; } h2 { font-size: 15px; margin: 1.5rem 0 .5rem; border-bottom: 1px solid #ccc; }
  table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #eee; padding: 4px 6px; text-align: left; vertical-align: top; }
  tr.system td, tr.proposal td { color: #555; font-style: italic; }
  .hash { font-family: ui-monospace, monospace; font-size: 10px; color: #444; word-break: break-all; }
  .ok { color: #0a6b2c; font-weight: 600; } .broken { color: #b00020; font-weight: 700; }
  .edited, .evidence { color: #555; font-size: 11px; } .body { white-space: pre-wrap; }
  @media print { body { margin: 0; } a { color: inherit; } }
</style>${options.print ? `\n<script>${printScript}</script>` : ''}
</head>
<body>
<h1>Dispute ${escapeHtml(d.number)} — ${userText(d.contractTitle)}</h1>
<p>State <strong>${escapeHtml(d.state)}</strong>${
    outcome
      ? `, outcome <strong>${escapeHtml(outcomeTitles[outcome.kind])}</strong> (client ${money(outcome.clientCents, d.currency)}, freelancer ${money(outcome.freelancerCents, d.currency)}): ${decided}, ${escapeHtml(utc(outcome.decidedAt))}`
      : ''
  }. Claim ${money(d.claimCents, d.currency)} of ${money(d.escrowCents, d.currency)} in escrow; reason ${escapeHtml(d.reason)}.</p>
<p>Claimant ${who(d.claimantId)}; respondent ${who(d.respondentId)}; mediator ${d.mediatorId ? who(d.mediatorId) : 'none'}. Filed ${escapeHtml(utc(d.createdAt))}.</p>
<p dir="auto">${escapeHtml(d.description)}</p>
${chain}
<h2>Before the dispute (imported from the marketplace)</h2>
${
  t.history.length
    ? `<table><thead><tr><th>Sent</th><th>Id</th><th>Author</th><th>Text</th></tr></thead><tbody>${t.history
        .map(
          (m) =>
            `<tr><td>${escapeHtml(utc(m.sentAt))}</td><td>${userText(m.externalId)}</td><td>${who(m.authorId)}</td><td><div class="body" dir="auto">${escapeHtml(m.body)}</div></td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p>No conversation was imported.</p>'
}
<p class="hash">History hash (sha256 of the canonical JSON of [{externalId, authorId, body, sentAt}] in order): ${escapeHtml(t.historyHash)}</p>
<h2>Messages (all channels, by time)</h2>
<table><thead><tr><th>Time</th><th>Channel</th><th>Author</th><th>Text</th><th>Hash</th></tr></thead><tbody>${byTime.map(row).join('')}
</tbody></table>
<h2>Evidence</h2>
<table><thead><tr><th>File</th><th>Type</th><th>Size</th><th>Channel</th><th>Uploaded by</th><th>SHA-256</th></tr></thead><tbody>${t.evidence
    .map(
      (e) =>
        `<tr><td>${userText(e.filename)}</td><td>${escapeHtml(e.contentType)}</td><td>${e.size}</td><td>${escapeHtml(channelLabel[e.channel])}</td><td>${who(e.uploaderId)}</td><td class="hash">${escapeHtml(e.sha256)}</td></tr>`,
    )
    .join('')}
</tbody></table>
<h2>Proposals</h2>
<table><thead><tr><th>#</th><th>Made</th><th>By</th><th>Client</th><th>Freelancer</th><th>Status</th><th>Accepted by</th></tr></thead><tbody>${t.proposals
    .map(
      (p) =>
        `<tr><td>${proposalNumber(p.id) ?? ''}</td><td>${escapeHtml(utc(p.createdAt))}</td><td>${who(p.authorId)}</td><td>${money(p.clientCents, d.currency)}</td><td>${money(p.freelancerCents, d.currency)}</td><td>${escapeHtml(p.status)}</td><td>${p.acceptedBy.map(who).join(', ')}</td></tr>`,
    )
    .join('')}
</tbody></table>
<h2>Audit trail</h2>
<table><thead><tr><th>#</th><th>Time</th><th>Event</th><th>By</th><th>From → to</th><th>Note</th></tr></thead><tbody>${t.audit
    .map(
      (a) =>
        `<tr><td>${a.version}</td><td>${escapeHtml(utc(a.at))}</td><td>${escapeHtml(auditEventLabel(a.type))}</td><td>${who(a.actorId === 'system' ? null : a.actorId)}</td><td>${escapeHtml(a.from)} → ${escapeHtml(a.to)}</td><td dir="auto">${escapeHtml(a.note)}</td></tr>`,
    )
    .join('')}
</tbody></table>
<h2>Feedback and QA</h2>
<ul>${t.feedback.map((f) => `<li>${who(f.userId)}: ${f.rating}/5 ${userText(f.comment)}</li>`).join('')}${t.reviews
    .map((r) => `<li>QA by ${who(r.reviewerId)}: ${r.score}/100 ${userText(r.notes)}</li>`)
    .join('')}</ul>
<p class="hash">Generated ${escapeHtml(utc(generatedAt.toISOString()))}. Each message hash = sha256(prevHash + "\\n" + canonical JSON), per channel, starting from 64 zeros.</p>
</body>
</html>`;
}
