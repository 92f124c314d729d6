const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string, locale: string | undefined): Intl.NumberFormat {
  const key = `${locale ?? ''}|${currency}`;
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    } catch {
      // An unknown currency code still shows an amount.
      f = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    formatters.set(key, f);
  }
  return f;
}

/**
 * Integer cents as money in the dispute's currency, e.g. 123456 USD → "$1,234.56" in `en-US`.
 * Without a locale, the runtime's own (a browser's): text stored once for every reader names one.
 */
export function formatMoney(cents: number, currency: string, locale?: string): string {
  return formatter(currency, locale).format(cents / 100);
}
