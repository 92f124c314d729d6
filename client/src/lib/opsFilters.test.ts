import { describe, expect, it } from 'vitest';
import {
  emptyOpsFilters,
  hasOpsFilters,
  isMediatorId,
  opsFiltersQuery,
  opsSearchParams,
  parseOpsFilters,
  type OpsFilters,
} from './opsFilters';

const full: OpsFilters = {
  state: 'resolved',
  outcome: 'settlement',
  mediatorId: 'med_1',
  from: '2026-03-01',
  to: '2026-03-31',
  q: 'logo files',
};

describe('ops filters in the address bar', () => {
  it('round-trips every filter', () => {
    const query = opsFiltersQuery(full);
    expect(query).toBe(
      '?state=resolved&outcome=settlement&mediatorId=med_1&from=2026-03-01&to=2026-03-31&q=logo+files',
    );
    expect(parseOpsFilters(query)).toEqual(full);
  });

  it('writes nothing for no filters', () => {
    expect(opsFiltersQuery(emptyOpsFilters)).toBe('');
    expect(parseOpsFilters('')).toEqual(emptyOpsFilters);
    expect(hasOpsFilters(emptyOpsFilters)).toBe(false);
    expect(hasOpsFilters({ ...emptyOpsFilters, q: '  ' })).toBe(false);
    expect(hasOpsFilters({ ...emptyOpsFilters, outcome: 'default' })).toBe(true);
  });

  it('drops values the API would refuse', () => {
    expect(
      parseOpsFilters('?state=closed&outcome=won&mediatorId=%24where&from=2026-02-30&to=x'),
    ).toEqual(emptyOpsFilters);
    expect(opsFiltersQuery({ ...emptyOpsFilters, mediatorId: 'a b', from: 'yesterday' })).toBe('');
  });

  it('trims and bounds the free text', () => {
    expect(parseOpsFilters(`?q=${'x'.repeat(300)}`).q).toHaveLength(200);
    expect(parseOpsFilters('?q=%20%20D-000001%20').q).toBe('D-000001');
    expect(opsFiltersQuery({ ...emptyOpsFilters, q: ' a&b=c ' })).toBe('?q=a%26b%3Dc');
  });
});

describe('opsSearchParams', () => {
  it('turns days into instants in the viewer’s zone', () => {
    expect(opsSearchParams(full, 'Asia/Singapore')).toEqual({
      state: 'resolved',
      outcome: 'settlement',
      mediatorId: 'med_1',
      from: '2026-02-28T16:00:00.000Z',
      to: '2026-03-31T16:00:00.000Z',
      q: 'logo files',
    });
  });

  it('sends nothing that is not set or not valid', () => {
    expect(opsSearchParams({ ...emptyOpsFilters, mediatorId: 'not valid' }, 'UTC')).toEqual({});
  });
});

describe('isMediatorId', () => {
  it('uses the contract’s id rule', () => {
    expect(isMediatorId('6b082eff69fdc2d05a1952c4')).toBe(true);
    expect(isMediatorId('')).toBe(false);
    expect(isMediatorId('a.b')).toBe(false);
  });
});
