/**
 * Format-preserving card masking: a card number keeps its length, its brand's IIN prefix
 * (at most 6 digits, PCI DSS's permitted BIN display; the first digit when no brand fits)
 * and a valid Luhn check digit; the rest is keyed random.
 *
 * In text, a card is any Luhn-valid run of 13–19 digits, optionally grouped with single
 * spaces or dashes. When a digit run is longer than one card (digits glued to a card), every
 * digit of the run is masked, so a card can never survive next to other digits.
 */
import { IIN_RANGES, brandOf } from '../data/card-brands.js';
import { luhnCheckDigit, luhnValid } from '../data/test-cards.js';
import { KeyedStream } from './keyed-random.js';

export const MIN_PAN = 13;
export const MAX_PAN = 19;
const DIGIT_RUN = /\d(?:[ -]?\d)*/g;

/** Digits of the brand prefix to keep for `digits` (the matched IIN range's prefix, else 1). */
export function keptPrefixLength(digits: string): number {
  for (const r of IIN_RANGES) {
    const p = digits.slice(0, r.from.length);
    if (p.length === r.from.length && p >= r.from && p <= r.to && r.lengths.includes(digits.length)) return Math.min(6, r.from.length);
  }
  return 1;
}

/**
 * The masked digits for a card's digits (deterministic per key): same length, same brand
 * (or still no brand), the brand's IIN prefix, a valid Luhn digit, never the input.
 */
export function maskCardDigits(digits: string, key: Buffer): string {
  const stream = new KeyedStream(key, 'card', digits);
  const keep = keptPrefixLength(digits);
  const brand = brandOf(digits);
  let fallback: string | undefined;
  for (let attempt = 0; attempt < 64; attempt++) {
    let payload = digits.slice(0, keep);
    while (payload.length < digits.length - 1) payload += stream.digit();
    const out = payload + luhnCheckDigit(payload);
    if (out === digits) continue;
    // Random digits after a short prefix can land in another brand's range (62 → Discover's 622126–622925).
    if (brandOf(out) === brand) return out;
    fallback ??= out;
  }
  if (fallback !== undefined) return fallback;
  const zeros = digits.slice(0, keep) + '0'.repeat(digits.length - keep - 1);
  return zeros + luhnCheckDigit(zeros);
}

/** Whether `digits` holds a Luhn-valid window of 13–19 digits. */
function hasCardWindow(digits: string): boolean {
  for (let i = 0; i + MIN_PAN <= digits.length; i++) {
    for (let n = MIN_PAN; n <= MAX_PAN && i + n <= digits.length; n++) if (luhnValid(digits.slice(i, i + n))) return true;
  }
  return false;
}

/** Masked digits for a whole run: one card when it is one, else every digit replaced. */
function maskRunDigits(digits: string, key: Buffer): string {
  if (digits.length <= MAX_PAN && luhnValid(digits)) return maskCardDigits(digits, key);
  const stream = new KeyedStream(key, 'digit-run', digits);
  for (;;) {
    let out = '';
    for (let i = 0; i < digits.length; i++) out += stream.digit();
    // ≥13 random digits equal to the input: practically never; draw again rather than return it.
    if (out !== digits) return out;
  }
}

/**
 * Replaces every card-like digit run in `text` (separators kept in place).
 * Returns the text and how many runs were masked.
 */
export function maskCardsInText(text: string, key: Buffer): { text: string; count: number } {
  let count = 0;
  const out = text.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/[ -]/g, '');
    if (digits.length < MIN_PAN || !hasCardWindow(digits)) return run;
    count++;
    const masked = maskRunDigits(digits, key);
    let j = 0;
    return run.replace(/\d/g, () => masked[j++]!);
  });
  return { text: out, count };
}

/**
 * A JSON number that is a card (safe integer, Luhn-valid, in a brand's IIN range with its
 * length): its masked number. Other numbers (ms timestamps, amounts) are left alone. Every
 * brand range starts below 9007, so a masked 16-digit card stays a safe integer.
 */
export function maskCardNumber(n: number, key: Buffer): number | undefined {
  if (!Number.isSafeInteger(n) || n <= 0) return undefined;
  const digits = String(n);
  if (digits.length < MIN_PAN || !luhnValid(digits) || brandOf(digits) === undefined) return undefined;
  const m = Number(maskCardDigits(digits, key));
  return Number.isSafeInteger(m) ? m : undefined;
}
