/**
 * Card brands and their issuer identification number (IIN) ranges.
 *
 * Only the major networks are listed on purpose: the leak detector requires a PAN to sit
 * in one of these ranges with a matching length, which is what keeps 13-digit millisecond
 * timestamps (leading `1`) and similar numbers from being reported as card numbers.
 * Broad ranges such as Maestro (`5`/`6` with 12–19 digits) are left out for the same reason.
 */
export const CARD_BRANDS = ['visa', 'mastercard', 'amex', 'discover', 'jcb', 'diners', 'unionpay'] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];

export interface IinRange {
  brand: CardBrand;
  /** Inclusive prefix range; both ends have the same number of digits. */
  from: string;
  to: string;
  lengths: readonly number[];
}

const len = (min: number, max: number): number[] => Array.from({ length: max - min + 1 }, (_, i) => min + i);

/** Ordered: the first matching range wins (Discover's 622126–622925 before UnionPay's 62). */
export const IIN_RANGES: readonly IinRange[] = [
  { brand: 'visa', from: '4', to: '4', lengths: [13, 16, 19] },
  { brand: 'mastercard', from: '51', to: '55', lengths: [16] },
  { brand: 'mastercard', from: '2221', to: '2720', lengths: [16] },
  { brand: 'amex', from: '34', to: '34', lengths: [15] },
  { brand: 'amex', from: '37', to: '37', lengths: [15] },
  { brand: 'discover', from: '6011', to: '6011', lengths: len(16, 19) },
  { brand: 'discover', from: '644', to: '649', lengths: len(16, 19) },
  { brand: 'discover', from: '65', to: '65', lengths: len(16, 19) },
  { brand: 'discover', from: '622126', to: '622925', lengths: len(16, 19) },
  { brand: 'jcb', from: '3528', to: '3589', lengths: len(16, 19) },
  // Diners lengths as issued (14 and 16), not the 14–19 the network reserves: 19-digit
  // nanosecond timestamps after 2092 start with 38/39.
  { brand: 'diners', from: '300', to: '305', lengths: [14, 16] },
  { brand: 'diners', from: '36', to: '36', lengths: [14] },
  { brand: 'diners', from: '38', to: '39', lengths: [16] },
  { brand: 'unionpay', from: '62', to: '62', lengths: len(16, 19) },
];

/**
 * The brand whose IIN range and length fit `digits` (digits only), or undefined.
 * @example brandOf('4242424242424242') // 'visa'
 */
export function brandOf(digits: string): CardBrand | undefined {
  if (!/^\d+$/.test(digits)) return undefined;
  for (const r of IIN_RANGES) {
    const prefix = digits.slice(0, r.from.length);
    if (prefix.length === r.from.length && prefix >= r.from && prefix <= r.to && r.lengths.includes(digits.length)) return r.brand;
  }
  return undefined;
}
