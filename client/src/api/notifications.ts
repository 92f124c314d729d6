import type { NotificationPage, Preferences } from '@dispute-room/shared';
import { query, request } from './http';

export const notificationsApi = {
  list: (cursor?: string | null) =>
    request<NotificationPage>('GET', `/api/notifications${query({ cursor, limit: 20 })}`),
  markRead: (ids: string[]) => request<void>('POST', '/api/notifications/read', { ids }),
  markAllRead: () => request<void>('POST', '/api/notifications/read', { all: true }),
  /** `localeChosen`: false while the locale is only the default (the browser's language applies). */
  preferences: () =>
    request<{ preferences: Preferences; localeChosen: boolean }>('GET', '/api/me/preferences'),
  savePreferences: (preferences: Preferences) =>
    request<{ preferences: Preferences; localeChosen: boolean }>(
      'PUT',
      '/api/me/preferences',
      preferences,
    ),
};
