import { create } from 'content-disposition';
import type { EvidenceType } from './sniff.js';

const MAX_CHARS = 180;

// Control characters, and the invisible direction marks that make "gpj.exe" read as "exe.jpg".
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const invisible = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
// Characters Windows refuses in names; path separators are handled before.
const reserved = /[<>:"|?*]/g;
const deviceName = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;

/**
 * The name shown for an upload and offered on download: the last path segment only, no
 * control or direction characters, and an extension that matches the sniffed type, so a
 * file never arrives on someone's disk as something its bytes are not.
 */
export function safeFilename(raw: string, type: EvidenceType): string {
  let name = (raw.normalize('NFC').split(/[/\\]/).pop() ?? '')
    .replace(invisible, '')
    .replace(reserved, '_')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (deviceName.test(name)) name = `_${name}`;
  const extension = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase();
  const keeps = extension !== undefined && type.extensions.includes(extension);
  const suffix = keeps ? name.slice(name.length - extension.length - 1) : `.${type.extensions[0]}`;
  const base = keeps ? name.slice(0, name.length - suffix.length) : name;
  // Count code points, so a cut never splits a surrogate pair.
  const stem = Array.from(base)
    .slice(0, MAX_CHARS - suffix.length)
    .join('')
    .replace(/[.\s]+$/, '');
  return `${stem || 'evidence'}${suffix}`;
}

/**
 * The name offered to clients that do not read `filename*`: ASCII, accents dropped, and none
 * of `"`, `\` or `%`, which some of them mis-read (RFC 6266, appendix D).
 */
function asciiFallback(filename: string): string {
  return filename
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\%]/g, '_');
}

/**
 * A Content-Disposition header: the ASCII fallback as `filename` and, when that is not the
 * exact name, the exact name in RFC 8187 `filename*`.
 */
export function contentDisposition(kind: 'attachment' | 'inline', filename: string): string {
  return create(filename, { type: kind, fallback: asciiFallback(filename) });
}
