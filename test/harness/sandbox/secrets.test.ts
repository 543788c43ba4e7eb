import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { SIGNATURE_SCHEMES } from '../../../harness/manifest/types.js';
import { generateRunSecrets } from '../../../harness/sandbox/secrets.js';

describe('generateRunSecrets', () => {
  it('gives whsec_ secrets the standardwebhooks library accepts, and hex secrets otherwise', () => {
    const sw = generateRunSecrets('standard-webhooks');
    expect(sw.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(sw.webhookSecret.slice(6), 'base64')).toHaveLength(32);
    const wh = new Webhook(sw.webhookSecret);
    const payload = '{"a":1}';
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) };
    const sig = wh.sign('msg_1', new Date(Number(headers['webhook-timestamp']) * 1000), payload);
    expect(wh.verify(payload, { ...headers, 'webhook-signature': sig })).toEqual({ a: 1 });
    expect(generateRunSecrets('stripe').webhookSecret).toMatch(/^whsec_/);
    expect(generateRunSecrets('github').webhookSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(generateRunSecrets('hmac-sha256').webhookSecret).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives a gauntlet-<8 hex> client id and a >= 32-byte base64url client secret', () => {
    const s = generateRunSecrets('github');
    expect(s.clientId).toMatch(/^gauntlet-[0-9a-f]{8}$/);
    expect(s.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(s.clientSecret, 'base64url').length).toBeGreaterThanOrEqual(32);
  });

  it('is fresh per run and derived only from the injected randomness', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIGNATURE_SCHEMES), fc.integer({ min: 0, max: 255 }), (scheme, byte) => {
        const fixed = (n: number) => Buffer.alloc(n, byte);
        expect(generateRunSecrets(scheme, fixed)).toEqual(generateRunSecrets(scheme, fixed));
      }),
      { numRuns: 30 },
    );
    const a = generateRunSecrets('stripe');
    const b = generateRunSecrets('stripe');
    expect(a.webhookSecret).not.toBe(b.webhookSecret);
    expect(a.clientSecret).not.toBe(b.clientSecret);
  });
});
