import { useDisputes } from '../stores/disputes';
import { useNotifications } from '../stores/notifications';
import { navigate } from '../stores/router';
import { useRoom } from '../stores/room';
import { useSession } from '../stores/session';
import { relationTo } from '@dispute-room/shared';
import { isInQueue, withReadFloor } from '../lib/disputes';
import {
  onConnected,
  onDisputeUpdated,
  onMessage,
  readFloorOf,
  resetRoomSync,
  resync,
} from './roomSync';
import { closeSocket, openSocket } from './socket';

/** Reloads the lists the viewer looks at, after events may have been missed. */
function refreshLists(): void {
  const disputes = useDisputes.getState();
  void disputes.load();
  const user = useSession.getState().user;
  if (user?.role === 'mediator') void disputes.loadQueue(user.id);
}

/** Connects the socket after login and routes its events into the stores. */
export function startRealtime(): () => void {
  const socket = openSocket();

  // Every connect, the first one included: a list loaded before the socket was up (right
  // after login) misses whatever changed in between, e.g. a dispute filed against us then.
  socket.on('connect', () => {
    onConnected();
    refreshLists();
    void useNotifications.getState().load();
  });
  socket.on('notification:new', ({ notification }) => {
    useNotifications.getState().receive(notification);
    // Someone on another tab or app: the system's notification (once they allowed it).
    if (document.hidden && 'Notification' in window && Notification.permission === 'granted') {
      const shown = new Notification(notification.title, {
        body: notification.body,
        tag: notification.id,
      });
      shown.onclick = () => {
        window.focus();
        navigate(notification.url);
        shown.close();
      };
    }
  });
  socket.on('dispute:updated', (payload) => {
    // An update may have been counted before our latest read reached the server.
    const dispute = withReadFloor(payload.dispute, readFloorOf(payload.dispute.id));
    const user = useSession.getState().user;
    // Another mediator claimed it: it leaves this mediator's queue and list.
    if (user && relationTo(user, dispute) === 'other_mediator' && !isInQueue(dispute)) {
      useDisputes.getState().remove(dispute.id);
    } else {
      useDisputes.getState().upsert(dispute);
    }
    onDisputeUpdated(dispute);
  });
  socket.on('message:new', ({ message }) => onMessage(message));
  socket.on('typing', ({ disputeId, channel, userId }) => {
    const room = useRoom.getState();
    if (room.disputeId !== disputeId || userId === useSession.getState().user?.id) return;
    room.setTyping(userId, channel, Date.now());
  });
  socket.on('read', ({ disputeId, channel, userId, seq }) => {
    const room = useRoom.getState();
    if (room.disputeId === disputeId) room.setRead(channel, userId, seq);
  });
  socket.on('presence', ({ disputeId, userId, online }) => {
    const room = useRoom.getState();
    if (room.disputeId === disputeId) room.setPresence(userId, online);
  });
  socket.on('resync', () => {
    resync();
    refreshLists();
  });

  return () => {
    closeSocket();
    resetRoomSync();
    useNotifications.getState().clear();
  };
}
