import { describe, expect, it } from 'vitest';
import { acceptInit, applyTheme } from './bridge';

const parent = {};
const init = { source: 'dispute-room-host', type: 'init', ssoToken: 'eyJ.x.y' };

describe('the room takes its sign-on token', () => {
  it('from its parent window on an allowed origin only', () => {
    const origins = ['https://market.example'];
    const from = (origin: string, source: unknown = parent, data: unknown = init) =>
      acceptInit({ origin, source: source as MessageEventSource, data }, origins, parent);
    expect(from('https://market.example')).toMatchObject({ ssoToken: 'eyJ.x.y' });
    expect(from('https://evil.example')).toBeNull();
    expect(from('https://market.example.evil.example')).toBeNull();
    // Another frame of the allowed origin (not our parent) is not the host.
    expect(from('https://market.example', {})).toBeNull();
    expect(from('https://market.example', parent, { ...init, source: 'someone' })).toBeNull();
    expect(from('https://market.example', parent, { ...init, ssoToken: 42 })).toBeNull();
    expect(from('https://market.example', parent, 'init')).toBeNull();
  });

  it('and a theme of plain CSS values, set as the room’s variables', () => {
    const set: Record<string, string> = {};
    const root = { style: { setProperty: (k: string, v: string) => (set[k] = v) } };
    applyTheme({ accent: '#b4541a', font: 'Georgia, serif' }, root as unknown as HTMLElement);
    expect(set).toEqual({
      '--accent': '#b4541a',
      '--accent-hover': '#b4541a',
      '--font': 'Georgia, serif',
    });
    const bad = acceptInit(
      {
        origin: 'https://market.example',
        source: parent as MessageEventSource,
        data: { ...init, theme: { accent: 'red; } body { display: none' } },
      },
      ['https://market.example'],
      parent,
    );
    expect(bad).toBeNull();
  });
});
