import type { NotificationPage, Preferences } from '@dispute-room/shared';
import { query, request } from './http';

export const notificationsApi = {
  list: (cursor?: string | null) =>
    request<NotificationPage>('GET', `/api/notifications${query({ cursor, limit: 20 })}`),
  markRead: (ids: string[]) => request<void>('POST', '/api/notifications/read', { ids }),
  markAllRead: () => request<void>('POST', '/api/notifications/read', { all: true }),
  preferences: () => request<{ preferences: Preferences }>('GET', '/api/me/preferences'),
  savePreferences: (preferences: Preferences) =>
    request<{ preferences: Preferences }>('PUT', '/api/me/preferences', preferences),
};
