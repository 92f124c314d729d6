import { t } from '../i18n';

/**
 * A record of labels read from the catalog at each access (`stateLabels.open`), so callers
 * keep indexing by value and always get the current language's word.
 */
export function translatedLabels<K extends string>(
  prefix: string,
  keys: readonly K[],
): Record<K, string> {
  const labels = {} as Record<K, string>;
  for (const key of keys) {
    Object.defineProperty(labels, key, { enumerable: true, get: () => t(`${prefix}.${key}`) });
  }
  return labels;
}
