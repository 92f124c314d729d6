import { renderSystemMessage, type Message } from '@dispute-room/shared';
import { t } from '../i18n';
import { formatMoney } from './money';

/**
 * The line a system entry shows in the thread: the shared registry's wording (the server
 * stores the same), with names and money for this reader; else the stored text, else the
 * event type.
 */
export function describeSystemMessage(
  message: Pick<Message, 'body' | 'event'>,
  nameOf: (userId: string) => string,
): string {
  const event = message.event;
  const worded = renderSystemMessage(event, {
    nameOf,
    money: (c, cur) => formatMoney(c, cur),
    t,
  });
  if (worded) return worded;
  if (message.body.trim()) return message.body;
  if (event?.type) {
    const words = event.type.replace(/[_:.-]+/g, ' ').trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }
  return t('system.update');
}
