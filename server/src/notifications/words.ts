import { formatDistanceStrict, type Locale as DateLocale } from 'date-fns';
import { ar, de, enUS, es } from 'date-fns/locale';
import {
  formatMoney,
  resolveLocale,
  translatorFor,
  type Channel,
  type Locale,
  type Translate,
} from '@dispute-room/shared';
import type { UserService } from '../users/service.js';
import type { NotificationService } from './service.js';

const dateLocales: Record<Locale, DateLocale> = { en: enUS, es, de, ar };

/** How one reader is told things: their language, their time zone, their way of writing money. */
export interface ReaderWords {
  t: Translate;
  locale: Locale;
  money(cents: number, currency: string): string;
  /** A moment, in the reader's zone and language, with the zone named. */
  when(at: Date): string;
  /** How long until `due`, in words ("2 days"). */
  left(due: Date, now: Date): string;
  /** A channel's name as this reader sees it (a party's caucus is their private channel). */
  channel(channel: Channel, isParty: boolean): string;
}

export function readerWords(localeTag: string | null | undefined, timeZone: string): ReaderWords {
  const locale = resolveLocale([localeTag]);
  const t = translatorFor(locale);
  let zone = timeZone;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    zone = 'UTC';
  }
  // dateStyle/timeStyle cannot name the zone: the fields one by one.
  const dates = new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: zone,
    timeZoneName: 'short',
  });
  return {
    t,
    locale,
    money: (cents, currency) => formatMoney(cents, currency, locale),
    when: (at) => dates.format(at),
    left: (due, now) =>
      formatDistanceStrict(due, now, { roundingMethod: 'round', locale: dateLocales[locale] }),
    channel: (channel, isParty) =>
      isParty && channel !== 'joint'
        ? t('channel.party.private')
        : t(
            channel === 'joint'
              ? 'channel.staff.joint'
              : channel === 'caucus:client'
                ? 'channel.staff.caucusClient'
                : channel === 'caucus:freelancer'
                  ? 'channel.staff.caucusFreelancer'
                  : 'channel.staff.internal',
          ),
  };
}

/** The words of a user as a recipient: their chosen language and their own time zone. */
export async function readerWordsOf(
  userId: string,
  deps: { notifications: NotificationService; users: UserService },
): Promise<ReaderWords> {
  const [prefs, user] = await Promise.all([
    deps.notifications.preferences(userId),
    deps.users.byId(userId),
  ]);
  return readerWords(prefs.locale, user?.timezone ?? 'UTC');
}
