import type { EventBus } from '../events/bus.js';
import type { Notifier } from '../notifications/who.js';
import { presentNotification } from '../notifications/service.js';
import type { Hub } from '../realtime/hub.js';

/**
 * Notifications that follow entries (unread messages for members not joined), and the live
 * `notification:new` to every socket of a notification's user, on whichever instance.
 */
export function listenNotifications(events: EventBus, notifier: Notifier, hub: Hub): void {
  events.on('entry.appended', ({ entry }) => notifier.forEntry(entry));
  events.on('notification.created', ({ notification }) => {
    hub.toUser(notification.userId, 'notification:new', {
      notification: presentNotification(notification, null),
    });
  });
}
