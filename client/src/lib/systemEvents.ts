import type { DisputeState, Message } from '@dispute-room/shared';
import { stateLabels } from './disputes';

function stateName(value: unknown): string | null {
  return typeof value === 'string' && value in stateLabels
    ? stateLabels[value as DisputeState]
    : null;
}

/**
 * The line a system entry shows in the thread. Known events are worded here (with
 * names); others fall back to the server's text, then to the event type.
 */
export function describeSystemMessage(
  message: Pick<Message, 'body' | 'event'>,
  nameOf: (userId: string) => string,
): string {
  const event = message.event;
  if (event?.type === 'state_changed') {
    const from = stateName(event.from);
    const to = stateName(event.to);
    if (to) return from ? `Dispute moved from ${from} to ${to}` : `Dispute is now ${to}`;
  }
  if (event?.type === 'assigned' && typeof event.mediatorId === 'string') {
    return `${nameOf(event.mediatorId)} joined as mediator`;
  }
  if (message.body.trim()) return message.body;
  if (event?.type) {
    const words = event.type.replace(/[_:.-]+/g, ' ').trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }
  return 'Update';
}
