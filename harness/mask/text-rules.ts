/**
 * Shape rules for sensitive values inside any string (JSON keys and values, header values,
 * URLs, free-text notes). Each rule is data plus a pure replacement; matches are collected
 * on the original text, overlaps resolved (leftmost, then the earlier rule), then cards are
 * masked in a second pass over the result (see card-mask.ts).
 */
import { KeyedStream, shapeMask } from './keyed-random.js';

export interface TextRule {
  id: 'secret' | 'email' | 'id';
  pattern: RegExp;
  /** The replacement for one match (deterministic per key). */
  replace(match: RegExpExecArray, key: Buffer): string;
}

/** Safe domain for masked emails (RFC 6761 reserves `.test`). */
export const MASK_EMAIL_DOMAIN = 'example.test';

/**
 * Prefixes of secrets kept verbatim (`whsec_`, `sk_live_`, `Bearer `): they say what the value
 * is and nothing about it. Only well-known ones: a password such as `correct_horse_battery`
 * must not keep its first words as a "prefix".
 */
const KEPT_PREFIX = /^(?:(?:[Bb]earer|BEARER|Basic|Digest)\s+|whsec_|(?:sk|rk|pk)_(?:live|test)_|sk-|gh[pousr]_|xox[abposr]-|AKIA|eyJ)/;

/** A secret's mask: its scheme word or prefix kept, every other letter and digit keyed random. */
export function maskSecret(value: string, key: Buffer): string {
  const prefix = KEPT_PREFIX.exec(value)?.[0] ?? '';
  const stream = new KeyedStream(key, 'secret', value);
  const rest = value.slice(prefix.length);
  // Bounded: a rest without letters or digits cannot change shape, so it is starred instead.
  for (let attempt = 0; attempt < 8 && /[\p{L}\p{N}]/u.test(rest); attempt++) {
    const out = prefix + shapeMask(rest, stream);
    if (out !== value) return out;
  }
  return prefix + rest.replace(/[^\s]/gu, '*');
}

/** `local@domain` → same-shape local part at example.test. */
export function maskEmail(email: string, key: Buffer): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  return `${shapeMask(local, new KeyedStream(key, 'email', email.toLowerCase())) || 'x'}@${MASK_EMAIL_DOMAIN}`;
}

/** `pay_Ab12…` → `pay_` + same-length, same-shape random. */
export function maskId(prefix: string, tail: string, key: Buffer): string {
  const stream = new KeyedStream(key, 'id', `${prefix}${tail}`);
  for (;;) {
    const out = shapeMask(tail, stream);
    if (out !== tail) return `${prefix}${out}`;
  }
}

/** An id's random part has a digit or an upper-case letter: enum values (`requested_by_customer`) do not. */
function looksRandom(tail: string): boolean {
  return /[0-9A-Z]/.test(tail);
}

const SECRET_TOKEN = '[A-Za-z0-9._~+/=-]{8,}';

export const TEXT_RULES: readonly TextRule[] = [
  {
    id: 'secret',
    // Auth schemes in headers or logs, then well-known secret prefixes, then JWTs.
    pattern: new RegExp(
      [
        // Case-sensitive scheme words: `Basic information` in prose is not a credential.
        `(?:[Bb]earer|BEARER|Basic|Digest)\\s+${SECRET_TOKEN}`,
        // No word boundary before the prefixes: a secret glued to other text is still a secret.
        'whsec_[A-Za-z0-9+/=]{8,}',
        '(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}',
        'sk-[A-Za-z0-9_-]{16,}',
        'gh[pousr]_[A-Za-z0-9]{20,}',
        'xox[abposr]-[A-Za-z0-9-]{10,}',
        'AKIA[0-9A-Z]{16}',
        'eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*',
      ].join('|'),
      'g',
    ),
    replace: (m, key) => maskSecret(m[0], key),
  },
  {
    id: 'email',
    // Wide local part (RFC 5322 atext and dots), domain labels with at least one dot; also `%40`-encoded.
    // Bounded repeats (RFC limits: 64-char local part, 63-char labels) keep the scan linear on long blobs.
    pattern: /[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}(?:@|%40)[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/g,
    replace: (m, key) => {
      const encoded = !m[0].includes('@');
      const masked = maskEmail(m[0].replace(/%40/i, '@'), key);
      return encoded ? masked.replace('@', '%40') : masked;
    },
  },
  {
    id: 'id',
    pattern: /(?<![A-Za-z0-9_])([a-z][a-z0-9]{0,11}(?:_[a-z0-9]{1,12}){0,2}_)([A-Za-z0-9]{8,})(?![A-Za-z0-9_])/g,
    replace: (m, key) => (looksRandom(m[2]!) ? maskId(m[1]!, m[2]!, key) : m[0]),
  },
];

/**
 * Applies the shape rules in order, each over the previous rule's output: a value glued to
 * another (an email run into a secret) is masked by one rule or the next, never skipped as an
 * overlap. Cards are a separate, final pass.
 */
export function applyTextRules(text: string, key: Buffer, counts?: Map<string, number>): string {
  let out = text;
  for (const rule of TEXT_RULES) {
    out = out.replace(rule.pattern, (...args: unknown[]) => {
      const m = args.slice(0, -2) as unknown as RegExpExecArray;
      const replacement = rule.replace(m, key);
      if (replacement !== m[0]) counts?.set(rule.id, (counts.get(rule.id) ?? 0) + 1);
      return replacement;
    });
  }
  return out;
}
