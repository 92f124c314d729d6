import { describe, expect, it } from 'vitest';
import { splitLinks } from './links';

describe('splitLinks', () => {
  it('keeps plain text as one segment', () => {
    expect(splitLinks('no links here')).toEqual([{ type: 'text', text: 'no links here' }]);
    expect(splitLinks('')).toEqual([]);
  });

  it('finds http and https links between text', () => {
    expect(splitLinks('see https://example.com/a?b=1 and http://x.org.')).toEqual([
      { type: 'text', text: 'see ' },
      { type: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { type: 'text', text: ' and ' },
      { type: 'link', text: 'http://x.org', href: 'http://x.org/' },
      { type: 'text', text: '.' },
    ]);
  });

  it('never links other schemes, protocol-relative or bare addresses', () => {
    const segments = splitLinks(
      'javascript:alert(1) data:text/html,x ftp://files.org //evil.com evil.com invoice.pdf v1.2.3',
    );
    expect(segments.every((s) => s.type === 'text')).toBe(true);
  });

  it('links e-mail addresses and mailto: as mailto', () => {
    expect(splitLinks('write to jo@example.com, or mailto:ops@example.org.')).toEqual([
      { type: 'text', text: 'write to ' },
      { type: 'link', text: 'jo@example.com', href: 'mailto:jo@example.com' },
      { type: 'text', text: ', or ' },
      { type: 'link', text: 'mailto:ops@example.org', href: 'mailto:ops@example.org' },
      { type: 'text', text: '.' },
    ]);
  });

  it('does not treat an embedded scheme as a link start', () => {
    expect(splitLinks('xhttps://evil.com')).toEqual([{ type: 'text', text: 'xhttps://evil.com' }]);
  });

  it('drops an unbalanced closing parenthesis but keeps balanced ones', () => {
    expect(splitLinks('(https://a.com/x)')[1]).toEqual({
      type: 'link',
      text: 'https://a.com/x',
      href: 'https://a.com/x',
    });
    expect(splitLinks('https://en.wikipedia.org/wiki/A_(b)')[0]?.text).toBe(
      'https://en.wikipedia.org/wiki/A_(b)',
    );
  });

  it('does not let markup through as a link', () => {
    const segments = splitLinks('https://a.com/"><script>');
    expect(segments[0]).toEqual({ type: 'link', text: 'https://a.com/', href: 'https://a.com/' });
  });
});
