import { create } from 'zustand';
import type { Notification } from '@dispute-room/shared';
import { notificationsApi } from '../api/notifications';
import { mergeFirstPage } from '../lib/notifications';

/** Ids received by socket while a first page is loading (null: no load in flight). */
let arrivedDuringLoad: Set<string> | null = null;

interface NotificationsState {
  items: Notification[];
  unread: number;
  nextCursor: string | null;
  loaded: boolean;
  load: () => Promise<void>;
  loadMore: () => Promise<void>;
  /** A `notification:new` from the socket (shown once, newest first). */
  receive: (n: Notification) => void;
  markRead: (id: string) => Promise<void>;
  markAllRead: () => Promise<void>;
  clear: () => void;
}

export const useNotifications = create<NotificationsState>()((set, get) => ({
  items: [],
  unread: 0,
  nextCursor: null,
  loaded: false,
  load: async () => {
    const arrived = new Set<string>();
    arrivedDuringLoad = arrived;
    try {
      const page = await notificationsApi.list();
      const { items, unread } = mergeFirstPage(page, get().items, arrived);
      set({ items, unread, nextCursor: page.nextCursor, loaded: true });
    } finally {
      if (arrivedDuringLoad === arrived) arrivedDuringLoad = null;
    }
  },
  loadMore: async () => {
    const cursor = get().nextCursor;
    if (!cursor) return;
    const page = await notificationsApi.list(cursor);
    const known = new Set(get().items.map((n) => n.id));
    set({
      items: [...get().items, ...page.notifications.filter((n) => !known.has(n.id))],
      nextCursor: page.nextCursor,
      unread: page.unreadCount,
    });
  },
  receive: (n) => {
    arrivedDuringLoad?.add(n.id);
    if (get().items.some((x) => x.id === n.id)) return;
    set({ items: [n, ...get().items], unread: get().unread + (n.readAt ? 0 : 1) });
  },
  markRead: async (id) => {
    const item = get().items.find((n) => n.id === id);
    if (!item || item.readAt) return;
    const readAt = new Date().toISOString();
    set({
      items: get().items.map((n) => (n.id === id ? { ...n, readAt } : n)),
      unread: Math.max(0, get().unread - 1),
    });
    await notificationsApi.markRead([id]);
  },
  markAllRead: async () => {
    const readAt = new Date().toISOString();
    set({ items: get().items.map((n) => ({ ...n, readAt: n.readAt ?? readAt })), unread: 0 });
    await notificationsApi.markAllRead();
  },
  clear: () => set({ items: [], unread: 0, nextCursor: null, loaded: false }),
}));

export const selectUnread = (s: NotificationsState) => s.unread;
