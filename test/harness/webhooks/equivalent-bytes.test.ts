import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SIGNATURE_SCHEMES } from '../../../harness/manifest/types.js';
import { buildDelivery } from '../../../harness/webhooks/deliveries.js';
import { equivalentBodies, EQUIVALENT_VARIANTS, reserializedForgery, TRICKY_TEXT } from '../../../harness/webhooks/equivalent-bytes.js';
import { verifySignature } from '../../../harness/webhooks/verify.js';
import { NOW_SEC, sampleEvent, secretFor } from './fixtures.js';
import { libraryVerdict } from './library-verdict.js';

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW_SEC * 1000 + 500);
});
afterAll(() => vi.useRealTimers());

const event = sampleEvent();
const bodies = equivalentBodies(event);
const canonical = Buffer.from(JSON.stringify(event));

describe('equivalentBodies', () => {
  it('produces every catalogued variant for an event holding the RW-01/RW-02 traps, all distinct bytes', () => {
    expect(bodies.map((b) => b.id)).toEqual(EQUIVALENT_VARIANTS.map((v) => v.id));
    expect(new Set(bodies.map((b) => b.bytes.toString('hex'))).size).toBe(bodies.length);
    for (const b of bodies.slice(1)) expect(b.bytes.equals(canonical), b.id).toBe(false);
  });

  it('spells the traps as RW-01 and RW-02 describe', () => {
    const text = (id: string) => bodies.find((b) => b.id === id)!.bytes.toString('utf8');
    const rw01 = text('rw01-combined');
    expect(rw01).toContain('\n  "data": {');
    expect(rw01.endsWith('}\n')).toBe(true);
    expect(rw01).toContain('a\\/b caf\\u00e9');
    expect(rw01.indexOf('"data"')).toBeLessThan(rw01.indexOf('"api_version"')); // keys not in original order
    expect(text('canonical')).toContain('\u2028'); // raw separators in the baseline
    expect(text('rw02-escaped-separators')).toContain('\\u2028 \\u2029');
    expect(text('rw02-escaped-astral')).toContain('\\ud83d\\ude00');
    expect(text('rw02-html-escapes')).toContain('\\u0026 \\u003cb\\u003e');
    expect(text('number-decimal')).toContain('"amount":1999.0');
  });

  it('leaves out variants that would equal the canonical bytes', () => {
    const ids = equivalentBodies({ a: 'plain', b: true }).map((b) => b.id);
    expect(ids).not.toContain('rw01-escaped-slash');
    expect(ids).not.toContain('number-decimal');
    expect(ids).toContain('escape-every-char');
  });

  for (const scheme of SIGNATURE_SCHEMES) {
    it(`${scheme}: each variant signed over its own bytes verifies and decodes to the original event`, async () => {
      const secret = secretFor(scheme);
      for (const b of bodies) {
        const d = buildDelivery({ scheme, secret, body: b.bytes, label: b.label, timestamp: NOW_SEC });
        const lib = await libraryVerdict(scheme, secret, d.body, d.headers, NOW_SEC);
        expect(lib.verdict, `${b.id}: ${lib.error}`).toBe('accept');
        expect(lib.parsed, b.id).toEqual(event);
        expect((lib.parsed as { data: { object: { description: string } } }).data.object.description).toBe(TRICKY_TEXT);
        expect(verifySignature({ scheme, secrets: [secret], body: d.body, headers: d.headers, nowSec: NOW_SEC }).ok).toBe(true);
      }
    });

    it(`${scheme}: the minified body carrying the pretty bytes' signature is rejected (RW-01 forgery)`, async () => {
      const secret = secretFor(scheme);
      const d = reserializedForgery({ scheme, secret, event, timestamp: NOW_SEC, deliveryId: 'msg_f' });
      expect(d.body.equals(canonical)).toBe(true);
      expect(d.eventId).toBe('evt_1NzQ');
      expect((await libraryVerdict(scheme, secret, d.body, d.headers, NOW_SEC)).verdict).toBe('reject');
      expect(verifySignature({ scheme, secrets: [secret], body: d.body, headers: d.headers, nowSec: NOW_SEC })).toEqual({ ok: false, reason: 'no-match' });
    });
  }
});
