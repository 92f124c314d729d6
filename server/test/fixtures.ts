import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { strToU8, zipSync, type Zippable } from 'fflate';

/** Real files of each accepted type, built in code for the tests (no binary fixtures in git). */

export interface ZipEntry {
  name: string;
  data: Uint8Array | string;
  deflate?: boolean;
}

/** A zip archive of the entries, in their order; stored unless `deflate`. */
export function zip(entries: ZipEntry[]): Buffer {
  const files: Zippable = {};
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? strToU8(entry.data) : entry.data;
    files[entry.name] = [data, { level: entry.deflate ? 6 : 0 }];
  }
  return Buffer.from(zipSync(files));
}

const contentTypes = (part: string, type: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/${part}" ContentType="${type}"/></Types>`;

/** An Office document; `contentTypesLast` mimics writers that put the manifest at the end. */
export function office(kind: 'docx' | 'xlsx', contentTypesLast = false): Buffer {
  const [part, type] =
    kind === 'docx'
      ? [
          'word/document.xml',
          'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
        ]
      : [
          'xl/workbook.xml',
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
        ];
  const manifest = { name: '[Content_Types].xml', data: contentTypes(part, type), deflate: true };
  const rest: ZipEntry[] = [
    { name: '_rels/.rels', data: '<Relationships/>', deflate: true },
    { name: part, data: `<doc>${randomBytes(8).toString('hex')}</doc>`, deflate: true },
  ];
  return zip(contentTypesLast ? [...rest, manifest] : [manifest, ...rest]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A 1×1 PNG; the comment makes each call's bytes different. */
export function png(comment = randomBytes(8).toString('hex')): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr.writeUInt8(8, 8);
  ihdr.writeUInt8(2, 9);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('tEXt', Buffer.from(`Comment\0${comment}`, 'latin1')),
    pngChunk('IDAT', deflateSync(Buffer.from([0, 200, 30, 30]))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A minimal one-page-less PDF. */
export function pdf(note = randomBytes(8).toString('hex')): Buffer {
  return Buffer.from(
    `%PDF-1.4\n% ${note}\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n` +
      '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
  );
}

/** The start of a Windows executable. */
export function exe(): Buffer {
  const header = Buffer.alloc(256);
  header.write('MZ', 0, 'latin1');
  header.writeUInt32LE(0x80, 0x3c);
  header.write('PE\0\0', 0x80, 'latin1');
  return Buffer.concat([header, randomBytes(1024)]);
}
