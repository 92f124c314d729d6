import { describe, expect, it } from 'vitest';
import { labelSchema } from './common.js';
import { createContractBodySchema } from './contracts.js';
import { createMacroBodySchema, updateMacroBodySchema } from './macros.js';
import { createTokenBodySchema, createUserBodySchema } from './users.js';

const controls = [
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200e',
  '\u200f',
  '\u061c',
];

describe('labels shown to others', () => {
  it('lose every bidirectional control, then are trimmed and bounded', () => {
    const label = labelSchema(20);
    expect(label.parse(` Ada${controls.join('')} Admin `)).toBe('Ada Admin');
    expect(label.parse('\u202e gpj.exe')).toBe('gpj.exe');
    expect(label.safeParse(controls.join('')).success).toBe(false);
    // Right-to-left letters are text, not controls: they stay.
    expect(label.parse('דנה כהן')).toBe('דנה כהן');
  });

  it('apply to user names, token names, contract titles and macro titles', () => {
    const rlo = 'Mallory\u202Etxt.exe';
    const user = createUserBodySchema.parse({
      email: 'm@example.test',
      name: rlo,
      role: 'client',
      password: 'violet tractor harbor lamp',
    });
    expect(user.name).toBe('Mallorytxt.exe');
    expect(createTokenBodySchema.parse({ name: rlo }).name).toBe('Mallorytxt.exe');
    const contract = createContractBodySchema.parse({
      title: rlo,
      clientId: 'c',
      freelancerId: 'f',
      escrowCents: 1,
      currency: 'USD',
    });
    expect(contract.title).toBe('Mallorytxt.exe');
    expect(createMacroBodySchema.parse({ title: rlo, body: 'x' }).title).toBe('Mallorytxt.exe');
    expect(updateMacroBodySchema.parse({ title: rlo }).title).toBe('Mallorytxt.exe');
  });
});
