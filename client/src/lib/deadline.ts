import { tz } from '@date-fns/tz';
import type { Dispute } from '@dispute-room/shared';
import { differenceInBusinessDays } from 'date-fns';
import { durationWords } from './duration';
import { relativeTime, safeZone } from './time';

export type DeadlineTone = 'normal' | 'soon' | 'overdue' | 'closed';

export interface Deadline {
  label: string;
  tone: DeadlineTone;
  /** The instant the label counts towards, for a countdown or a tooltip. */
  at: string | null;
}

const DAY_MS = 86_400_000;

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

type DeadlineFields = Pick<Dispute, 'state' | 'respondBy' | 'mediationEndsBy' | 'closedAt'>;

const closedVerb: Record<string, string> = {
  resolved: 'resolved',
  arbitration: 'sent to arbitration',
  withdrawn: 'withdrawn',
};

/**
 * What the next deadline of a dispute means to a person right now: the respondent's
 * answer while open (counted in business days in the viewer's zone), the end of mediation
 * while in mediation, when it closed otherwise.
 */
export function describeDeadline(dispute: DeadlineFields, now: Date, zone: string): Deadline {
  const { state } = dispute;
  if (state === 'open') {
    const at = dispute.respondBy;
    const ms = Date.parse(at) - now.getTime();
    if (ms <= 0) return { label: 'response overdue', tone: 'overdue', at };
    const days = differenceInBusinessDays(at, now, { in: tz(safeZone(zone)) });
    if (days >= 1) {
      return {
        label: `responds in ${plural(days, 'business day')}`,
        tone: ms < DAY_MS * 2 ? 'soon' : 'normal',
        at,
      };
    }
    return {
      label: `responds in ${durationWords(ms)}`,
      tone: 'soon',
      at,
    };
  }
  if (state === 'mediation') {
    const at = dispute.mediationEndsBy;
    if (!at) return { label: 'in mediation', tone: 'normal', at: null };
    const ms = Date.parse(at) - now.getTime();
    if (ms <= 0) return { label: 'mediation time is up', tone: 'overdue', at };
    return {
      label: `mediation ends in ${durationWords(ms)}`,
      tone: ms < DAY_MS * 2 ? 'soon' : 'normal',
      at,
    };
  }
  const at = dispute.closedAt;
  const verb = closedVerb[state] ?? 'closed';
  return { label: at ? `${verb} ${relativeTime(at, now, zone)}` : verb, tone: 'closed', at };
}
