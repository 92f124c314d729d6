import { describe, expect, it } from 'vitest';
import { isOpsViewer, personName, readParticipants, roleInDispute } from './people';

const dispute = { clientId: 'c', freelancerId: 'f', mediatorId: 'm' };
const me = { id: 'c', name: 'Carla' };

describe('personName', () => {
  it('prefers the viewer’s own name, then names from the server', () => {
    const ctx = { dispute, participants: { f: { name: 'Fred', role: 'freelancer' as const } }, me };
    expect(personName('c', ctx)).toBe('Carla');
    expect(personName('f', ctx)).toBe('Fred');
  });

  it('falls back to the seat in the dispute, then to the entry’s role', () => {
    const ctx = { dispute, participants: {}, me };
    expect(personName('f', ctx)).toBe('Freelancer');
    expect(personName('m', ctx)).toBe('Mediator');
    expect(personName('o', ctx, 'ops')).toBe('Ops');
    expect(personName('o', ctx)).toBe('Someone');
    expect(personName(null, ctx)).toBe('System');
  });

  it('finds the seat', () => {
    expect(roleInDispute('m', dispute)).toBe('mediator');
    expect(roleInDispute('x', dispute)).toBeNull();
  });
});

describe('readParticipants', () => {
  it('keeps well-formed entries only', () => {
    expect(
      readParticipants({
        a: { name: 'Ann', role: 'client' },
        b: { name: 3 },
        c: null,
      }),
    ).toEqual({ a: { name: 'Ann', role: 'client' } });
    expect(readParticipants(undefined)).toEqual({});
  });
});

describe('isOpsViewer', () => {
  it('is ops and admin only', () => {
    expect(isOpsViewer('ops')).toBe(true);
    expect(isOpsViewer('admin')).toBe(true);
    expect(isOpsViewer('mediator')).toBe(false);
    expect(isOpsViewer('client')).toBe(false);
  });
});
