import {
  createI18n,
  resolveLocale,
  textDirection,
  type Locale,
  type Translate,
} from '@dispute-room/shared';
import type { Locale as DateLocale } from 'date-fns';
import { ar, de, enUS, es } from 'date-fns/locale';
import { initReactI18next } from 'react-i18next';

/** The browser's languages in order of preference: the interface's until the user picks one. */
export function browserLocale(): Locale {
  const nav = typeof navigator === 'undefined' ? undefined : navigator;
  return resolveLocale(nav ? [...(nav.languages ?? []), nav.language] : []);
}

function reportMissing(key: string): void {
  // Tests fail on a key no catalog has; a development build says so in the console.
  if (import.meta.env.MODE === 'test') throw new Error(`missing translation key: ${key}`);
  if (import.meta.env.DEV) console.error(`missing translation key: ${key}`); // eslint-disable-line no-console
}

/** The interface's one i18next instance (react-i18next re-renders what uses it on a change). */
export const i18n = createI18n(browserLocale(), {
  plugins: [initReactI18next],
  onMissingKey: reportMissing,
  react: { useSuspense: false },
});

/** For code outside components (helpers, stores): the current language's wording. */
export const t: Translate = (key, options) => i18n.t(key, options ?? {}) as string;

export function currentLocale(): Locale {
  return resolveLocale([i18n.language]);
}

/**
 * The tag numbers and money are formatted with: the browser's own when it is the same
 * language (en-GB keeps its £ and dates), else the interface's language.
 */
export function formattingLocale(): string {
  const locale = currentLocale();
  const nav = typeof navigator === 'undefined' ? undefined : navigator;
  const tags = nav ? [...(nav.languages ?? []), nav.language] : [];
  return tags.find((tag) => tag && resolveLocale([tag]) === locale && tag.includes('-')) ?? locale;
}

const dateLocales: Record<Locale, DateLocale> = { en: enUS, es, de, ar };

/** date-fns' locale of the current language: month and day names. */
export function dateLocale(): DateLocale {
  return dateLocales[currentLocale()];
}

/** `<html lang dir>` follow the language: screen readers, axe and the mirrored layout read them. */
function applyToDocument(locale: Locale): void {
  if (typeof document === 'undefined') return;
  document.documentElement.lang = locale;
  document.documentElement.dir = textDirection(locale);
}

applyToDocument(currentLocale());
i18n.on('languageChanged', () => applyToDocument(currentLocale()));

/** Switches the interface, at once, to a language tag (a preference such as "de" or "pt-BR"). */
export function switchLocale(tag: string | null): void {
  const next = tag ? resolveLocale([tag]) : browserLocale();
  if (next !== currentLocale()) void i18n.changeLanguage(next);
}
