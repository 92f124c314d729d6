import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'date-fns';
import { describe, expect, it } from 'vitest';
import { catalogs, locales, translatorFor, type Catalog } from '@dispute-room/shared';

/*
 * The catalogs are checked against each other and against the code: a key the code uses that
 * English lacks, a key another language lacks (or only has in some plural forms), or a
 * wording whose placeholders differ from English fails here, before anyone sees a raw key.
 */

const pluralSuffix = /_(zero|one|two|few|many|other)$/;

function flatten(catalog: Catalog, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(catalog)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

/** Keys with their plural forms folded: "common.unread" → {one, other} (English). */
function fold(flat: Map<string, string>): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const [key, value] of flat) {
    const match = pluralSuffix.exec(key);
    const base = match ? key.slice(0, match.index) : key;
    const form = match ? match[1]! : '';
    if (!out.has(base)) out.set(base, new Map());
    out.get(base)!.set(form, value);
  }
  return out;
}

const placeholders = (text: string) =>
  [...text.matchAll(/\{\{\s*(\w+)\s*\}\}|<\/?(\w+)\s*\/?>/g)]
    .map((m) => m[1] ?? `<${m[2]}>`)
    .sort()
    .filter((p, i, all) => all.indexOf(p) === i);

const english = fold(flatten(catalogs.en));

describe('catalogs', () => {
  for (const locale of locales.filter((l) => l !== 'en')) {
    describe(locale, () => {
      const catalog = fold(flatten(catalogs[locale]));
      const forms = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;

      it('has every English key, in each plural form the language needs, and no others', () => {
        const problems: string[] = [];
        for (const [key, en] of english) {
          const own = catalog.get(key);
          if (!own) {
            problems.push(`missing ${key}`);
            continue;
          }
          const plural = en.has('other');
          const wanted = plural ? [...forms].sort() : [''];
          const have = [...own.keys()].sort();
          if (wanted.join() !== have.join())
            problems.push(
              `${key}: forms ${have.join('|') || '-'}, needs ${wanted.join('|') || '-'}`,
            );
        }
        for (const key of catalog.keys()) if (!english.has(key)) problems.push(`extra ${key}`);
        expect(problems).toEqual([]);
      });

      it('keeps the placeholders and markup of English, and translates', () => {
        const problems: string[] = [];
        let same = 0;
        let total = 0;
        for (const [key, en] of english) {
          const own = catalog.get(key);
          if (!own) continue;
          // A plural form may leave the number out ("Last day"), never add one English lacks.
          const enPlaceholders = new Set(placeholders(en.get('other') ?? en.get('')!));
          for (const [form, text] of own) {
            if (!text.trim()) problems.push(`${key}${form && `_${form}`} is empty`);
            const extra = placeholders(text).filter((p) => !enPlaceholders.has(p) && p !== 'count');
            const missing = form
              ? []
              : [...enPlaceholders].filter((p) => !placeholders(text).includes(p));
            if (extra.length || missing.length)
              problems.push(`${key}${form && `_${form}`}: ${[...extra, ...missing].join(', ')}`);
            total += 1;
            if (text === (en.get(form) ?? en.get('other'))) same += 1;
          }
        }
        expect(problems).toEqual([]);
        // Proper names and loanwords ("Freelancer", "PDF") may stay; a copied catalog may not.
        expect(same / total).toBeLessThan(0.08);
      });

      it('has date patterns date-fns can format', () => {
        for (const [key, value] of flatten(catalogs[locale]))
          if (key.startsWith('date.')) expect(() => format(new Date(0), value)).not.toThrow();
      });
    });
  }
});

/** Every source file of the product (not tests), for the keys it uses. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

const root = join(import.meta.dirname, '../..');
const code = ['client/src', 'shared/src', 'server/src']
  .flatMap((d) => sources(join(root, d)))
  .map((path) => ({ path, text: readFileSync(path, 'utf8') }));

describe('keys used in code', () => {
  const known = (key: string) => english.has(key);
  const prefixes = new Set([...english.keys()].map((k) => k.split('.').slice(0, -1).join('.')));

  it('exist in English: t("…"), i18nKey="…" and labels kept as keys', () => {
    const missing: string[] = [];
    // t('a.b'), t("a.b", …), say('a.b'), translate('a.b'), i18nKey="a.b", label: 'nav.x'.
    const call = /\b(?:t|say|translate|i18n\.t)\(\s*['"]([\w.-]+)['"]/g;
    const attr = /i18nKey=["']([\w.-]+)["']/g;
    for (const { path, text } of code) {
      for (const m of [...text.matchAll(call), ...text.matchAll(attr)])
        if (!known(m[1]!)) missing.push(`${path.slice(root.length + 1)}: ${m[1]}`);
    }
    expect(missing).toEqual([]);
  });

  it('built from a prefix (t(`state.${state}`)) have that prefix in English', () => {
    const missing: string[] = [];
    const template = /\b(?:t|say|translate)\(\s*`([\w.]+)\.\$\{/g;
    const attr = /i18nKey=\{`([\w.]+)\.\$\{/g;
    for (const { path, text } of code) {
      for (const m of [...text.matchAll(template), ...text.matchAll(attr)])
        if (!prefixes.has(m[1]!)) missing.push(`${path.slice(root.length + 1)}: ${m[1]}.*`);
    }
    expect(missing).toEqual([]);
  });

  it('a key no catalog has fails loudly instead of showing the key', () => {
    expect(() => translatorFor('de')('no.such.key')).toThrow(/missing translation key/);
    expect(translatorFor('de')('state.open')).toBe('Offen');
    expect(translatorFor('pt-BR')('state.open')).toBe('Open');
  });
});
