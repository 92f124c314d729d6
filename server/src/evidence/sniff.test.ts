import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exe, office, pdf, png, zip } from '../../test/fixtures.js';
import { allowedTypes, sniff, SNIFF_BYTES, Utf8Check } from './sniff.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe('allowedTypes', () => {
  it('reads EVIDENCE_TYPES by name, with aliases, and refuses unknown names', () => {
    expect([...allowedTypes('png, JPEG,pdf').keys()]).toEqual([
      'image/png',
      'image/jpeg',
      'application/pdf',
    ]);
    expect(() => allowedTypes('png,exe')).toThrow(/unknown type "exe"/);
  });
});

describe('sniff', () => {
  it('types binary files by their bytes, whatever their name says', async () => {
    expect(await sniff(png(), 'x.txt')).toBe('image/png');
    expect(await sniff(pdf(), 'x.png')).toBe('application/pdf');
    expect(await sniff(zip([{ name: 'a.bin', data: randomBytes(100) }]), 'a.docx')).toBe(
      'application/zip',
    );
    expect(await sniff(exe(), 'holiday.png')).toBe('application/x-msdownload');
  });

  it('tells docx and xlsx from zip, with the manifest first or last', async () => {
    expect(await sniff(office('docx'), 'a.zip')).toBe(DOCX);
    expect(await sniff(office('xlsx'), 'a.zip')).toBe(XLSX);
    expect(await sniff(office('docx', true), 'a.zip')).toBe(DOCX);
    expect(await sniff(office('xlsx', true), 'a.zip')).toBe(XLSX);
  });

  it('finds docx parts in the first bytes when the rest of the archive is not there yet', async () => {
    const big = zip([
      { name: 'word/media/photo.bin', data: randomBytes(SNIFF_BYTES * 2) },
      { name: '[Content_Types].xml', data: '<Types/>' },
    ]);
    expect(await sniff(big.subarray(0, SNIFF_BYTES), 'x')).toBe(DOCX);
  });

  it('takes text for txt or csv by extension only', async () => {
    const text = Buffer.from('date,amount\n2024-01-02,12.50\n');
    expect(await sniff(text, 'ledger.csv')).toBe('text/csv');
    expect(await sniff(text, 'notes.TXT')).toBe('text/plain');
    expect(await sniff(text, 'notes.md')).toBeNull();
    expect(await sniff(text, 'noextension')).toBeNull();
  });
});

describe('Utf8Check', () => {
  const sample = Buffer.from('Grüße, 東京, 🙂 — naïve\n'.repeat(3));

  it('accepts valid UTF-8 split at every possible point', () => {
    for (let cut = 0; cut <= sample.length; cut++) {
      const check = new Utf8Check();
      expect(check.push(sample.subarray(0, cut))).toBe(true);
      expect(check.push(sample.subarray(cut))).toBe(true);
      expect(check.end()).toBe(true);
    }
    const byteByByte = new Utf8Check();
    for (const b of sample) expect(byteByByte.push(Buffer.from([b]))).toBe(true);
    expect(byteByByte.end()).toBe(true);
  });

  it('refuses invalid sequences, NUL bytes and a character cut off at the end', () => {
    expect(new Utf8Check().push(Buffer.from([0x61, 0xff, 0x62]))).toBe(false);
    expect(new Utf8Check().push(Buffer.from('a\0b'))).toBe(false);
    const cutOff = new Utf8Check();
    expect(cutOff.push(Buffer.from('🙂').subarray(0, 3))).toBe(true);
    expect(cutOff.end()).toBe(false);
    const late = new Utf8Check();
    expect(late.push(Buffer.from('fine so far'))).toBe(true);
    expect(late.push(Buffer.from([0xc3, 0x28]))).toBe(false);
    expect(late.end()).toBe(false);
  });
});
