export type TextSegment =
  { type: 'text'; text: string } | { type: 'link'; text: string; href: string };

const urlPattern = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const trailingPunctuation = /[.,;:!?'"]+$/;

/** Drops punctuation that ends a sentence rather than the URL, and an unbalanced ")". */
function trimUrl(candidate: string): string {
  let url = candidate.replace(trailingPunctuation, '');
  while (url.endsWith(')') && (url.match(/\(/g)?.length ?? 0) < (url.match(/\)/g)?.length ?? 0)) {
    url = url.slice(0, -1).replace(trailingPunctuation, '');
  }
  return url;
}

/** Only absolute http(s) URLs become links; anything else stays text. */
function safeHref(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Splits a message body into text and http(s) link segments, in order. */
export function splitLinks(body: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let cursor = 0;
  const push = (text: string) => {
    if (!text) return;
    const last = segments[segments.length - 1];
    if (last?.type === 'text') last.text += text;
    else segments.push({ type: 'text', text });
  };
  for (const match of body.matchAll(urlPattern)) {
    const start = match.index;
    const url = trimUrl(match[0]);
    const href = safeHref(url);
    push(body.slice(cursor, start));
    if (href) segments.push({ type: 'link', text: url, href });
    else push(url);
    cursor = start + url.length;
  }
  push(body.slice(cursor));
  return segments;
}
