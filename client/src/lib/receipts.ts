import type { Message } from '@dispute-room/shared';

/** Who has read up to at least `seq` in a channel, other than the excluded users. */
export function seenBy(
  reads: Record<string, number> | undefined,
  seq: number,
  exclude: readonly string[],
): string[] {
  if (!reads) return [];
  return Object.entries(reads)
    .filter(([userId, readSeq]) => readSeq >= seq && !exclude.includes(userId))
    .map(([userId]) => userId)
    .sort();
}

/** The newest entry the viewer wrote: where "Seen by …" is shown. */
export function lastOwnMessage(messages: readonly Message[], myId: string): Message | null {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const m = messages[i];
    if (m && m.authorId === myId && m.kind !== 'edit') return m;
  }
  return null;
}
