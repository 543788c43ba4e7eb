import { describe, expect, it } from 'vitest';
import { CURRENCIES, CURRENCY_CODES, formatMinor, isCurrencyCode } from '../../../harness/data/currencies.js';

describe('currencies', () => {
  it('uses the ISO 4217 exponents', () => {
    expect(CURRENCIES.EUR.decimals).toBe(2);
    expect(CURRENCIES.USD.decimals).toBe(2);
    expect(CURRENCIES.GBP.decimals).toBe(2);
    expect(CURRENCIES.JPY.decimals).toBe(0);
    expect(CURRENCIES.KWD.decimals).toBe(3);
  });

  it('has positive, ordered integer ranges', () => {
    for (const c of CURRENCY_CODES) {
      const s = CURRENCIES[c];
      expect(s.code).toBe(c);
      expect(Number.isInteger(s.minAmount) && s.minAmount >= 1).toBe(true);
      expect(s.maxAmount).toBeGreaterThan(s.minAmount);
    }
  });

  it('formats minor units', () => {
    expect(formatMinor(1999, 'EUR')).toBe('19.99');
    expect(formatMinor(5, 'USD')).toBe('0.05');
    expect(formatMinor(1999, 'JPY')).toBe('1999');
    expect(formatMinor(1999, 'KWD')).toBe('1.999');
    expect(formatMinor(-150, 'GBP')).toBe('-1.50');
  });

  it('recognises codes', () => {
    expect(isCurrencyCode('KWD')).toBe(true);
    expect(isCurrencyCode('eur')).toBe(false);
    expect(isCurrencyCode(1)).toBe(false);
  });
});
