import { GauntletError } from './errors.js';

/** A run secret to keep out of every report and log. */
export interface NamedSecret {
  /** Shown in the replacement: `[REDACTED:<name>]`. Letters, digits, `_ . -`, at most 64. */
  name: string;
  value: string;
}

/**
 * Secrets shorter than this are not redacted: a 4-character value matches all over
 * ordinary text (and its hex/base64 forms even more so), which would shred evidence
 * while protecting nothing worth protecting. Run secrets are generated long.
 */
export const MIN_SECRET_LENGTH = 8;

const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Replaces run secrets, and the encodings they travel in, with `[REDACTED:<name>]`.
 *
 * Forms covered for each secret (each only when at least MIN_SECRET_LENGTH long):
 * the raw text; JSON string escaping; URL encoding (`encodeURIComponent`, lower-case
 * `%xx`, and form encoding); the UTF-8 bytes as base64 / base64url (padded or not,
 * and the base64 in URL encoding), hex in lower and upper case; and the base64 of
 * the secret embedded at any byte offset inside a larger base64 blob (HTTP Basic
 * `base64(id:secret)`), minus the 1–2 edge characters that mix in neighbouring bytes.
 * For `whsec_<base64>` signing secrets also the base64 part alone and the decoded
 * key's base64/base64url/hex, since libraries log the decoded key.
 *
 * All forms of all secrets are compiled once into one alternation (longest first),
 * so `redact` is a single linear scan, fit for megabytes of connector output.
 *
 * @example
 * const r = new Redactor([{ name: 'WEBHOOK_SECRET', value: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }]);
 * r.redact('secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') // 'secret=[REDACTED:WEBHOOK_SECRET]'
 */
export class Redactor {
  /** Names of secrets left out because they are shorter than MIN_SECRET_LENGTH. */
  readonly ignoredNames: readonly string[];
  private readonly secrets: readonly NamedSecret[];
  private readonly pattern: RegExp | undefined;
  private readonly nameOf = new Map<string, string>();

  constructor(secrets: ReadonlyArray<NamedSecret>) {
    const ignored: string[] = [];
    const kept: NamedSecret[] = [];
    secrets.forEach((s, i) => {
      if (s === null || typeof s !== 'object') throw invalid(`secrets[${i}] must be { name, value }`);
      if (typeof s.name !== 'string' || !NAME_RE.test(s.name)) {
        throw invalid(`secrets[${i}].name must match ${NAME_RE.source} (it appears in reports), got ${JSON.stringify(s.name)}`);
      }
      if (typeof s.value !== 'string') throw invalid(`secrets[${i}].value (${s.name}) must be a string, got ${typeof s.value}`);
      if (s.value.length < MIN_SECRET_LENGTH) ignored.push(s.name);
      else kept.push({ name: s.name, value: s.value });
    });
    this.secrets = kept;
    this.ignoredNames = ignored;

    for (const s of kept) {
      for (const form of secretForms(s.value)) {
        if (form.length >= MIN_SECRET_LENGTH && !this.nameOf.has(form)) this.nameOf.set(form, s.name);
      }
    }
    if (this.nameOf.size > 0) {
      // Longest first: at one start position the alternation takes the first that matches.
      const forms = [...this.nameOf.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
      this.pattern = new RegExp(forms.map(escapeRegExp).join('|'), 'g');
    }
  }

  /** A redactor that also covers `more` (e.g. tokens issued during the run). */
  extend(more: ReadonlyArray<NamedSecret>): Redactor {
    return new Redactor([...this.secrets, ...more]);
  }

  redact(text: string): string {
    if (this.pattern === undefined || typeof text !== 'string' || text.length < MIN_SECRET_LENGTH) return text;
    this.pattern.lastIndex = 0;
    return text.replace(this.pattern, (m) => `[REDACTED:${this.nameOf.get(m) ?? 'secret'}]`);
  }

  /**
   * A copy of JSON-like data with every string (values and keys) redacted. Arrays,
   * plain objects, Maps and Sets are walked (cycles preserved); other objects (Date,
   * Buffer, class instances) are returned as they are, so pass report data, not live objects.
   */
  redactDeep<T>(value: T): T {
    if (this.pattern === undefined) return value;
    return this.walk(value, new Map()) as T;
  }

  private walk(value: unknown, seen: Map<object, unknown>): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (value === null || typeof value !== 'object') return value;
    const done = seen.get(value);
    if (done !== undefined) return done;
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      seen.set(value, out);
      for (const v of value) out.push(this.walk(v, seen));
      return out;
    }
    if (value instanceof Map) {
      const out = new Map<unknown, unknown>();
      seen.set(value, out);
      for (const [k, v] of value) out.set(this.walk(k, seen), this.walk(v, seen));
      return out;
    }
    if (value instanceof Set) {
      const out = new Set<unknown>();
      seen.set(value, out);
      for (const v of value) out.add(this.walk(v, seen));
      return out;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
    seen.set(value, out);
    for (const [k, v] of Object.entries(value)) {
      // defineProperty so a key like `__proto__` stays data instead of changing the prototype.
      Object.defineProperty(out, this.redact(k), { value: this.walk(v, seen), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
}

/** Every textual form a secret may take in logs, headers, URLs and bodies (unfiltered by length). */
export function secretForms(secret: string): Set<string> {
  const forms = new Set<string>();
  addStringForms(secret, forms);
  if (secret.startsWith('whsec_')) {
    const b64 = secret.slice('whsec_'.length);
    addStringForms(b64, forms);
    const key = Buffer.from(b64, 'base64');
    if (key.length > 0) addByteForms(key, forms);
  }
  return forms;
}

function addStringForms(s: string, forms: Set<string>): void {
  forms.add(s);
  forms.add(JSON.stringify(s).slice(1, -1));
  const uri = safeEncodeURIComponent(s);
  if (uri !== undefined) {
    forms.add(uri);
    forms.add(uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
    forms.add(new URLSearchParams({ x: s }).toString().slice(2));
  }
  addByteForms(Buffer.from(s, 'utf8'), forms);
}

function addByteForms(bytes: Buffer, forms: Set<string>): void {
  const b64 = bytes.toString('base64');
  forms.add(b64);
  forms.add(b64.replace(/=+$/, ''));
  forms.add(encodeURIComponent(b64));
  const url = bytes.toString('base64url');
  forms.add(url);
  forms.add(url + '='.repeat((4 - (url.length % 4)) % 4));
  const hex = bytes.toString('hex');
  forms.add(hex);
  forms.add(hex.toUpperCase());
  // The secret inside a longer base64 blob: at byte offset k (mod 3) only the output
  // characters whose 6 bits all come from the secret are fixed; collect those.
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64').replace(/=+$/, '');
    const first = Math.ceil((8 * k) / 6);
    const last = Math.floor((8 * (k + bytes.length)) / 6) - 1; // inclusive: 6j + 6 <= 8(k + n)
    if (last >= first) {
      const core = enc.slice(first, last + 1);
      forms.add(core);
      forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
}

function safeEncodeURIComponent(s: string): string | undefined {
  try {
    return encodeURIComponent(s);
  } catch {
    return undefined; // lone surrogates: no URL form exists
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\\/-]/g, '\\$&');
}

function invalid(message: string): GauntletError {
  return new GauntletError('GAUNTLET_ERR_INTERNAL', `Redactor: ${message}`);
}
