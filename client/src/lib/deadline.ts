import { tz } from '@date-fns/tz';
import type { Dispute } from '@dispute-room/shared';
import { differenceInBusinessDays } from 'date-fns';
import { t } from '../i18n';
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

type DeadlineFields = Pick<Dispute, 'state' | 'respondBy' | 'mediationEndsBy' | 'closedAt'>;

const closedStates = new Set(['resolved', 'arbitration', 'withdrawn']);

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
    if (ms <= 0) return { label: t('deadline.responseOverdue'), tone: 'overdue', at };
    const days = differenceInBusinessDays(at, now, { in: tz(safeZone(zone)) });
    if (days >= 1) {
      return {
        label: t('deadline.respondsInBusinessDays', { count: days }),
        tone: ms < DAY_MS * 2 ? 'soon' : 'normal',
        at,
      };
    }
    return {
      label: t('deadline.respondsIn', { time: durationWords(ms) }),
      tone: 'soon',
      at,
    };
  }
  if (state === 'mediation') {
    const at = dispute.mediationEndsBy;
    if (!at) return { label: t('deadline.inMediation'), tone: 'normal', at: null };
    const ms = Date.parse(at) - now.getTime();
    if (ms <= 0) return { label: t('deadline.mediationUp'), tone: 'overdue', at };
    return {
      label: t('deadline.mediationEndsIn', { time: durationWords(ms) }),
      tone: ms < DAY_MS * 2 ? 'soon' : 'normal',
      at,
    };
  }
  const at = dispute.closedAt;
  const verb = closedStates.has(state) ? state : 'closed';
  return {
    label: at
      ? t(`deadline.closedAt.${verb}`, { when: relativeTime(at, now, zone) })
      : t(`deadline.closed.${verb}`),
    tone: 'closed',
    at,
  };
}
