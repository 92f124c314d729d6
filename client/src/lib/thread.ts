import type { Channel, Message } from '@dispute-room/shared';

export type MessagesByChannel = Partial<Record<Channel, Message[]>>;

/** Applies `edit` entries to the entries they edit, unless a newer edit is already shown. */
function applyEdits(sorted: Message[], edits: readonly Message[]): Message[] {
  if (edits.length === 0) return sorted;
  const indexById = new Map(sorted.map((m, i) => [m.id, i]));
  const out = sorted.slice();
  for (const edit of edits) {
    if (!edit.editOf) continue;
    const i = indexById.get(edit.editOf);
    const original = i === undefined ? undefined : out[i];
    if (i === undefined || !original) continue;
    if (original.editedAt && Date.parse(original.editedAt) >= Date.parse(edit.createdAt)) continue;
    out[i] = {
      ...original,
      body: edit.body,
      originalBody: original.originalBody ?? original.body,
      editedAt: edit.createdAt,
    };
  }
  return out;
}

function isOlderEdit(incoming: Message, existing: Message): boolean {
  if (!existing.editedAt) return false;
  return !incoming.editedAt || Date.parse(incoming.editedAt) < Date.parse(existing.editedAt);
}

/**
 * Merges entries of one channel into its log: one entry per seq (the incoming copy wins),
 * ascending seq. Returns the same array when nothing changed so selectors stay stable.
 */
export function mergeMessages(
  current: readonly Message[],
  incoming: readonly Message[],
): Message[] {
  if (incoming.length === 0) return current as Message[];
  const bySeq = new Map<number, Message>();
  for (const m of current) bySeq.set(m.seq, m);
  let changed = false;
  for (const m of incoming) {
    const existing = bySeq.get(m.seq);
    if (
      existing &&
      existing.id === m.id &&
      existing.body === m.body &&
      existing.editedAt === m.editedAt
    ) {
      continue;
    }
    // An older copy of an entry that was edited since must not roll the body back.
    if (existing && existing.id === m.id && existing.editedAt && isOlderEdit(m, existing)) continue;
    bySeq.set(m.seq, m);
    changed = true;
  }
  if (!changed) return current as Message[];
  const sorted = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  return applyEdits(
    sorted,
    incoming.filter((m) => m.kind === 'edit'),
  );
}

/** Groups entries by channel, each group merged (deduplicated and ordered). */
export function mergeIntoChannels(
  current: MessagesByChannel,
  incoming: readonly Message[],
): MessagesByChannel {
  if (incoming.length === 0) return current;
  const grouped = new Map<Channel, Message[]>();
  for (const m of incoming) {
    const list = grouped.get(m.channel);
    if (list) list.push(m);
    else grouped.set(m.channel, [m]);
  }
  const next: MessagesByChannel = { ...current };
  let changed = false;
  for (const [channel, list] of grouped) {
    const before = current[channel] ?? [];
    const after = mergeMessages(before, list);
    if (after !== before) {
      next[channel] = after;
      changed = true;
    }
  }
  return changed ? next : current;
}

/**
 * The highest seq up to which the log has no hole (0 when it does not start at 1):
 * what to ask the server for with `after` when backfilling.
 */
export function contiguousHead(messages: readonly Message[]): number {
  let head = 0;
  for (const m of messages) {
    if (m.seq <= head) continue;
    if (m.seq !== head + 1) break;
    head = m.seq;
  }
  return head;
}

/** True when an entry arrives past a hole in the log: some entries were missed. */
export function leavesGap(messages: readonly Message[], incoming: Message): boolean {
  return incoming.seq > contiguousHead(messages) + 1;
}

/** The `after` map of a re-join: each readable channel with its contiguous head. */
export function afterMap(
  byChannel: MessagesByChannel,
  readable: readonly Channel[],
): Partial<Record<Channel, number>> {
  const after: Partial<Record<Channel, number>> = {};
  for (const channel of readable) after[channel] = contiguousHead(byChannel[channel] ?? []);
  return after;
}

/** The seq of the newest entry of a log, 0 when empty. */
export function lastSeq(messages: readonly Message[] | undefined): number {
  return messages && messages.length > 0 ? (messages[messages.length - 1]?.seq ?? 0) : 0;
}

/** Entries shown in the thread: edits are folded into the entry they change. */
export function visibleMessages(messages: readonly Message[]): Message[] {
  return messages.filter((m) => m.kind !== 'edit');
}
