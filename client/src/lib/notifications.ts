import type { Notification } from '@dispute-room/shared';

/**
 * The first page of the bell merged with what arrived by socket while it loaded: the answer
 * predates those, so they stay on top and count as unread on top of the answer's count.
 */
export function mergeFirstPage(
  page: { notifications: Notification[]; unreadCount: number },
  held: readonly Notification[],
  arrivedSince: ReadonlySet<string>,
): { items: Notification[]; unread: number } {
  const inPage = new Set(page.notifications.map((n) => n.id));
  const newer = held.filter((n) => arrivedSince.has(n.id) && !inPage.has(n.id));
  return {
    items: [...newer, ...page.notifications],
    unread: page.unreadCount + newer.filter((n) => !n.readAt).length,
  };
}
