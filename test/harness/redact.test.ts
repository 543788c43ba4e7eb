import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MIN_SECRET_LENGTH, Redactor, secretForms } from '../../harness/redact.js';
import { isGauntletError } from '../../harness/errors.js';

const WHSEC = 'whsec_' + Buffer.from('0123456789abcdefghijklmnopqrstuv').toString('base64');

/** Ways a secret leaks in practice; each returns text that embeds it. */
const leaks: Record<string, (s: string) => string> = {
  raw: (s) => s,
  base64: (s) => Buffer.from(s).toString('base64'),
  base64unpadded: (s) => Buffer.from(s).toString('base64').replace(/=+$/, ''),
  base64url: (s) => Buffer.from(s).toString('base64url'),
  hexLower: (s) => Buffer.from(s).toString('hex'),
  hexUpper: (s) => Buffer.from(s).toString('hex').toUpperCase(),
  uri: (s) => encodeURIComponent(s),
  form: (s) => new URLSearchParams({ client_secret: s }).toString(),
  json: (s) => JSON.stringify({ s }),
  basicAuth: (s) => 'Basic ' + Buffer.from(`client_abc:${s}`).toString('base64'),
  basicAuthOffset1: (s) => Buffer.from(`x:${s}:tail`).toString('base64'),
  basicAuthOffset2: (s) => Buffer.from(`xy${s}`).toString('base64url'),
};

/** Full forms whose absence we assert (the leak forms that are fixed strings). */
function mustNotContain(secret: string): string[] {
  const b = Buffer.from(secret);
  const out = [secret, b.toString('base64'), b.toString('base64url'), b.toString('hex'), b.toString('hex').toUpperCase(), encodeURIComponent(secret)];
  if (secret.startsWith('whsec_')) {
    const key = Buffer.from(secret.slice(6), 'base64');
    out.push(secret.slice(6), key.toString('hex'), key.toString('hex').toUpperCase(), key.toString('base64url'));
  }
  // Inside a larger base64 blob at byte offset k: a conservative inner slice of its encoding.
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), b]).toString('base64');
    const inner = enc.slice(Math.ceil((8 * k) / 6) + 1, Math.floor((8 * (k + b.length)) / 6) - 2);
    if (inner.length >= 12) out.push(inner);
  }
  return out.filter((f) => f.length >= MIN_SECRET_LENGTH);
}

describe('Redactor', () => {
  it('replaces a secret and its encodings with the secret name', () => {
    const secret = 'cs_live_7hX/+k9=Q&z';
    const r = new Redactor([{ name: 'HUB_CLIENT_SECRET', value: secret }]);
    for (const [kind, leak] of Object.entries(leaks)) {
      const out = r.redact(`before ${leak(secret)} after`);
      expect(out, kind).toContain('[REDACTED:HUB_CLIENT_SECRET]');
      for (const f of mustNotContain(secret)) expect(out, kind).not.toContain(f);
    }
  });

  it('redacts the decoded key of whsec_ secrets in base64 and hex', () => {
    const r = new Redactor([{ name: 'WEBHOOK_SECRET', value: WHSEC }]);
    const key = Buffer.from(WHSEC.slice(6), 'base64');
    const text = `key=${key.toString('hex')} KEY=${key.toString('hex').toUpperCase()} b64=${WHSEC.slice(6)} url=${key.toString('base64url')}`;
    const out = r.redact(text);
    expect(out).toBe('key=[REDACTED:WEBHOOK_SECRET] KEY=[REDACTED:WEBHOOK_SECRET] b64=[REDACTED:WEBHOOK_SECRET] url=[REDACTED:WEBHOOK_SECRET]');
  });

  it('ignores secrets shorter than the minimum and reports them', () => {
    const r = new Redactor([{ name: 'SHORT', value: 'abc' }, { name: 'EMPTY', value: '' }]);
    expect(r.ignoredNames).toEqual(['SHORT', 'EMPTY']);
    expect(r.redact('abc abc')).toBe('abc abc');
  });

  it('prefers the longest form at a position and keeps both names apart', () => {
    const r = new Redactor([
      { name: 'A', value: 'abcdefgh' },
      { name: 'B', value: 'abcdefghijkl' },
    ]);
    expect(r.redact('abcdefghijkl abcdefgh')).toBe('[REDACTED:B] [REDACTED:A]');
  });

  it('rejects bad names and values with a coded error naming the field', () => {
    for (const bad of [[{ name: 'has space', value: 'longenough' }], [{ name: 'X', value: 42 as unknown as string }]]) {
      try {
        new Redactor(bad);
        expect.unreachable();
      } catch (e) {
        expect(isGauntletError(e)).toBe(true);
        expect((e as Error).message).toMatch(/secrets\[0\]\.(name|value)/);
      }
    }
  });

  it('redactDeep copies JSON-like data, redacting keys and values, without touching the input', () => {
    const secret = 'tok_ABCDEFGH12345678';
    const r = new Redactor([{ name: 'TOKEN', value: secret }]);
    const input = JSON.parse(`{"a":[{"h":{"authorization":"Bearer ${secret}"}}],"${secret}":1,"__proto__":{"x":"${secret}"},"n":3,"z":null}`);
    const out = r.redactDeep(input);
    expect(JSON.stringify(out)).not.toContain(secret);
    expect(out.a[0].h.authorization).toBe('Bearer [REDACTED:TOKEN]');
    expect(out['[REDACTED:TOKEN]']).toBe(1);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toContain('__proto__');
    expect(input.a[0].h.authorization).toContain(secret);
    const cyclic: { self?: unknown; s: string } = { s: secret };
    cyclic.self = cyclic;
    const c = r.redactDeep(cyclic) as typeof cyclic;
    expect(c.self).toBe(c);
    expect(c.s).toBe('[REDACTED:TOKEN]');
  });

  it('handles megabytes of text in one pass', () => {
    const secrets = Array.from({ length: 12 }, (_, i) => ({ name: `S${i}`, value: Buffer.from(`secret-number-${i}-xyz`).toString('base64') }));
    const r = new Redactor(secrets);
    const filler = 'log line with nothing to hide {"amount":1000}\n'.repeat(40_000); // ~1.9 MB
    const text = filler + secrets[7]!.value + filler + Buffer.from(secrets[3]!.value).toString('hex');
    const out = r.redact(text);
    expect(out.length).toBeLessThan(text.length);
    expect(out).toContain('[REDACTED:S7]');
    expect(out).toContain('[REDACTED:S3]');
  });

  it('secretForms includes base64 cores for every alignment', () => {
    const forms = secretForms('abcdefghijkl');
    for (let k = 0; k < 3; k++) {
      const blob = Buffer.from('#'.repeat(k) + 'abcdefghijkl' + 'zz').toString('base64');
      expect([...forms].some((f) => f.length >= MIN_SECRET_LENGTH && blob.includes(f)), `offset ${k}`).toBe(true);
    }
  });

  it('property: planted secrets never survive in any encoding', () => {
    const secretArb = fc.oneof(
      fc.string({ unit: 'grapheme-ascii', minLength: MIN_SECRET_LENGTH, maxLength: 40 }),
      fc.string({ unit: 'binary', minLength: MIN_SECRET_LENGTH, maxLength: 24 }),
      fc.uint8Array({ minLength: 24, maxLength: 32 }).map((b) => 'whsec_' + Buffer.from(b).toString('base64')),
    );
    const kindArb = fc.constantFrom(...Object.keys(leaks));
    fc.assert(
      fc.property(
        fc.uniqueArray(secretArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.string({ maxLength: 30 }), fc.nat(), kindArb), { minLength: 1, maxLength: 8 }),
        fc.string({ maxLength: 30 }),
        (values, plants, tail) => {
          const r = new Redactor(values.map((value, i) => ({ name: `S${i}`, value })));
          const text = plants.map(([pre, which, kind]) => pre + leaks[kind]!(values[which % values.length]!)).join('') + tail;
          const out = r.redact(text);
          for (const v of values) for (const f of mustNotContain(v)) expect(out).not.toContain(f);
        },
      ),
      { numRuns: 200 },
    );
  });
});
