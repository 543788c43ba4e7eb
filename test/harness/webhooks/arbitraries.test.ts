import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GauntletError } from '../../../harness/errors.js';
import { SIGNATURE_SCHEMES, type SignatureScheme } from '../../../harness/manifest/types.js';
import {
  bodyMutationArb,
  equivalentBytesArb,
  invalidSignatureArb,
  sampleEnvelopeArb,
  timestampArb,
  validDeliveryArb,
  type DeliveryCase,
} from '../../../harness/webhooks/arbitraries.js';
import { verifySignature } from '../../../harness/webhooks/verify.js';
import { NOW_SEC, secretFor } from './fixtures.js';
import { LIBRARY_LAXER, libraryVerdict } from './library-verdict.js';

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW_SEC * 1000 + 500);
});
afterAll(() => vi.useRealTimers());

type ArbFactory = (scheme: SignatureScheme, secret: string, env: fc.Arbitrary<unknown>, now: number) => fc.Arbitrary<DeliveryCase>;
const FACTORIES: Record<string, ArbFactory> = {
  validDeliveryArb: (s, k, e, n) => validDeliveryArb(s, k, e, n),
  invalidSignatureArb,
  bodyMutationArb,
  timestampArb: (s, k, e, n) => timestampArb(s, k, e, n),
  equivalentBytesArb,
};

async function holds(scheme: SignatureScheme, secret: string, c: DeliveryCase): Promise<void> {
  const { body, headers } = c.delivery;
  const strict = verifySignature({ scheme, secrets: [secret], body, headers, nowSec: NOW_SEC });
  expect(strict.ok ? 'accept' : 'reject', `${c.label} (strict)`).toBe(c.expect);
  const lib = await libraryVerdict(scheme, secret, body, headers, NOW_SEC);
  const laxer = LIBRARY_LAXER[scheme].has(c.kind);
  expect(lib.verdict, `${c.label} (library: ${lib.error})`).toBe(laxer ? 'accept' : c.expect);
  if (c.expect === 'accept' && c.event !== undefined) expect(lib.parsed).toEqual(c.event);
}

for (const scheme of SIGNATURE_SCHEMES) {
  describe(`${scheme}: generated cases carry the verdict the strict verifier and the library give`, () => {
    const secret = secretFor(scheme);
    for (const [name, factory] of Object.entries(FACTORIES)) {
      if (name === 'timestampArb' && scheme === 'github') continue;
      it(name, async () => {
        const seen = new Set<string>();
        await fc.assert(
          fc.asyncProperty(factory(scheme, secret, sampleEnvelopeArb(), NOW_SEC), async (c) => {
            seen.add(`${c.kind}:${c.expect}`);
            expect(c.delivery.label).toBe(c.label);
            await holds(scheme, secret, c);
          }),
          { numRuns: 80 },
        );
        expect(seen.size).toBeGreaterThan(0);
      });
    }
  });
}

describe('coverage and shrinking', () => {
  it('invalidSignatureArb reaches every header mutation family, accepting only when the good key signs', () => {
    const cases = fc.sample(invalidSignatureArb('stripe', secretFor('stripe'), sampleEnvelopeArb(), NOW_SEC), { numRuns: 400, seed: 7 });
    const kinds = new Set(cases.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['empty', 'empty-secret', 'missing', 'other-secret', 'several', 'space-inside', 'truncated', 'wrong-tag']);
    for (const c of cases) if (c.expect === 'accept') expect(c.kind).toBe('several');
  });

  it('timestampArb hits the ±1 s edges of the window', () => {
    const labels = new Set(fc.sample(timestampArb('standard-webhooks', secretFor('standard-webhooks'), sampleEnvelopeArb(), NOW_SEC), { numRuns: 500, seed: 3 }).map((c) => c.label));
    for (const edge of ['now-299s', 'now-300s', 'now-301s', 'now+299s', 'now+300s', 'now+301s']) expect(labels).toContain(`timestamp ${edge}`);
  });

  it('a connector that accepts everything is caught, and the counterexample shrinks to the simplest forgery', () => {
    const secret = secretFor('standard-webhooks');
    const out = fc.check(
      fc.property(invalidSignatureArb('standard-webhooks', secret, sampleEnvelopeArb(), NOW_SEC), (c) => c.expect === 'accept'),
      { seed: 42, numRuns: 200 },
    );
    expect(out.failed).toBe(true);
    const [c] = out.counterexample as [DeliveryCase];
    expect(c.kind).toBe('missing');
    expect(String(out.counterexamplePath)).toMatch(/\d/);
    expect(fc.stringify(c)).toBe('missing: signature header missing');
  });

  it('a connector that only checks a signature prefix shrinks to the empty truncation', () => {
    const secret = secretFor('github');
    const out = fc.check(
      fc.property(invalidSignatureArb('github', secret, sampleEnvelopeArb(), NOW_SEC), (c) => {
        const sig = c.delivery.headers['X-Hub-Signature-256'];
        const good = validSig(c);
        return !(sig !== undefined && sig.startsWith('sha256=') && good.startsWith(sig)); // accepts prefixes → must not
      }),
      { seed: 5, numRuns: 300 },
    );
    expect(out.failed).toBe(true);
    expect((out.counterexample![0] as DeliveryCase).label).toBe('signature truncated to 0 characters');
    function validSig(c: DeliveryCase): string {
      return c.delivery.headers['X-Hub-Signature-256'] === undefined ? '' : goodOf(c);
    }
    function goodOf(c: DeliveryCase): string {
      // recomputed with node:crypto directly, independent of the harness signer
      return `sha256=${createHmac('sha256', secret).update(c.delivery.body).digest('hex')}`;
    }
  });

  it('timestampArb refuses github (no timestamp) with a coded error', () => {
    expect(() => timestampArb('github', 'x', sampleEnvelopeArb(), NOW_SEC)).toThrow(GauntletError);
  });
});
