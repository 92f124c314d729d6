import {
  createInstance,
  type i18n as I18n,
  type InitOptions,
  type ThirdPartyModule,
} from 'i18next';
import ar from './ar.json' with { type: 'json' };
import de from './de.json' with { type: 'json' };
import en from './en.json' with { type: 'json' };
import es from './es.json' with { type: 'json' };

/**
 * The product's languages. One catalog per language, shared by the client (the interface)
 * and the server (system messages, emails), so a wording exists once per language.
 */
export const locales = ['en', 'es', 'de', 'ar'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'en';

/** Each language named in itself, for the language picker. */
export const localeNames: Record<Locale, string> = {
  en: 'English',
  es: 'Español',
  de: 'Deutsch',
  ar: 'العربية',
};

export type Catalog = { [key: string]: string | Catalog };
export const catalogs: Record<Locale, Catalog> = { en, es, de, ar };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/**
 * The first supported language among language tags in order of preference ("de-AT" → de),
 * else English: a stored preference of a language we do not have yet (pt-BR) falls back too.
 */
export function resolveLocale(tags: readonly (string | null | undefined)[]): Locale {
  for (const tag of tags) {
    const language = tag?.toLowerCase().split('-')[0];
    if (isLocale(language)) return language;
  }
  return defaultLocale;
}

export function textDirection(locale: string): 'ltr' | 'rtl' {
  return resolveLocale([locale]) === 'ar' ? 'rtl' : 'ltr';
}

/** A translation function bound to one language; plurals via `count`. */
export type Translate = (key: string, options?: Record<string, unknown>) => string;

/**
 * An i18next instance over the catalogs, ready at once (they are bundled, nothing loads).
 * `onMissingKey` hears of a key no catalog has (English included): tests make it throw.
 */
export function createI18n(
  locale: Locale,
  opts: {
    onMissingKey?: (key: string) => void;
    /** Plugins such as react-i18next's, registered before init. */
    plugins?: ThirdPartyModule[];
  } & Pick<InitOptions, 'react'> = {},
): I18n {
  const instance = createInstance();
  for (const plugin of opts.plugins ?? []) instance.use(plugin);
  void instance.init({
    lng: locale,
    fallbackLng: defaultLocale,
    supportedLngs: [...locales],
    resources: Object.fromEntries(locales.map((l) => [l, { translation: catalogs[l] }])) as Record<
      Locale,
      { translation: Catalog }
    >,
    initAsync: false,
    // React and text nodes escape already; mail templates escape their own output.
    interpolation: { escapeValue: false },
    returnNull: false,
    saveMissing: Boolean(opts.onMissingKey),
    missingKeyHandler: opts.onMissingKey ? (_lngs, _ns, key) => opts.onMissingKey?.(key) : false,
    ...(opts.react ? { react: opts.react } : {}),
  });
  return instance;
}

let serverInstance: I18n | null = null;

/**
 * A translator for one reader's language (a stored preference such as "de" or "pt-BR"), for
 * text made outside a browser: stored system messages, emails. Missing keys are reported.
 */
export function translatorFor(locale: string | null | undefined): Translate {
  // A missing key fails loudly in development and tests; in production the key shows.
  const strict = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env?.NODE_ENV;
  serverInstance ??= createI18n(
    defaultLocale,
    strict === 'production'
      ? {}
      : {
          onMissingKey: (key) => {
            throw new Error(`missing translation key: ${key}`);
          },
        },
  );
  return serverInstance.getFixedT(resolveLocale([locale])) as unknown as Translate;
}
