import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GauntletError } from '../../../harness/errors.js';
import { SIGNATURE_SCHEMES } from '../../../harness/manifest/types.js';
import { applyMutation, MUTATIONS, mutationById, mutationsFor } from '../../../harness/webhooks/mutations.js';
import { mutationContext, type MutationContext } from '../../../harness/webhooks/forge.js';
import { verifySignature } from '../../../harness/webhooks/verify.js';
import { NOW_SEC, sampleEvent, secretFor } from './fixtures.js';
import { LIBRARY_LAXER, libraryVerdict } from './library-verdict.js';

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW_SEC * 1000 + 500);
});
afterAll(() => vi.useRealTimers());

function ctxFor(scheme: (typeof SIGNATURE_SCHEMES)[number], body: Buffer): MutationContext {
  return { scheme, secret: secretFor(scheme), otherSecret: secretFor(scheme), deliveryId: 'msg_2Fh7kq', nowSec: NOW_SEC, body, eventType: 'refund.requested' };
}

const minified = Buffer.from(JSON.stringify(sampleEvent()));
const pretty = Buffer.from(`${JSON.stringify(sampleEvent(), null, 2)}\n`);

describe('catalogue shape', () => {
  it('has unique ids, labels, and every scheme gets the core rejections', () => {
    expect(new Set(MUTATIONS.map((m) => m.id)).size).toBe(MUTATIONS.length);
    for (const m of MUTATIONS) {
      expect(m.label.length).toBeGreaterThan(5);
      if (m.futureTimestamp) expect(m.expect).toBe('reject');
    }
    for (const s of SIGNATURE_SCHEMES) {
      const ids = mutationsFor(s).map((m) => m.id);
      expect(ids).toEqual(expect.arrayContaining(['valid', 'sig-missing', 'sig-empty-header', 'sig-truncated', 'sig-other-secret', 'sig-empty-secret', 'body-flipped-byte', 'body-reserialized']));
    }
  });
  it('unknown ids are a coded error', () => {
    expect(() => mutationById('nope')).toThrow(GauntletError);
  });
  it('RW-04 stripe shapes are exact', () => {
    const ctx = ctxFor('stripe', minified);
    expect(applyMutation(mutationById('stripe-timestamp-only'), ctx)!.headers['Stripe-Signature']).toBe(`t=${NOW_SEC}`);
    expect(applyMutation(mutationById('sig-empty-value'), ctx)!.headers['Stripe-Signature']).toBe(`t=${NOW_SEC},v1=`);
    expect(applyMutation(mutationById('sig-empty-secret'), ctx)!.headers['Stripe-Signature']).toMatch(new RegExp(`^t=${NOW_SEC},v1=[0-9a-f]{64}$`));
    expect(applyMutation(mutationById('ts-milliseconds'), ctx)!.headers['Stripe-Signature']).toMatch(/^t=\d{13},v1=/);
  });
  it('RW-10 rotation headers carry both signatures in the stated order', () => {
    const ctx = ctxFor('standard-webhooks', minified);
    const first = applyMutation(mutationById('rotation-good-first'), ctx)!.headers['webhook-signature']!.split(' ');
    const last = applyMutation(mutationById('rotation-good-last'), ctx)!.headers['webhook-signature']!.split(' ');
    expect(first).toHaveLength(2);
    expect(first[0]).toBe(last[1]);
    expect(first[1]).toBe(last[0]);
  });
  it('body mutations keep the original signature and change the bytes', () => {
    for (const id of ['body-flipped-byte', 'body-appended', 'body-value-changed', 'body-reserialized', 'body-keys-reordered']) {
      for (const body of [minified, pretty]) {
        const ctx = ctxFor('github', body);
        const d = applyMutation(mutationById(id), ctx)!;
        expect(d.body.equals(body), id).toBe(false);
        expect(d.headers['X-Hub-Signature-256']).toBe(applyMutation(mutationById('valid'), ctx)!.headers['X-Hub-Signature-256']);
      }
    }
    // Re-serialisations decode to the same event: only the bytes moved.
    const re = applyMutation(mutationById('body-reserialized'), ctxFor('github', pretty))!;
    expect(re.body.equals(minified)).toBe(true);
    expect(JSON.parse(applyMutation(mutationById('body-value-changed'), ctxFor('github', pretty))!.body.toString()).data.object.amount).toBe(2000);
  });
  it('JSON-only mutations skip non-JSON bodies instead of inventing bytes', () => {
    expect(applyMutation(mutationById('body-reserialized'), ctxFor('github', Buffer.from('not json')))).toBeUndefined();
  });
});

for (const scheme of SIGNATURE_SCHEMES) {
  describe(`${scheme}: every mutation meets its expectation`, () => {
    for (const body of [minified, pretty]) {
      const shape = body === minified ? 'minified' : 'pretty';
      for (const m of mutationsFor(scheme)) {
        const laxer = LIBRARY_LAXER[scheme].has(m.id);
        it(`${m.id} (${shape}) → ${m.expect} by the strict verifier; library ${laxer ? 'is LAXER and accepts it' : `says ${m.expect}`}`, async () => {
          const ctx = ctxFor(scheme, body);
          const d = applyMutation(m, ctx);
          if (!d) return expect(m.id).toMatch(/^body-/); // only JSON re-serialisations may not fit
          expect(d.label).toBe(m.label);
          const strict = verifySignature({ scheme, secrets: [ctx.secret], body: d.body, headers: d.headers, nowSec: NOW_SEC });
          expect(strict.ok ? 'accept' : 'reject').toBe(m.expect);
          const lib = await libraryVerdict(scheme, ctx.secret, d.body, d.headers, NOW_SEC);
          expect(lib.verdict, lib.error).toBe(laxer ? 'accept' : m.expect);
        });
      }
    }
  });
}

describe('mutationContext', () => {
  it('fills a fresh other secret in the scheme format and reads the event type', async () => {
    const secret = secretFor('standard-webhooks');
    const ctx = mutationContext({ scheme: 'standard-webhooks', secret, body: sampleEvent(), nowSec: NOW_SEC });
    expect(ctx.otherSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(ctx.otherSecret).not.toBe(secret);
    expect(ctx.eventType).toBe('refund.requested');
    expect(ctx.deliveryId).toMatch(/^msg_/);
    const d = applyMutation(mutationById('rotation-good-last'), ctx)!;
    expect((await libraryVerdict('standard-webhooks', secret, d.body, d.headers, NOW_SEC)).verdict).toBe('accept');
    expect((await libraryVerdict('standard-webhooks', ctx.otherSecret, d.body, d.headers, NOW_SEC)).verdict).toBe('accept');
  });
});

describe('the strict verifier classifies timestamp failures', () => {
  it('future vs stale vs malformed', () => {
    const ctx = ctxFor('hmac-sha256', minified);
    const reason = (id: string) => {
      const d = applyMutation(mutationById(id), ctx)!;
      const r = verifySignature({ scheme: 'hmac-sha256', secrets: [ctx.secret], body: d.body, headers: d.headers, nowSec: NOW_SEC });
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason('ts-future-301')).toBe('future');
    expect(reason('ts-milliseconds')).toBe('future');
    expect(reason('ts-stale-301')).toBe('stale');
    expect(reason('ts-non-numeric')).toBe('bad-timestamp');
    expect(reason('sig-other-secret')).toBe('no-match');
  });
  it('a receiver with an empty secret rejects everything (RW-03)', () => {
    const ctx = ctxFor('github', minified);
    const d = applyMutation(mutationById('valid'), ctx)!;
    expect(verifySignature({ scheme: 'github', secrets: [''], body: d.body, headers: d.headers, nowSec: NOW_SEC })).toEqual({ ok: false, reason: 'no-secret' });
  });
});
