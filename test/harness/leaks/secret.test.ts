import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Core, secretVariants } from '../../../harness/leaks/secret-variants.js';
import { scanForLeaks } from '../../../harness/leaks/scan.js';

const secretArb = fc.oneof(
  fc.uint8Array({ minLength: 24, maxLength: 48 }).map((b) => `whsec_${Buffer.from(b).toString('base64')}`),
  fc.uint8Array({ minLength: 16, maxLength: 40 }).map((b) => Buffer.from(b).toString('base64url')),
  fc.uint8Array({ minLength: 16, maxLength: 40 }).map((b) => Buffer.from(b).toString('hex')),
  fc.string({ unit: 'grapheme', minLength: 8, maxLength: 40 }),
);
const fillerArb = fc.string({ maxLength: 60 });

type Encoder = (s: string) => string;
const ENCODINGS: Record<string, Encoder> = {
  raw: (s) => s,
  base64: (s) => Buffer.from(s).toString('base64'),
  base64url: (s) => Buffer.from(s).toString('base64url'),
  hex: (s) => Buffer.from(s).toString('hex'),
  HEX: (s) => Buffer.from(s).toString('hex').toUpperCase(),
  url: (s) => encodeURIComponent(s),
  json: (s) => JSON.stringify({ secret: s }),
  phpJson: (s) => JSON.stringify(s).replace(/\//g, '\\/'),
  basicAuth: (s) => `Authorization: Basic ${Buffer.from(`client-abc:${s}`).toString('base64')}`,
  base64Blob: (s) => Buffer.from(JSON.stringify({ env: { A: 'x', SECRET: s } })).toString('base64'),
  bearer: (s) => `Authorization: Bearer ${s}`,
};

function leaks(text: string, value: string, name = 'webhook-secret') {
  return scanForLeaks([{ where: 'stdout', text }], { secrets: [{ name, value }], plantedValues: [] }).filter((f) => f.kind === 'secret');
}

describe('secret detector', () => {
  it.each(Object.keys(ENCODINGS))('finds a random secret encoded as %s, at any offset, and never shows it', (enc) => {
    fc.assert(
      fc.property(secretArb, fillerArb, fillerArb, (secret, before, after) => {
        const encoded = ENCODINGS[enc]!(secret);
        const text = `${before}${encoded}${after}`;
        const found = leaks(text, secret);
        expect(found.length).toBeGreaterThan(0);
        expect(found[0]!.control).toBe('no-secret-leak');
        for (const f of found) {
          expect(f.excerpt).not.toContain(secret);
          expect(f.excerpt).toContain('[secret:webhook-secret');
          for (const v of secretVariants('x', secret)) expect(f.excerpt).not.toContain(v.text);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('finds the whsec key alone and its decoded bytes', () => {
    const key = randomBytes(32);
    const secret = `whsec_${key.toString('base64')}`;
    for (const text of [`key=${key.toString('base64')}`, `hmac key ${key.toString('hex')}`, `k=${key.toString('base64url')}`, `dump ${Buffer.concat([Buffer.from('xx'), key]).toString('base64')}`]) {
      const found = leaks(text, secret);
      expect(found.length, text).toBeGreaterThan(0);
      expect(found[0]!.excerpt).toMatch(/\[secret:webhook-secret:whsec-key-/);
    }
  });

  it('base64 cores are position-independent', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 40 }), fc.uint8Array({ maxLength: 10 }), fc.uint8Array({ maxLength: 10 }), (secret, pre, post) => {
        const s = Buffer.from(secret);
        const enc = Buffer.concat([Buffer.from(pre), s, Buffer.from(post)]).toString('base64');
        expect(enc).toContain(base64Core(s, pre.length % 3));
      }),
    );
  });

  it('labels each secret by name and skips empty or tiny secrets', () => {
    const text = 'a=client-secret-value-123 b=tok-bearer-xyz-999 c=abc';
    const found = scanForLeaks([{ where: 'stderr', text }], {
      secrets: [
        { name: 'client-secret', value: 'client-secret-value-123' },
        { name: 'bearer token', value: 'tok-bearer-xyz-999' },
        { name: 'empty', value: '' },
        { name: 'tiny', value: 'abc' },
      ],
      plantedValues: [],
    });
    const secrets = found.filter((f) => f.kind === 'secret');
    expect(secrets).toHaveLength(2);
    expect(secrets.map((f) => f.excerpt).join(' ')).toContain('[secret:client-secret]');
    expect(secrets.map((f) => f.excerpt).join(' ')).toContain('[secret:bearer-token]');
    expect(found.map((f) => f.excerpt).join(' ')).not.toMatch(/client-secret-value|tok-bearer-xyz/);
  });

  it('redacts secrets in the where label too', () => {
    const value = 'S3cr3tValueInAPath';
    const [f] = scanForLeaks([{ where: `egress GET /cb?key=${value}`, text: `x ${value}` }], { secrets: [{ name: 'client-secret', value }], plantedValues: [] });
    expect(f!.where).toBe('egress GET /cb?key=[secret:client-secret]');
  });

  it('finds one secret among hundreds of issued tokens in a long log', () => {
    const tokens = Array.from({ length: 300 }, (_, i) => ({ name: `token-${i}`, value: randomBytes(24).toString('base64url') }));
    const lines = Array.from({ length: 5_000 }, (_, i) => `2026-12-03T16:30:07Z info req ${randomBytes(6).toString('base64')} ${i}ms`);
    lines[3_217] = `debug using token ${tokens[217]!.value}`;
    const found = scanForLeaks([{ where: 'stdout', text: lines.join('\n') }], { secrets: tokens, plantedValues: [] }).filter((f) => f.kind === 'secret');
    expect(found).toHaveLength(1);
    expect(found[0]!.excerpt).toContain('[secret:token-217]');
  });
});
