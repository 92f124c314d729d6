import { disputeStates, reasons, type Channel, type Dispute } from '@dispute-room/shared';
import { translatedLabels } from './labels';

export const stateLabels = translatedLabels('state', disputeStates);
export const reasonLabels = translatedLabels('reason', reasons);

/** Unread entries over all the channels the viewer reads. */
export function totalUnread(dispute: Pick<Dispute, 'unread'>): number {
  let sum = 0;
  for (const n of Object.values(dispute.unread)) sum += n ?? 0;
  return sum;
}

/** The inbox order: most recently changed first. */
export function byRecentActivity(a: Dispute, b: Dispute): number {
  return Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || a.number.localeCompare(b.number);
}

/** The mediator queue order: the nearest deadline first, then the longest waiting. */
export function byQueuePriority(a: Dispute, b: Dispute): number {
  const deadline = (d: Dispute) => Date.parse(d.mediationEndsBy ?? d.respondBy);
  return deadline(a) - deadline(b) || Date.parse(a.createdAt) - Date.parse(b.createdAt);
}

/** Unassigned disputes waiting in mediation: what a mediator may claim. */
export function isInQueue(dispute: Pick<Dispute, 'state' | 'mediatorId'>): boolean {
  return dispute.state === 'mediation' && dispute.mediatorId === null;
}

/**
 * Unread counts as the viewer knows them: a channel they have read up to its head has
 * none, even if the count came from an update computed before their read.
 */
export function withReadFloor(
  dispute: Dispute,
  readUpTo: Partial<Record<Channel, number>> | undefined,
): Dispute {
  if (!readUpTo) return dispute;
  let unread: Dispute['unread'] | null = null;
  for (const [channel, count] of Object.entries(dispute.unread) as [Channel, number][]) {
    const read = readUpTo[channel];
    if (count > 0 && read !== undefined && read >= (dispute.heads[channel] ?? 0)) {
      unread = { ...(unread ?? dispute.unread), [channel]: 0 };
    }
  }
  return unread ? { ...dispute, unread } : dispute;
}

/**
 * A list answer merged into what the viewer already holds. `inScope` says which disputes
 * the query covers: those it no longer returns are dropped, unless they changed after the
 * query was sent (`changedSince`): then the answer predates them — a dispute filed while
 * the list was loading arrives by socket first and must not vanish when the older answer
 * lands. Likewise a dispute removed after the query was sent stays removed, and a copy the
 * viewer holds that is newer than the answer's is kept.
 */
export function mergeListed(
  byId: Record<string, Dispute>,
  inScope: (d: Dispute) => boolean,
  fresh: readonly Dispute[],
  changedSince: ReadonlySet<string>,
): Record<string, Dispute> {
  const next: Record<string, Dispute> = {};
  for (const [id, d] of Object.entries(byId)) {
    if (!inScope(d) || changedSince.has(id)) next[id] = d;
  }
  for (const d of fresh) {
    const known = byId[d.id];
    if (!known && changedSince.has(d.id)) continue;
    if (known && Date.parse(known.updatedAt) > Date.parse(d.updatedAt)) next[d.id] = known;
    else next[d.id] = d;
  }
  return next;
}

/** Where a page of `GET /api/disputes` ends: the last dispute it listed. */
export type ListBound = Pick<Dispute, 'createdAt' | 'id'>;

/** Whether `a` comes after `b` in the server's list order (newest filing first, then id). */
function listedAfter(a: ListBound, b: ListBound): boolean {
  const at = Date.parse(a.createdAt) - Date.parse(b.createdAt);
  return at < 0 || (at === 0 && a.id < b.id);
}

/** The last dispute of a page, as the bound of what the next page covers. */
export const boundOf = (page: readonly Dispute[]): ListBound | null => {
  const last = page.at(-1);
  return last ? { createdAt: last.createdAt, id: last.id } : null;
};

/**
 * Whether a dispute falls within the part of the list one page covers: after the page before
 * it (`after`, null for the first page) and up to its own last dispute (`through`, null when it
 * is the last page). A page merged with `mergeListed` drops only what it covers, so the older
 * pages already shown survive a reload of the first.
 */
export function coveredByPage(d: ListBound, after: ListBound | null, through: ListBound | null) {
  return (!after || listedAfter(d, after)) && (!through || !listedAfter(d, through));
}
