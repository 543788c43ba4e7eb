/**
 * Published test card numbers (the card networks' and processors' documented test ranges).
 * The synthetic dataset draws every card from this list, so a real PAN can never enter
 * the sandbox; events carry only brand, last4 and a `tok_…` token.
 */
import type { CardBrand } from './card-brands.js';

export interface TestCard {
  pan: string;
  brand: CardBrand;
  funding: 'credit' | 'debit' | 'prepaid';
}

export const TEST_CARDS: readonly TestCard[] = [
  { pan: '4242424242424242', brand: 'visa', funding: 'credit' },
  { pan: '4000056655665556', brand: 'visa', funding: 'debit' },
  { pan: '4012888888881881', brand: 'visa', funding: 'credit' },
  { pan: '4111111111111111', brand: 'visa', funding: 'credit' },
  { pan: '4222222222222', brand: 'visa', funding: 'credit' },
  { pan: '5555555555554444', brand: 'mastercard', funding: 'credit' },
  { pan: '2223003122003222', brand: 'mastercard', funding: 'credit' },
  { pan: '5200828282828210', brand: 'mastercard', funding: 'debit' },
  { pan: '5105105105105100', brand: 'mastercard', funding: 'prepaid' },
  { pan: '378282246310005', brand: 'amex', funding: 'credit' },
  { pan: '371449635398431', brand: 'amex', funding: 'credit' },
  { pan: '6011111111111117', brand: 'discover', funding: 'credit' },
  { pan: '6011000990139424', brand: 'discover', funding: 'credit' },
  { pan: '3056930009020004', brand: 'diners', funding: 'credit' },
  { pan: '36227206271667', brand: 'diners', funding: 'credit' },
  { pan: '3566002020360505', brand: 'jcb', funding: 'credit' },
  { pan: '6200000000000005', brand: 'unionpay', funding: 'credit' },
];

const TEST_PANS: ReadonlySet<string> = new Set(TEST_CARDS.map((c) => c.pan));

export function isTestCard(digits: string): boolean {
  return TEST_PANS.has(digits);
}

/**
 * Luhn (mod 10) check over a digit string; false for anything that is not 2+ digits.
 * @example luhnValid('4242424242424242') // true
 */
export function luhnValid(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  return luhnSum(digits, false) % 10 === 0;
}

/**
 * The check digit that makes `payload + digit` Luhn-valid.
 * @example luhnCheckDigit('424242424242424') // '2'
 */
export function luhnCheckDigit(payload: string): string {
  if (!/^\d+$/.test(payload)) throw new TypeError(`luhnCheckDigit: payload must be digits, got ${JSON.stringify(payload.slice(0, 40))}`);
  return String((10 - (luhnSum(payload, true) % 10)) % 10);
}

/** Sum with every second digit doubled, counting from the right; `doubleFirst` for a payload without its check digit. */
function luhnSum(digits: string, doubleFirst: boolean): number {
  let sum = 0;
  let double = doubleFirst;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum;
}

/** BIN (first 6) and last 4 with the middle masked: PCI DSS's widest permitted display. */
export function maskPan(digits: string): string {
  if (digits.length < 10) return '*'.repeat(digits.length);
  return `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;
}
