import type { Notification } from '@dispute-room/shared';
import { describe, expect, it } from 'vitest';
import { mergeFirstPage } from './notifications';

const note = (id: string, readAt: string | null = null): Notification => ({
  id,
  kind: 'message',
  disputeId: 'd',
  title: id,
  body: '',
  url: '/disputes/d',
  createdAt: '2026-01-01T00:00:00.000Z',
  readAt,
});

describe('mergeFirstPage', () => {
  it('keeps what arrived while the page loaded, on top, counted unread', () => {
    const page = { notifications: [note('u_2'), note('u_1')], unreadCount: 2 };
    const merged = mergeFirstPage(page, [note('u_3'), note('u_old')], new Set(['u_3']));
    expect(merged.items.map((n) => n.id)).toEqual(['u_3', 'u_2', 'u_1']);
    expect(merged.unread).toBe(3);
  });

  it('counts an arrival the answer already holds once', () => {
    const page = { notifications: [note('u_3'), note('u_2')], unreadCount: 2 };
    const merged = mergeFirstPage(page, [note('u_3')], new Set(['u_3']));
    expect(merged.items.map((n) => n.id)).toEqual(['u_3', 'u_2']);
    expect(merged.unread).toBe(2);
  });

  it('adds nothing to the count for an arrival already read', () => {
    const page = { notifications: [], unreadCount: 0 };
    expect(
      mergeFirstPage(page, [note('u_1', '2026-01-01T00:00:00.000Z')], new Set(['u_1'])).unread,
    ).toBe(0);
  });
});
