import type { Dispute } from '@dispute-room/shared';
import { describe, expect, it } from 'vitest';
import {
  byQueuePriority,
  byRecentActivity,
  coveredByPage,
  isInQueue,
  mergeListed,
  totalUnread,
  withReadFloor,
} from './disputes';

function dispute(over: Partial<Dispute>): Dispute {
  return {
    id: 'd',
    number: 'D-000001',
    contractId: 'k',
    contractTitle: 'Logo',
    state: 'mediation',
    claimantId: 'c',
    respondentId: 'f',
    clientId: 'c',
    freelancerId: 'f',
    mediatorId: null,
    reason: 'quality',
    description: '',
    claimCents: 100,
    escrowCents: 1000,
    currency: 'USD',
    respondBy: '2025-03-10T00:00:00.000Z',
    mediationEndsBy: '2025-04-10T00:00:00.000Z',
    outcome: null,
    settlement: null,
    heads: {},
    unread: {},
    createdAt: '2025-03-01T00:00:00.000Z',
    updatedAt: '2025-03-01T00:00:00.000Z',
    closedAt: null,
    ...over,
  };
}

describe('disputes', () => {
  it('sums unread counts over channels', () => {
    expect(totalUnread(dispute({ unread: { joint: 2, 'caucus:client': 3 } }))).toBe(5);
    expect(totalUnread(dispute({}))).toBe(0);
  });

  it('orders the inbox by last activity', () => {
    const a = dispute({ id: 'a', updatedAt: '2025-03-02T00:00:00.000Z' });
    const b = dispute({ id: 'b', updatedAt: '2025-03-03T00:00:00.000Z' });
    expect([a, b].sort(byRecentActivity).map((d) => d.id)).toEqual(['b', 'a']);
  });

  it('orders the queue by deadline then age', () => {
    const late = dispute({ id: 'late', mediationEndsBy: '2025-04-20T00:00:00.000Z' });
    const soon = dispute({ id: 'soon', mediationEndsBy: '2025-04-05T00:00:00.000Z' });
    const soonOlder = dispute({
      id: 'soonOlder',
      mediationEndsBy: '2025-04-05T00:00:00.000Z',
      createdAt: '2025-02-01T00:00:00.000Z',
    });
    expect([late, soon, soonOlder].sort(byQueuePriority).map((d) => d.id)).toEqual([
      'soonOlder',
      'soon',
      'late',
    ]);
  });

  it('knows what is in the queue', () => {
    expect(isInQueue(dispute({}))).toBe(true);
    expect(isInQueue(dispute({ mediatorId: 'm' }))).toBe(false);
    expect(isInQueue(dispute({ state: 'open' }))).toBe(false);
  });
});

describe('withReadFloor', () => {
  it('clears counts of channels read up to their head', () => {
    const d = dispute({
      heads: { joint: 7, 'caucus:client': 3 },
      unread: { joint: 2, 'caucus:client': 1 },
    });
    expect(withReadFloor(d, { joint: 7 }).unread).toEqual({ joint: 0, 'caucus:client': 1 });
    expect(withReadFloor(d, { joint: 6 }).unread).toEqual(d.unread);
  });

  it('keeps the same object when nothing changes', () => {
    const d = dispute({ heads: { joint: 7 }, unread: { joint: 0 } });
    expect(withReadFloor(d, { joint: 7 })).toBe(d);
    expect(withReadFloor(d, undefined)).toBe(d);
  });
});

describe('mergeListed', () => {
  const all = () => true;
  const older = dispute({ id: 'a', updatedAt: '2025-03-01T00:00:00.000Z' });
  const newer = dispute({ id: 'a', updatedAt: '2025-03-02T00:00:00.000Z', state: 'resolved' });

  it('drops what the query covers but no longer returns, keeps what it does not cover', () => {
    const gone = dispute({ id: 'gone' });
    const other = dispute({ id: 'other', state: 'resolved' });
    const merged = mergeListed({ gone, other }, (d) => d.state === 'mediation', [older], new Set());
    expect(Object.keys(merged).sort()).toEqual(['a', 'other']);
  });

  it('keeps a dispute that arrived while the list was loading, though the answer lacks it', () => {
    const filed = dispute({ id: 'filed' });
    const merged = mergeListed({ filed }, all, [older], new Set(['filed']));
    expect(merged.filed).toBe(filed);
    expect(merged.a).toBe(older);
  });

  it('keeps the newer copy when the answer is older than an event', () => {
    expect(mergeListed({ a: newer }, all, [older], new Set(['a'])).a).toBe(newer);
    expect(mergeListed({ a: older }, all, [newer], new Set()).a).toBe(newer);
  });

  it('does not bring back a dispute removed while the list was loading', () => {
    expect(mergeListed({}, all, [older], new Set(['a']))).toEqual({});
    expect(mergeListed({}, all, [older], new Set()).a).toBe(older);
  });
});

describe('coveredByPage', () => {
  const at = (createdAt: string, id: string) => ({ createdAt, id });
  const first = at('2026-03-02T10:00:00.000Z', 'm');
  it('takes the first page as everything down to its last dispute, ties by id', () => {
    expect(coveredByPage(at('2026-03-02T11:00:00.000Z', 'a'), null, first)).toBe(true);
    expect(coveredByPage(first, null, first)).toBe(true);
    expect(coveredByPage(at(first.createdAt, 'z'), null, first)).toBe(true);
    expect(coveredByPage(at(first.createdAt, 'a'), null, first)).toBe(false);
    expect(coveredByPage(at('2026-03-01T10:00:00.000Z', 'z'), null, first)).toBe(false);
  });
  it('takes a later page as what follows the page before it, to its own end', () => {
    const second = at('2026-03-01T08:00:00.000Z', 'q');
    expect(coveredByPage(first, first, second)).toBe(false);
    expect(coveredByPage(at(first.createdAt, 'a'), first, second)).toBe(true);
    expect(coveredByPage(second, first, second)).toBe(true);
    expect(coveredByPage(at(second.createdAt, 'a'), first, second)).toBe(false);
    // The last page (no end) covers everything older.
    expect(coveredByPage(at('2020-01-01T00:00:00.000Z', 'a'), first, null)).toBe(true);
    expect(coveredByPage(at('2020-01-01T00:00:00.000Z', 'a'), null, null)).toBe(true);
  });
});
