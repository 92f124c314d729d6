import { TZDate } from '@date-fns/tz';
import { addDays, set } from 'date-fns';

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

/**
 * When the recipient's quiet hours end, if `now` falls inside them; null otherwise. Hours are
 * read in the recipient's own zone (a night from 22:00 to 07:00 crosses midnight there).
 */
export function quietUntil(
  now: Date,
  quiet: { start: string; end: string } | null,
  timezone: string,
): Date | null {
  if (!quiet) return null;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return null;
  const local = new TZDate(now, timezone);
  const current = local.getHours() * 60 + local.getMinutes();
  const inside =
    start < end ? current >= start && current < end : current >= start || current < end;
  if (!inside) return null;
  const day = start > end && current >= start ? addDays(local, 1) : local;
  const until = set(day, {
    hours: Math.floor(end / 60),
    minutes: end % 60,
    seconds: 0,
    milliseconds: 0,
  });
  return new Date(until.getTime());
}
