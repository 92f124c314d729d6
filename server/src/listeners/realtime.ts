import type { EventBus } from '../events/bus.js';
import type { Hub } from '../realtime/hub.js';
import type { ListUpdates } from '../realtime/list-updates.js';

/**
 * Realtime fan-out of what happened: the one place that turns domain events into socket
 * events. Services never talk to sockets; they store and publish.
 */
export function listenRealtime(events: EventBus, hub: Hub, lists: ListUpdates): void {
  events.on('entry.appended', ({ entry }) => {
    hub.emitMessage(entry);
    // Entries a transition posts are followed by its own update (dispute.recorded).
    if (entry.kind !== 'system' && entry.kind !== 'proposal') lists.soon(entry.disputeId);
  });
  events.on('entry.changed', ({ entryId }) => hub.invalidateMessage(entryId));
  events.on('log.advanced', (advance) => hub.announceLogAdvance(advance));
  events.on('dispute.recorded', ({ next, event }) => {
    hub.invalidateDispute(next._id);
    if (event.type === 'assigned' && event.data.previousMediatorId) {
      hub.removeFromDispute(event.data.previousMediatorId, next._id);
    }
    lists.now(next._id);
  });
  events.on('user.changed', ({ userId }) => hub.invalidateUser(userId));
  events.on('token.revoked', ({ tokenId }) => {
    hub.invalidateToken(tokenId);
    hub.disconnectToken(tokenId);
  });
  events.on('session.ended', ({ sid }) => hub.disconnectSession(sid));
}
