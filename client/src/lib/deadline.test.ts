import { describe, expect, it } from 'vitest';
import { describeDeadline } from './deadline';

const base = {
  respondBy: '2025-03-17T10:00:00.000Z',
  mediationEndsBy: null,
  closedAt: null,
} as const;

describe('describeDeadline', () => {
  // Monday 10 March 2025, 10:00 UTC; respondBy is the Monday after.
  const now = new Date('2025-03-10T10:00:00.000Z');

  it('counts business days to the respondent’s answer while open', () => {
    expect(describeDeadline({ ...base, state: 'open' }, now, 'UTC')).toEqual({
      label: 'responds in 5 business days',
      tone: 'normal',
      at: base.respondBy,
    });
    const thursday = new Date('2025-03-13T10:00:00.000Z');
    expect(describeDeadline({ ...base, state: 'open' }, thursday, 'UTC').label).toBe(
      'responds in 2 business days',
    );
  });

  it('switches to hours on the last day, and says when it is overdue', () => {
    const lastMorning = new Date('2025-03-17T05:00:00.000Z');
    expect(describeDeadline({ ...base, state: 'open' }, lastMorning, 'UTC')).toMatchObject({
      label: 'responds in 5 hours',
      tone: 'soon',
    });
    const late = new Date('2025-03-17T10:00:01.000Z');
    expect(describeDeadline({ ...base, state: 'open' }, late, 'UTC')).toMatchObject({
      label: 'response overdue',
      tone: 'overdue',
    });
  });

  it('counts business days in the viewer’s zone', () => {
    // Friday 23:30 UTC is already Saturday in Tokyo: no business day is left before Monday.
    const friday = new Date('2025-03-14T23:30:00.000Z');
    expect(describeDeadline({ ...base, state: 'open' }, friday, 'UTC').label).toBe(
      'responds in 1 business day',
    );
    expect(describeDeadline({ ...base, state: 'open' }, friday, 'Asia/Tokyo').label).toBe(
      'responds in 2 days',
    );
  });

  it('shows the end of mediation', () => {
    const d = { ...base, state: 'mediation' as const, mediationEndsBy: '2025-04-09T10:00:00.000Z' };
    expect(describeDeadline(d, now, 'UTC')).toMatchObject({
      label: 'mediation ends in 30 days',
      tone: 'normal',
    });
    expect(describeDeadline(d, new Date('2025-04-09T09:00:00.000Z'), 'UTC')).toMatchObject({
      label: 'mediation ends in 1 hour',
      tone: 'soon',
    });
    expect(describeDeadline(d, new Date('2025-04-10T00:00:00.000Z'), 'UTC').tone).toBe('overdue');
  });

  it('says when a closed dispute ended', () => {
    const d = { ...base, state: 'resolved' as const, closedAt: '2025-03-10T07:00:00.000Z' };
    expect(describeDeadline(d, now, 'UTC')).toEqual({
      label: 'resolved 3h ago',
      tone: 'closed',
      at: d.closedAt,
    });
  });
});
