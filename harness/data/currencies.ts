/**
 * The sandbox's currencies (contract section 4) with their ISO 4217 minor-unit exponent
 * and a realistic amount range in minor units. The three exponents (0, 2, 3) are what
 * catch connectors that assume "cents" everywhere.
 */
export const CURRENCY_CODES = ['EUR', 'USD', 'GBP', 'JPY', 'KWD'] as const;
export type CurrencyCode = (typeof CURRENCY_CODES)[number];

export interface CurrencySpec {
  code: CurrencyCode;
  /** Digits after the decimal point (ISO 4217 minor unit). */
  decimals: 0 | 2 | 3;
  /** Realistic card payment amount range, in minor units, inclusive. */
  minAmount: number;
  maxAmount: number;
}

export const CURRENCIES: Readonly<Record<CurrencyCode, CurrencySpec>> = {
  EUR: { code: 'EUR', decimals: 2, minAmount: 50, maxAmount: 500_000 }, // 0.50 – 5,000.00
  USD: { code: 'USD', decimals: 2, minAmount: 50, maxAmount: 500_000 },
  GBP: { code: 'GBP', decimals: 2, minAmount: 30, maxAmount: 400_000 },
  JPY: { code: 'JPY', decimals: 0, minAmount: 50, maxAmount: 700_000 }, // ¥50 – ¥700,000
  KWD: { code: 'KWD', decimals: 3, minAmount: 100, maxAmount: 1_500_000 }, // 0.100 – 1,500.000
};

export function isCurrencyCode(v: unknown): v is CurrencyCode {
  return typeof v === 'string' && (CURRENCY_CODES as readonly string[]).includes(v);
}

/**
 * Minor units as a decimal string, for messages and reports.
 * @example formatMinor(1999, 'EUR') // '19.99'; formatMinor(1999, 'JPY') // '1999'; formatMinor(1999, 'KWD') // '1.999'
 */
export function formatMinor(amount: number, currency: CurrencyCode): string {
  const { decimals } = CURRENCIES[currency];
  if (decimals === 0) return String(amount);
  const sign = amount < 0 ? '-' : '';
  const digits = String(Math.abs(amount)).padStart(decimals + 1, '0');
  return `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}
