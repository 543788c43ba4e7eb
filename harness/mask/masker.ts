/**
 * Format-preserving masking of JSON values: same structure, same key order, same JSON types;
 * every string (keys included) goes through the shape rules (secrets, emails, prefixed ids,
 * cards), values under name/address/phone keys become faker values, values under secret keys
 * are masked whatever they look like, and card-like JSON numbers stay card-like numbers.
 * Deterministic per key, so relations between documents survive.
 */
import { Faker, allLocales, type LocaleDefinition } from '@faker-js/faker';
import { GauntletError } from '../errors.js';
import { maskCardNumber, maskCardsInText } from './card-mask.js';
import { fieldKind, type FieldKind } from './field-rules.js';
import { KeyedStream, shapeMask } from './keyed-random.js';
import { applyTextRules, maskSecret } from './text-rules.js';

export interface MaskerOptions {
  /** HMAC key: the same key gives the same masks (default: a random key per Masker). */
  key: Buffer;
  /** Faker locale for names, addresses and phones (default `en`). */
  locale?: string;
  /** Deepest nesting accepted (default 1,000): deeper documents are refused, not half-masked. */
  maxDepth?: number;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export const DEFAULT_MAX_DEPTH = 1_000;

/** Thrown for input the masker refuses; `path` is a JSON pointer, never a value. */
export class MaskPathError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(`${reason} at ${path || '/'}`);
  }
}

export class Masker {
  /** Masked values by rule (`card`, `email`, `secret`, `id`, `name`, …): what the summary prints. */
  readonly counts = new Map<string, number>();
  private readonly key: Buffer;
  private readonly faker: Faker;
  private readonly maxDepth: number;
  private readonly memo = new Map<string, string>();

  constructor(opts: MaskerOptions) {
    if (!Buffer.isBuffer(opts.key) || opts.key.length === 0) throw new GauntletError('GAUNTLET_ERR_INTERNAL', 'Masker needs a non-empty key');
    const locale = opts.locale ?? 'en';
    const def = (allLocales as Record<string, LocaleDefinition | undefined>)[locale];
    if (!def || locale === 'base') {
      throw new GauntletError('GAUNTLET_ERR_FLAG_INVALID', `--locale must be a faker locale such as en, de, fr, ja (got ${JSON.stringify(locale.slice(0, 40))})`, { problems: [{ path: '--locale', reason: 'unknown faker locale' }] });
    }
    this.key = opts.key;
    this.faker = new Faker({ locale: [def, allLocales.en, allLocales.base] });
    this.maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  /** A masked copy of a parsed JSON value. `field` is the key the value sits under, if any. */
  maskJson(value: unknown, field?: string, pointer = '', depth = 0): JsonValue {
    if (depth > this.maxDepth) throw new MaskPathError(pointer, `nesting deeper than ${this.maxDepth} levels`);
    if (value === null || typeof value === 'boolean') return value;
    if (typeof value === 'number') return this.maskNumber(value, field);
    if (typeof value === 'string') return this.maskString(value, field);
    if (Array.isArray(value)) return value.map((v, i) => this.maskJson(v, field, `${pointer}/${i}`, depth + 1));
    if (typeof value === 'object') {
      const out: Record<string, JsonValue> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const mk = this.maskString(k);
        if (Object.hasOwn(out, mk)) throw new MaskPathError(pointer, 'two keys mask to the same key');
        // Pointers name the masked key: a key can itself be a card number or an email.
        // defineProperty: a `__proto__` key stays an own key instead of replacing the prototype.
        Object.defineProperty(out, mk, { value: this.maskJson(v, k, `${pointer}/${escapePointer(mk)}`, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    throw new MaskPathError(pointer, `not a JSON value (${typeof value})`);
  }

  /** A masked string: by its field when the field says what it is, else by its shape. */
  maskString(value: string, field?: string): string {
    const kind = fieldKind(field);
    const memoKey = `${kind ?? ''}\u0000${value}`;
    const hit = this.memo.get(memoKey);
    if (hit !== undefined) return hit;
    const out = kind && value.trim().length > 0 ? this.maskField(kind, value) : this.maskText(value);
    if (this.memo.size < 100_000) this.memo.set(memoKey, out);
    return out;
  }

  /** Shape rules, then cards, over free text. */
  maskText(text: string): string {
    const afterRules = applyTextRules(text, this.key, this.counts);
    const cards = maskCardsInText(afterRules, this.key);
    if (cards.count > 0) this.count('card', cards.count);
    return cards.text;
  }

  private maskNumber(n: number, field?: string): number {
    const kind = fieldKind(field);
    if (kind === 'secret' || kind === 'postal-code' || kind === 'phone') {
      // A numeric PIN, CVC, zip or phone: same number of digits, keyed random.
      if (Number.isSafeInteger(n) && n >= 0) {
        const digits = String(n);
        const stream = new KeyedStream(this.key, `number:${kind}`, digits);
        const masked = (digits.length > 1 ? String(1 + stream.below(9)) : '') + shapeMask(digits.slice(1), stream);
        this.count(kind);
        return Number(digits.length > 1 ? masked : stream.digit());
      }
      return n;
    }
    const card = maskCardNumber(n, this.key);
    if (card !== undefined) {
      this.count('card');
      return card;
    }
    return n;
  }

  private maskField(kind: FieldKind, value: string): string {
    this.count(kind === 'first-name' || kind === 'last-name' || kind === 'full-name' ? 'name' : kind === 'secret' ? 'secret' : kind === 'phone' ? 'phone' : 'address');
    if (kind === 'secret') return maskSecret(value, this.key);
    const f = this.faker;
    f.seed(new KeyedStream(this.key, `field:${kind}`, value).int31());
    const gen = (fn: () => string, fallback: () => string): string => {
      try {
        const v = fn();
        if (typeof v === 'string' && v.length > 0 && v !== value) return v;
      } catch {
        // some locales lack some data: the fallback is still faker's, from `en`
      }
      return fallback();
    };
    switch (kind) {
      case 'full-name':
        return gen(() => f.person.fullName(), () => `${f.string.alpha({ length: 6, casing: 'lower' })} ${f.string.alpha({ length: 8, casing: 'lower' })}`);
      case 'first-name':
        return gen(() => f.person.firstName(), () => f.string.alpha({ length: 6, casing: 'lower' }));
      case 'last-name':
        return gen(() => f.person.lastName(), () => f.string.alpha({ length: 8, casing: 'lower' }));
      case 'street':
        return gen(() => f.location.streetAddress(), () => `${f.number.int({ min: 1, max: 999 })} Main Street`);
      case 'line2':
        return gen(() => f.location.secondaryAddress(), () => `Apt ${f.number.int({ min: 1, max: 99 })}`);
      case 'city':
        return gen(() => f.location.city(), () => 'Springfield');
      case 'postal-code':
        return gen(() => f.location.zipCode(), () => f.string.numeric(5));
      case 'address':
        return gen(() => `${f.location.streetAddress()}, ${f.location.city()} ${f.location.zipCode()}`, () => `${f.number.int({ min: 1, max: 999 })} Main Street, Springfield`);
      case 'phone':
        return gen(() => f.phone.number(), () => `+1 555 ${f.string.numeric(7)}`);
    }
  }

  private count(rule: string, n = 1): void {
    this.counts.set(rule, (this.counts.get(rule) ?? 0) + n);
  }
}

/** JSON pointer escaping (RFC 6901). */
export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
