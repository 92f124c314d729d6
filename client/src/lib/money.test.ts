import { describe, expect, it } from 'vitest';
import { centsToInput, formatMoney, isValidSplit, parseMoney } from './money';

describe('formatMoney', () => {
  it('formats cents in the currency', () => {
    expect(formatMoney(123456, 'USD', 'en-US')).toBe('$1,234.56');
    expect(formatMoney(5000, 'EUR', 'en-US')).toBe('€50.00');
    expect(formatMoney(0, 'GBP', 'en-GB')).toBe('£0.00');
  });

  it('still shows an amount for an unknown currency', () => {
    expect(formatMoney(100, 'nope', 'en-US')).toBe('1.00');
  });
});

describe('parseMoney', () => {
  it('reads plain amounts into cents', () => {
    expect(parseMoney('12')).toBe(1200);
    expect(parseMoney('12.5')).toBe(1250);
    expect(parseMoney(' 1,234.56 ')).toBe(123456);
    expect(parseMoney('0.07')).toBe(7);
  });

  it('rejects anything else', () => {
    expect(parseMoney('')).toBeNull();
    expect(parseMoney('-1')).toBeNull();
    expect(parseMoney('1.234')).toBeNull();
    expect(parseMoney('abc')).toBeNull();
  });

  it('round-trips through the input text', () => {
    expect(parseMoney(centsToInput(98765))).toBe(98765);
  });
});

describe('isValidSplit', () => {
  it('requires the shares to add up to the escrow', () => {
    expect(isValidSplit(300, 700, 1000)).toBe(true);
    expect(isValidSplit(300, 600, 1000)).toBe(false);
    expect(isValidSplit(-1, 1001, 1000)).toBe(false);
    expect(isValidSplit(0.5, 999.5, 1000)).toBe(false);
  });
});
