import { isUtf8 } from 'node:buffer';
import { fileTypeFromBuffer } from 'file-type';

/** An accepted kind of evidence: what EVIDENCE_TYPES names, its MIME type and file extensions. */
export interface EvidenceType {
  key: string;
  mime: string;
  extensions: string[];
  /** Browsers may show it in place (`?disposition=inline`). */
  previewable: boolean;
  /** Told from the bytes by UTF-8 validity and from the name's extension, not by magic bytes. */
  text: boolean;
}

const known: EvidenceType[] = [
  { key: 'png', mime: 'image/png', extensions: ['png'], previewable: true, text: false },
  { key: 'jpg', mime: 'image/jpeg', extensions: ['jpg', 'jpeg'], previewable: true, text: false },
  { key: 'gif', mime: 'image/gif', extensions: ['gif'], previewable: true, text: false },
  { key: 'webp', mime: 'image/webp', extensions: ['webp'], previewable: true, text: false },
  { key: 'pdf', mime: 'application/pdf', extensions: ['pdf'], previewable: true, text: false },
  { key: 'txt', mime: 'text/plain', extensions: ['txt'], previewable: false, text: true },
  { key: 'csv', mime: 'text/csv', extensions: ['csv'], previewable: false, text: true },
  { key: 'zip', mime: 'application/zip', extensions: ['zip'], previewable: false, text: false },
  {
    key: 'docx',
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extensions: ['docx'],
    previewable: false,
    text: false,
  },
  {
    key: 'xlsx',
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    extensions: ['xlsx'],
    previewable: false,
    text: false,
  },
];

const aliases: Record<string, string> = { jpeg: 'jpg', text: 'txt' };

/** The types EVIDENCE_TYPES allows, by MIME type; an unknown name is a configuration error. */
export function allowedTypes(list: string): Map<string, EvidenceType> {
  const allowed = new Map<string, EvidenceType>();
  for (const raw of list.split(',')) {
    const name = raw.trim().toLowerCase();
    if (!name) continue;
    const type = known.find((t) => t.key === (aliases[name] ?? name));
    if (!type) {
      throw new Error(
        `EVIDENCE_TYPES: unknown type "${name}" (known: ${known.map((t) => t.key).join(', ')})`,
      );
    }
    allowed.set(type.mime, type);
  }
  return allowed;
}

function byKey(key: string): EvidenceType {
  return known.find((t) => t.key === key)!;
}

export function typeOf(mime: string): EvidenceType | undefined {
  return known.find((t) => t.mime === mime);
}

/** file-type needs a zip's first entries to tell docx/xlsx from zip; this much covers them. */
export const SNIFF_BYTES = 256 * 1024;

const LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * Office files whose `[Content_Types].xml` is not among the first entries (some writers put
 * it last) still name their parts early: look for `word/` or `xl/` in the local headers.
 */
function officeTypeFromZipHead(head: Buffer): string | null {
  for (let at = head.indexOf(LOCAL_HEADER); at >= 0; at = head.indexOf(LOCAL_HEADER, at + 4)) {
    if (at + 30 > head.length) break;
    const nameLength = head.readUInt16LE(at + 26);
    const name = head.toString('latin1', at + 30, Math.min(head.length, at + 30 + nameLength));
    if (name.startsWith('word/')) return byKey('docx').mime;
    if (name.startsWith('xl/')) return byKey('xlsx').mime;
  }
  return null;
}

/**
 * What the first bytes of a file are: a MIME type (for text, a candidate the caller must
 * confirm by checking every byte with Utf8Check), or null when nothing we know.
 * `head` is the first SNIFF_BYTES of the file, or all of it when shorter.
 */
export async function sniff(head: Buffer, filename: string): Promise<string | null> {
  const detected = await fileTypeFromBuffer(head);
  if (detected) {
    if (detected.mime === 'application/zip') return officeTypeFromZipHead(head) ?? detected.mime;
    return detected.mime;
  }
  const extension = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase();
  const text = known.find((t) => t.text && extension && t.extensions.includes(extension));
  return text?.mime ?? null;
}

/**
 * Streaming check that a file is UTF-8 text: valid sequences and no NUL. Chunks may split a
 * multi-byte character, so an unfinished tail is carried into the next chunk.
 */
export class Utf8Check {
  private carry: Buffer = Buffer.alloc(0);
  private ok = true;

  push(chunk: Buffer): boolean {
    if (!this.ok) return false;
    const bytes = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = completeLength(bytes);
    this.ok = !bytes.includes(0) && isUtf8(bytes.subarray(0, cut));
    this.carry = Buffer.from(bytes.subarray(cut));
    return this.ok;
  }

  end(): boolean {
    return this.ok && this.carry.length === 0;
  }
}

/** Bytes up to the start of a trailing character that is not complete yet. */
function completeLength(bytes: Buffer): number {
  for (let i = bytes.length - 1; i >= Math.max(0, bytes.length - 4); i--) {
    const b = bytes[i]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + need > bytes.length ? i : bytes.length;
  }
  return bytes.length;
}
