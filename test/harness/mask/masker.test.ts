import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brandOf } from '../../../harness/data/card-brands.js';
import { luhnValid } from '../../../harness/data/test-cards.js';
import { maskDocument } from '../../../harness/mask/formats.js';
import { Masker } from '../../../harness/mask/masker.js';
import { cardTextArb, emailArb, plantedDocArb, secretArb, type Plant } from './arbitraries.js';

const RUNS = Number(process.env.MASK_PROPERTY_RUNS ?? 150);

function masker(key = randomBytes(32)): Masker {
  return new Masker({ key });
}

/** Every rendering of a plant that must not survive: raw and JSON-escaped. */
function renderings(p: Plant): string[] {
  return [...new Set([p.value, JSON.stringify(p.value).slice(1, -1)])];
}

type Shape = string | Shape[] | { keys: number; values: Shape[] };
/** Structure and JSON types, without the values (keys are masked too, so counted, not named). */
function shape(v: unknown): Shape {
  if (Array.isArray(v)) return v.map(shape);
  if (v !== null && typeof v === 'object') return { keys: Object.keys(v).length, values: Object.values(v).map(shape) };
  return v === null ? 'null' : typeof v;
}

/** Pairs of (original leaf, masked leaf) in document order. */
function leaves(a: unknown, b: unknown, out: Array<[unknown, unknown]> = []): Array<[unknown, unknown]> {
  if (Array.isArray(a) && Array.isArray(b)) a.forEach((x, i) => leaves(x, b[i], out));
  else if (a !== null && typeof a === 'object' && b !== null && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    ka.forEach((k, i) => {
      out.push([k, kb[i]]);
      leaves((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[kb[i]!], out);
    });
  } else out.push([a, b]);
  return out;
}

describe('Masker: planted values at any depth', () => {
  it('output contains none of the planted cards, emails and secrets; structure and types are kept', () => {
    fc.assert(
      fc.property(plantedDocArb, ({ doc, plants }) => {
        const m = masker();
        const masked = m.maskJson(doc);
        const text = JSON.stringify(masked);
        for (const p of plants) for (const r of renderings(p)) expect(text.includes(r), `${p.kind} survived`).toBe(false);
        expect(shape(masked)).toEqual(shape(doc));
        // Through the file format too: text in, text out, same shape.
        const viaText = JSON.parse(maskDocument(JSON.stringify(doc, null, 2), 'json', m));
        expect(shape(viaText)).toEqual(shape(doc));
        // JSON text has no -0: compare against the masked value as JSON would carry it.
        expect(viaText).toEqual(JSON.parse(text));
      }),
      { numRuns: RUNS },
    );
  });

  it('equal values mask equally under one key, and the same key gives the same document', () => {
    fc.assert(
      fc.property(plantedDocArb, fc.uint8Array({ minLength: 16, maxLength: 32 }), ({ doc }, keyBytes) => {
        const key = Buffer.from(keyBytes);
        const a = new Masker({ key }).maskJson(doc);
        expect(new Masker({ key }).maskJson(doc)).toEqual(a);
        const byOriginal = new Map<string, unknown>();
        for (const [orig, masked] of leaves(doc, a)) {
          const k = JSON.stringify(orig);
          if (byOriginal.has(k)) expect(masked).toEqual(byOriginal.get(k));
          else byOriginal.set(k, masked);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('leaves null, booleans, small numbers and plain words alone', () => {
    const doc = { a: null, b: true, c: [1, 2.5, -3, 1767225600000], status: 'requested_by_customer', type: 'refund.requested', currency: 'eur' };
    expect(masker().maskJson(doc)).toEqual(doc);
  });
});

describe('Masker: format-preserving replacements', () => {
  it('a card keeps its length, separators, brand prefix and a valid Luhn digit', () => {
    fc.assert(
      fc.property(cardTextArb, (card) => {
        const out = masker().maskString(card);
        expect(out).not.toBe(card);
        expect(out.length).toBe(card.length);
        expect(out.replace(/\d/g, '0')).toBe(card.replace(/\d/g, '0'));
        const d = out.replace(/\D/g, '');
        const orig = card.replace(/\D/g, '');
        expect(luhnValid(d)).toBe(true);
        expect(d[0]).toBe(orig[0]);
        expect(brandOf(d)).toBe(brandOf(orig));
      }),
      { numRuns: RUNS },
    );
  });

  it('an email keeps its local part shape at example.test', () => {
    fc.assert(
      fc.property(emailArb, (email) => {
        const out = masker().maskString(email);
        const local = email.slice(0, email.lastIndexOf('@'));
        expect(out).toMatch(/@example\.test$/);
        if (/^[A-Za-z0-9._+-]+$/.test(local)) expect(out.slice(0, out.lastIndexOf('@')).replace(/[a-z]/g, 'a').replace(/[A-Z]/g, 'A').replace(/\d/g, '0')).toBe(local.replace(/[a-z]/g, 'a').replace(/[A-Z]/g, 'A').replace(/\d/g, '0'));
      }),
      { numRuns: RUNS },
    );
  });

  it('a secret keeps its well-known prefix and length, nothing else', () => {
    fc.assert(
      fc.property(secretArb, (secret) => {
        const out = masker().maskString(secret);
        expect(out).not.toBe(secret);
        expect(out.length).toBe(secret.length);
        const prefix = /^(whsec_|sk_live_|sk_test_|rk_live_|Bearer |eyJ)/.exec(secret)![1]!;
        expect(out.startsWith(prefix)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('an id keeps its prefix and length; the same id maps to the same mask everywhere', () => {
    const m = masker();
    const doc = { id: 'evt_Ab3dEf5GhIjKlMnOpQr1', data: { object: { id: 'pay_Zy9xWv8UtSrQpOnMlK7j' } }, note: 'refund of pay_Zy9xWv8UtSrQpOnMlK7j, token tok_4eC39HqLyjWDarjtT1zdp7dc' };
    const out = m.maskJson(doc) as typeof doc;
    expect(out.id).toMatch(/^evt_[A-Za-z0-9]{20}$/);
    expect(out.id).not.toBe(doc.id);
    expect(out.data.object.id).toMatch(/^pay_[A-Za-z0-9]{20}$/);
    expect(out.note).toBe(`refund of ${out.data.object.id}, token ${out.note.slice(-28)}`);
    expect(out.note).toMatch(/tok_[A-Za-z0-9]{24}$/);
    expect(out.note).not.toContain('4eC39HqLyjWDarjtT1zdp7dc');
  });

  it('names, addresses and phones under their keys become other values; secret keys are masked whatever the value', () => {
    const doc = { customer: { name: 'Jane Q Public', first_name: 'Jane', phone: '+1 415 555 0100', address: { line1: '1 Infinite Loop', city: 'Cupertino', postal_code: '95014' } }, password: 'correct_horse_battery_staple', cvc: 123 };
    const out = masker().maskJson(doc) as any;
    const text = JSON.stringify(out);
    for (const v of ['Jane', 'Public', '415 555 0100', 'Infinite Loop', 'Cupertino', '95014', 'correct', 'horse', 'battery', 'staple']) expect(text).not.toContain(v);
    expect(typeof out.cvc).toBe('number');
    expect(String(out.cvc)).toHaveLength(3);
    expect(out.password).toHaveLength(doc.password.length);
  });

  it('a card-like JSON number stays a card-like number; timestamps do not', () => {
    const out = masker().maskJson({ pan: 4242424242424242, ms: 1767225600000, amount: 1234 }) as Record<string, number>;
    expect(out.pan).not.toBe(4242424242424242);
    expect(luhnValid(String(out.pan))).toBe(true);
    expect(String(out.pan)[0]).toBe('4');
    expect(out.ms).toBe(1767225600000);
    expect(out.amount).toBe(1234);
  });

  it('digits glued to a card do not save it: the whole run is masked', () => {
    const m = masker();
    for (const t of ['74242424242424242', 'ref 1 4242 4242 4242 4242 9', '424242424242424242424242']) {
      const out = m.maskString(t);
      expect(out).not.toContain('4242424242424242');
      expect(out.replace(/\D/g, '')).not.toContain('4242424242424242');
      expect(out.length).toBe(t.length);
    }
  });

  it('an unknown locale is a flag error; a locale changes the replacement names', () => {
    expect(() => new Masker({ key: randomBytes(16), locale: 'xx_nope' })).toThrow(/--locale/);
    const key = randomBytes(16);
    const de = new Masker({ key, locale: 'de' }).maskString('Jane Doe', 'name');
    expect(de).not.toBe('Jane Doe');
    expect(typeof de).toBe('string');
  });
});
