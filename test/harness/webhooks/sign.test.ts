import { sign as octokitSign } from '@octokit/webhooks-methods';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GauntletError } from '../../../harness/errors.js';
import { SIGNATURE_SCHEMES } from '../../../harness/manifest/types.js';
import { buildDelivery } from '../../../harness/webhooks/deliveries.js';
import { signatureHeaders } from '../../../harness/webhooks/sign.js';
import { verifySignature } from '../../../harness/webhooks/verify.js';
import { sampleEnvelopeArb } from '../../../harness/webhooks/arbitraries.js';
import { NOW_SEC, secretFor } from './fixtures.js';
import { libraryVerdict } from './library-verdict.js';

const whsecArb = fc.uint8Array({ minLength: 24, maxLength: 48 }).map((b) => `whsec_${Buffer.from(b).toString('base64')}`);
const idArb = fc.stringMatching(/^msg_[A-Za-z0-9]{1,24}$/);
const tsArb = fc.integer({ min: 1_000_000_000, max: 9_999_999_999 });
const textBodyArb = fc.string({ unit: 'binary', minLength: 1, maxLength: 300 });

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW_SEC * 1000 + 500);
});
afterAll(() => vi.useRealTimers());

describe('signatureHeaders matches the public libraries byte for byte', () => {
  it('standard-webhooks: equals Webhook#sign for any secret, id, timestamp and raw bytes', () => {
    fc.assert(
      fc.property(whsecArb, idArb, tsArb, fc.uint8Array({ maxLength: 300 }), (secret, id, ts, bytes) => {
        const body = Buffer.from(bytes);
        const h = signatureHeaders({ scheme: 'standard-webhooks', secret, deliveryId: id, timestamp: ts, body });
        expect(h['webhook-signature']).toBe(new Webhook(secret).sign(id, new Date(ts * 1000), body));
        expect(h['webhook-id']).toBe(id);
        expect(h['webhook-timestamp']).toBe(String(ts));
        expect(h['content-type']).toBe('application/json');
      }),
      { numRuns: 150 },
    );
  });

  it('stripe: equals Stripe.webhooks.generateTestHeaderString', () => {
    fc.assert(
      fc.property(whsecArb, tsArb, textBodyArb, (secret, ts, text) => {
        const h = signatureHeaders({ scheme: 'stripe', secret, deliveryId: 'msg_1', timestamp: ts, body: Buffer.from(text, 'utf8') });
        expect(h['Stripe-Signature']).toBe(Stripe.webhooks.generateTestHeaderString({ payload: text, secret, timestamp: ts }));
      }),
      { numRuns: 150 },
    );
  });

  it('github: equals @octokit/webhooks-methods sign', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }), textBodyArb, idArb, async (secret, text, id) => {
        const h = signatureHeaders({ scheme: 'github', secret, deliveryId: id, timestamp: 0, body: Buffer.from(text, 'utf8'), eventType: 'refund.requested' });
        expect(h['X-Hub-Signature-256']).toBe(await octokitSign(secret, text));
        expect(h['X-GitHub-Delivery']).toBe(id);
        expect(h['X-GitHub-Event']).toBe('refund.requested');
      }),
      { numRuns: 100 },
    );
  });
});

describe('every delivery the signer produces verifies', () => {
  for (const scheme of SIGNATURE_SCHEMES) {
    it(`${scheme}: library (or node:crypto reference) and strict verifier accept any fresh envelope`, async () => {
      const secret = secretFor(scheme);
      await fc.assert(
        fc.asyncProperty(sampleEnvelopeArb(), fc.integer({ min: -299, max: 299 }), async (event, offset) => {
          const d = buildDelivery({ scheme, secret, body: event, label: 'valid', timestamp: NOW_SEC + offset });
          const lib = await libraryVerdict(scheme, secret, d.body, d.headers, NOW_SEC);
          expect(lib.error).toBeUndefined();
          expect(lib.parsed).toEqual(event);
          expect(verifySignature({ scheme, secrets: [secret], body: d.body, headers: d.headers, nowSec: NOW_SEC })).toEqual({ ok: true });
        }),
        { numRuns: 60 },
      );
    });
  }

  it('standard-webhooks verifies arbitrary (non-UTF-8) body bytes', () => {
    const secret = secretFor('standard-webhooks');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (bytes) => {
        const body = Buffer.from(bytes);
        const h = signatureHeaders({ scheme: 'standard-webhooks', secret, deliveryId: 'msg_b', timestamp: NOW_SEC, body });
        expect(() => new Webhook(secret).verify(body, h, { jsonParse: false } as never)).not.toThrow();
      }),
      { numRuns: 100 },
    );
  });

  for (const scheme of ['standard-webhooks', 'stripe'] as const) {
    it(`${scheme}: with two secrets (rotation) either one verifies`, async () => {
      const [a, b] = [secretFor(scheme), secretFor(scheme)];
      const d = buildDelivery({ scheme, secret: a, secrets: [a, b], body: { id: 'evt_r', type: 'payment.captured' }, label: 'rotation', timestamp: NOW_SEC });
      expect((await libraryVerdict(scheme, a, d.body, d.headers, NOW_SEC)).verdict).toBe('accept');
      expect((await libraryVerdict(scheme, b, d.body, d.headers, NOW_SEC)).verdict).toBe('accept');
      expect((await libraryVerdict(scheme, secretFor(scheme), d.body, d.headers, NOW_SEC)).verdict).toBe('reject');
    });
  }
});

describe('buildDelivery', () => {
  it('serialises objects with JSON.stringify, reads event id and type, defaults the delivery id', () => {
    const event = { id: 'evt_1', type: 'payment.captured', data: { object: { id: 'pay_1', amount: 5 } } };
    const d = buildDelivery({ scheme: 'hmac-sha256', secret: 's3cret', body: event, label: 'x', timestamp: NOW_SEC });
    expect(d.body.equals(Buffer.from(JSON.stringify(event)))).toBe(true);
    expect(d.deliveryId).toMatch(/^msg_[A-Za-z0-9_-]{16}$/);
    expect(d.eventId).toBe('evt_1');
    expect(d.eventType).toBe('payment.captured');
    expect(d.headers['X-Timestamp']).toBe(String(NOW_SEC));
    expect(buildDelivery({ scheme: 'github', secret: 's', body: event, label: 'x' }).deliveryId).not.toBe(d.deliveryId);
  });

  it('sends strings as UTF-8 and Buffers untouched', () => {
    const raw = Buffer.from([0xc3, 0x28, 0x7b]);
    expect(buildDelivery({ scheme: 'github', secret: 's', body: raw, label: 'x' }).body).toBe(raw);
    expect(buildDelivery({ scheme: 'github', secret: 's', body: 'é', label: 'x' }).body.equals(Buffer.from([0xc3, 0xa9]))).toBe(true);
  });
});

describe('bad input is a coded error naming the field', () => {
  const base = { deliveryId: 'msg_1', timestamp: NOW_SEC, body: Buffer.from('{}') };
  const problemPath = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(GauntletError);
      return (e as GauntletError).problems[0]?.path;
    }
    return undefined;
  };
  it('rejects an empty secret, a non-whsec standard-webhooks secret, rotation on single-signature schemes, an unknown scheme', () => {
    expect(problemPath(() => signatureHeaders({ scheme: 'stripe', secret: '', ...base }))).toBe('secret');
    expect(problemPath(() => signatureHeaders({ scheme: 'standard-webhooks', secret: 'whsec_not base64!', ...base }))).toBe('secret');
    expect(problemPath(() => signatureHeaders({ scheme: 'github', secret: 'a', secrets: ['a', 'b'], ...base }))).toBe('secrets');
    expect(problemPath(() => signatureHeaders({ scheme: 'nope' as never, secret: 'a', ...base }))).toBe('scheme');
    expect(problemPath(() => signatureHeaders({ scheme: 'stripe', secret: 'a', ...base, body: '{}' as never }))).toBe('body');
  });
});
