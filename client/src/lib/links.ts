import LinkifyIt from 'linkify-it';

export type TextSegment =
  { type: 'text'; text: string } | { type: 'link'; text: string; href: string };

// Links written out with http(s):// or mailto:, and e-mail addresses; never a bare
// "example.com", which a file name or a version number can look like.
const linkify = new LinkifyIt({ fuzzyLink: false, fuzzyIP: false, fuzzyEmail: true })
  .add('ftp:', null)
  .add('//', null);

const safeProtocols = new Set(['http:', 'https:', 'mailto:']);

/** The link's address if it is http(s) or mailto, else nothing: anything else stays text. */
function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return safeProtocols.has(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

/** Splits a message body into text and link segments, in order. */
export function splitLinks(body: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let cursor = 0;
  const push = (text: string) => {
    if (!text) return;
    const last = segments[segments.length - 1];
    if (last?.type === 'text') last.text += text;
    else segments.push({ type: 'text', text });
  };
  for (const match of linkify.match(body) ?? []) {
    push(body.slice(cursor, match.index));
    const href = safeHref(match.url);
    if (href) segments.push({ type: 'link', text: match.text, href });
    else push(match.raw);
    cursor = match.lastIndex;
  }
  push(body.slice(cursor));
  return segments;
}
