import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brandOf } from '../../../harness/data/card-brands.js';
import { SyntheticData, groupPan } from '../../../harness/data/synthetic.js';
import { TEST_CARDS, luhnCheckDigit, luhnValid } from '../../../harness/data/test-cards.js';
import { findCardNumbers } from '../../../harness/leaks/detectors/card-number.js';

const ctx = { plantedDigits: new Set<string>(), maxHits: 1000 };
const found = (text: string, planted: string[] = []) =>
  findCardNumbers(text, { plantedDigits: new Set(planted), maxHits: 1000 }).map((h) => text.slice(h.start, h.end));

describe('card-number detector finds cards', () => {
  it.each(TEST_CARDS.map((c) => c.pan))('%s plain, spaced, dashed and inside text', (pan) => {
    const spaced = groupPan(pan);
    const dashed = spaced.replace(/ /g, '-');
    expect(found(pan)).toEqual([pan]);
    expect(found(`card=${spaced};`)).toEqual([spaced]);
    expect(found(`{"pan":"${dashed}"}`)).toEqual([dashed]);
    expect(found(`x${pan}y`)).toEqual([pan]);
    expect(found(`order 12 ${spaced} exp 12/34`)).toEqual([spaced]);
  });

  it('any Luhn-valid number in a major IIN range, in any position of a log line', () => {
    const prefixes = ['4', '51', '55', '2221', '2720', '34', '37', '6011', '65', '3528', '36', '62'];
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 20, maxLength: 20 }), fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (prefix, rest, before, after) => {
        const length = prefix === '34' || prefix === '37' ? 15 : prefix === '36' ? 14 : 16;
        const payload = (prefix + rest).slice(0, length - 1);
        const pan = payload + luhnCheckDigit(payload);
        fc.pre(brandOf(pan) !== undefined);
        const pre = before.replace(/[\d -]+$/, '') + ' ';
        const post = ' ' + after.replace(/^[\d -]+/, '');
        expect(found(`${pre}${pan}${post}`)).toEqual([pan]);
      }),
    );
  });

  it('planted numbers are found even outside known ranges; 13-digit only when test or planted', () => {
    const odd = '9' + '00000000000' ;
    const planted = odd + luhnCheckDigit(odd);
    expect(found(planted)).toEqual([]);
    expect(found(planted, [planted])).toEqual([planted]);
    expect(found('4222222222222')).toEqual(['4222222222222']);
    const visa13 = '400000000000' + luhnCheckDigit('400000000000');
    expect(found(visa13)).toEqual([]);
  });

  it('masks as first4 **** **** last4', () => {
    const [h] = findCardNumbers('pan 4242-4242-4242-4242', ctx);
    expect(h!.mask).toBe('4242 **** **** 4242');
  });
});

describe('card-number detector does not flag', () => {
  // Limits (README): µs timestamps from 2040 enter Mastercard's 2221–2720 range, ns ones from 2096 Visa's.
  it('millisecond, microsecond and nanosecond timestamps of 2001–2039', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2001, 8, 9, 1, 46, 40), max: Date.UTC(2039, 11, 31) }), fc.integer({ min: 0, max: 999_999 }), (ms, sub) => {
        const us = `${ms}${String(sub % 1000).padStart(3, '0')}`;
        const ns = `${ms}${String(sub).padStart(6, '0')}`;
        expect(found(`{"ts":${ms},"us":${us},"ns":"${ns}","t":"${ms} ${ms}"}`)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('millisecond timestamps until 2286', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2001, 8, 9, 1, 46, 40), max: Date.UTC(2286, 0, 1) }), (ms) => {
        expect(found(`{"ts":${ms}}`)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('UUIDs, including all-digit ones', () => {
    fc.assert(
      fc.property(fc.uuid(), (u) => {
        expect(found(`req ${u} ${u.replace(/[a-f]/g, '4')} ${u.replace(/[a-f]/g, '5')}`)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('amounts, dates, phone numbers, ids, hashes and long digit runs', () => {
    const text = [
      'amount=1999 EUR 19.99 KWD 1.999 JPY 700000',
      '2026-12-03T16:30:07.123Z 2026-12-03 16:30:07',
      '+49 30 12345678 (0354) 628064511 +1-555-010-4242',
      'sha ' + '4242424242424242' + '4242424242424242', // 32-digit run: an id, not a card
      'ip 127.0.0.1:8080 port 4242',
    ].join('\n');
    expect(found(text)).toEqual([]);
  });

  it('the ids and numbers of generated events (any seed)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const d = new SyntheticData(seed);
        const text = JSON.stringify([d.event('payment.captured'), d.event('refund.requested'), d.event('payout.requested'), d.customer()]);
        expect(found(text)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it('Luhn-invalid card-shaped numbers', () => {
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(found('4242 4242 4242 4241')).toEqual([]);
  });

  it('digit runs inside identifiers (hex hashes, UUID segments) unless they are test cards', () => {
    const inRange = '4000000000000002'; // Luhn-valid Visa-range, not a published test card
    expect(luhnValid(inRange)).toBe(true);
    expect(found(`sha256 ab${inRange}cd`)).toEqual([]);
    expect(found(`id 59cf4287-0000-1000-8000-000a00000000`)).toEqual([]);
    expect(found(`pan ${inRange};`)).toEqual([inRange]);
    expect(found('x4242424242424242y')).toEqual(['4242424242424242']);
  });

  it('mixed separators or non-card grouping', () => {
    expect(found('4242 4242-4242 4242')).toEqual([]);
    expect(found('424 2424 2424 24242')).toEqual([]);
    expect(found('42424 24242 424242')).toEqual([]);
  });
});
