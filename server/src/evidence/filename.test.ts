import { parse } from 'content-disposition';
import { describe, expect, it } from 'vitest';
import { contentDisposition, safeFilename } from './filename.js';
import { allowedTypes } from './sniff.js';

const types = allowedTypes('png,jpg,pdf,txt');
const pdf = types.get('application/pdf')!;
const jpg = types.get('image/jpeg')!;

describe('safeFilename', () => {
  it('keeps only the last path segment', () => {
    expect(safeFilename('../../x.pdf', pdf)).toBe('x.pdf');
    expect(safeFilename('..\\..\\windows\\evil.pdf', pdf)).toBe('evil.pdf');
    expect(safeFilename('/etc/passwd', pdf)).toBe('passwd.pdf');
    expect(safeFilename('../', pdf)).toBe('evidence.pdf');
  });

  it('drops control and direction characters, hidden-file dots and reserved characters', () => {
    expect(safeFilename('in\u202Egpj.exe', pdf)).toBe('ingpj.exe.pdf');
    expect(safeFilename('a\r\nb\0.pdf', pdf)).toBe('ab.pdf');
    expect(safeFilename('...hidden.pdf', pdf)).toBe('hidden.pdf');
    expect(safeFilename('what?<now>*.pdf', pdf)).toBe('what__now__.pdf');
    expect(safeFilename('CON.pdf', pdf)).toBe('_CON.pdf');
  });

  it('makes the extension agree with the sniffed type', () => {
    expect(safeFilename('photo.JPEG', jpg)).toBe('photo.JPEG');
    expect(safeFilename('photo.jpg', jpg)).toBe('photo.jpg');
    expect(safeFilename('page.html', pdf)).toBe('page.html.pdf');
    expect(safeFilename('report', pdf)).toBe('report.pdf');
  });

  it('keeps non-ASCII names and caps the length without splitting characters', () => {
    expect(safeFilename('Überweisung März.pdf', pdf)).toBe('Überweisung März.pdf');
    const long = safeFilename(`${'🙂'.repeat(300)}.pdf`, pdf);
    expect(Array.from(long).length).toBeLessThanOrEqual(180);
    expect(long.endsWith('🙂.pdf')).toBe(true);
  });
});

describe('contentDisposition', () => {
  it('sends a plain ASCII name as it is, as a token or quoted', () => {
    expect(contentDisposition('attachment', 'x.pdf')).toBe('attachment; filename=x.pdf');
    expect(contentDisposition('inline', 'my report.pdf')).toBe('inline; filename="my report.pdf"');
  });

  it('adds RFC 8187 filename* for other names, with a safe ASCII fallback', () => {
    expect(contentDisposition('inline', 'Überweisung "März".pdf')).toBe(
      `inline; filename="Uberweisung _Marz_.pdf"; filename*=UTF-8''%C3%9Cberweisung%20%22M%C3%A4rz%22.pdf`,
    );
    expect(contentDisposition('attachment', '100% (final).pdf')).toBe(
      `attachment; filename="100_ (final).pdf"; filename*=UTF-8''100%25%20%28final%29.pdf`,
    );
    expect(contentDisposition('attachment', '東京.pdf')).toBe(
      `attachment; filename=__.pdf; filename*=UTF-8''%E6%9D%B1%E4%BA%AC.pdf`,
    );
  });

  it('always reads back as the exact name, in a header of printable ASCII only', () => {
    const names = [
      'x.pdf',
      'Überweisung "März".pdf',
      '100% (final).pdf',
      '%41%42.pdf',
      'back\\slash.pdf',
      "it's; x=1, (2).pdf",
      '東京 🙂.png',
    ];
    for (const name of names) {
      const header = contentDisposition('attachment', name);
      expect(header).toMatch(/^[\x20-\x7e]+$/);
      expect(parse(header).type).toBe('attachment');
      expect(parse(header).parameters.filename).toBe(name);
      // What a client without filename* support sees: no quote, backslash or percent sign.
      expect(parse(header, { extended: false }).parameters.filename).toMatch(/^[^"\\%]+$/);
    }
  });
});
