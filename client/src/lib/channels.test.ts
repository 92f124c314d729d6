import type { DisputeParties } from '@dispute-room/shared';
import { describe, expect, it } from 'vitest';
import { channelTabs } from './channels';

const dispute: DisputeParties = { clientId: 'c', freelancerId: 'f', mediatorId: 'm' };
const tabs = (
  id: string,
  role: 'client' | 'freelancer' | 'mediator' | 'ops' | 'admin',
  d = dispute,
) => channelTabs({ id, role }, d).map((t) => `${t.channel}:${t.label}:${t.writable ? 'w' : 'r'}`);

describe('channelTabs', () => {
  it('gives a party the joint thread and their private channel with the mediator', () => {
    expect(tabs('c', 'client')).toEqual(['joint:Joint:w', 'caucus:client:Private with mediator:w']);
    expect(tabs('f', 'freelancer')).toEqual([
      'joint:Joint:w',
      'caucus:freelancer:Private with mediator:w',
    ]);
  });

  it('hides the private channel until a mediator is assigned', () => {
    expect(tabs('c', 'client', { ...dispute, mediatorId: null })).toEqual(['joint:Joint:w']);
  });

  it('gives the assigned mediator all four channels', () => {
    expect(tabs('m', 'mediator')).toEqual([
      'joint:Joint:w',
      'caucus:client:Caucus · Client:w',
      'caucus:freelancer:Caucus · Freelancer:w',
      'internal:Internal notes:w',
    ]);
  });

  it('gives another mediator nothing to read', () => {
    expect(tabs('m2', 'mediator')).toEqual([]);
  });

  it('lets ops read everything and write only internal notes', () => {
    expect(tabs('o', 'ops')).toEqual([
      'joint:Joint:r',
      'caucus:client:Caucus · Client:r',
      'caucus:freelancer:Caucus · Freelancer:r',
      'internal:Internal notes:w',
    ]);
    expect(tabs('a', 'admin').every((t) => t.endsWith(':r'))).toBe(true);
  });

  it('gives an outsider nothing', () => {
    expect(tabs('x', 'client')).toEqual([]);
  });
});
