import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brandOf } from '../../../harness/data/card-brands.js';
import { TEST_CARDS, isTestCard, luhnCheckDigit, luhnValid, maskPan } from '../../../harness/data/test-cards.js';

describe('test cards', () => {
  it.each(TEST_CARDS.map((c) => [c.pan, c.brand] as const))('%s is Luhn-valid and a %s', (pan, brand) => {
    expect(luhnValid(pan)).toBe(true);
    expect(brandOf(pan)).toBe(brand);
    expect(isTestCard(pan)).toBe(true);
  });

  it('has no duplicates and covers every brand the schemas allow', () => {
    expect(new Set(TEST_CARDS.map((c) => c.pan)).size).toBe(TEST_CARDS.length);
    expect(new Set(TEST_CARDS.map((c) => c.brand))).toEqual(new Set(['visa', 'mastercard', 'amex', 'discover', 'jcb', 'diners', 'unionpay']));
  });
});

describe('luhn', () => {
  it('known values', () => {
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('4242 4242 4242 4242')).toBe(false); // digits only; callers normalise
    expect(luhnCheckDigit('424242424242424')).toBe('2');
    expect(() => luhnCheckDigit('12a')).toThrow(TypeError);
  });

  it('payload + check digit is valid, and any single-digit change breaks it', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 30 }), fc.nat(), fc.integer({ min: 1, max: 9 }), (payload, pos, delta) => {
        const full = payload + luhnCheckDigit(payload);
        expect(luhnValid(full)).toBe(true);
        const i = pos % full.length;
        const changed = full.slice(0, i) + String((Number(full[i]) + delta) % 10) + full.slice(i + 1);
        expect(luhnValid(changed)).toBe(false);
      }),
    );
  });

  it('maskPan keeps BIN and last4 only', () => {
    expect(maskPan('4242424242424242')).toBe('424242******4242');
    expect(maskPan('378282246310005')).toBe('378282*****0005');
  });
});

describe('brandOf', () => {
  it('needs the right length and prefix', () => {
    expect(brandOf('5555555555554444')).toBe('mastercard');
    expect(brandOf('555555555555444')).toBeUndefined();
    expect(brandOf('1767225600000')).toBeUndefined();
    expect(brandOf('6221260000000000')).toBe('discover');
    expect(brandOf('6200000000000005')).toBe('unionpay');
    expect(brandOf('abc')).toBeUndefined();
  });
});
