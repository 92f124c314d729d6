import type { EventBus } from '../events/bus.js';
import type { MailService } from '../mail/service.js';
import type { Notifier } from '../notifications/who.js';
import { presentNotification } from '../notifications/service.js';
import type { Hub } from '../realtime/hub.js';

/**
 * Notifications that follow entries (unread messages for members not joined) and a webhook
 * switched off (its owner); then, for each
 * notification, the live `notification:new` to every socket of its user on whichever instance,
 * and its mail (a job, or a place in the user's digest).
 */
export function listenNotifications(
  events: EventBus,
  notifier: Notifier,
  hub: Hub,
  mail: MailService,
): void {
  events.on('entry.appended', ({ entry }) => notifier.forEntry(entry));
  events.on('webhook.disabled', (e) => notifier.forWebhookDisabled(e));
  events.on('notification.created', ({ notification }) => {
    hub.toUser(notification.userId, 'notification:new', {
      notification: presentNotification(notification, null),
    });
    return mail.schedule(notification);
  });
}
