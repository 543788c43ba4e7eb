import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TEST_CARDS } from '../../../harness/data/test-cards.js';
import { SyntheticData, groupPan } from '../../../harness/data/synthetic.js';
import { leakContextOf } from '../../../harness/leaks/context.js';
import { scanForLeaks, scanForLeaksDetailed } from '../../../harness/leaks/scan.js';
import type { LeakContext } from '../../../harness/leaks/types.js';
import type { Finding } from '../../../harness/model/report.js';

const empty: LeakContext = { secrets: [], plantedValues: [] };

describe('scanForLeaks', () => {
  it('returns report Findings with where, control and a short excerpt', () => {
    const fs = scanForLeaks([{ where: 'webhook response', text: 'ok 4242424242424242' }], empty);
    const f: Finding = fs[0]!;
    expect(f).toMatchObject({ kind: 'card-number', control: 'no-sensitive-data-leak', where: 'webhook response', excerpt: 'ok 4242 **** **** 4242' });
  });

  it('finds nothing in clean text', () => {
    expect(scanForLeaks([{ where: 'stdout', text: 'listening on 8080\nPOST /webhooks 200 3ms evt_NYhaSUcrIQaFOya2hO20 at 1767225600000' }], empty)).toEqual([]);
  });

  it('keeps excerpts short, single-line and inert', () => {
    const text = `${'x'.repeat(500)}\n\u001b[31mred\u202e 4242424242424242 \r\n${'y'.repeat(500)}`;
    const [f] = scanForLeaks([{ where: 'stderr\nfake', text }], empty);
    expect(f!.excerpt.length).toBeLessThan(120);
    expect(f!.excerpt).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(f!.excerpt).toContain('\\u001b[31mred\\u202e 4242 **** **** 4242 \\r\\n');
    expect(f!.where).toBe('stderr\\nfake');
  });

  it('lists identical excerpts once and caps findings per kind, counting the rest', () => {
    const repeated = Array.from({ length: 50 }, () => 'card 4242424242424242').join('\n');
    const once = scanForLeaks([{ where: 'stdout', text: repeated }], empty);
    expect(once.length).toBeGreaterThan(0);
    expect(once.length).toBeLessThanOrEqual(5); // edges differ; the 46 middle lines look alike
    const distinct = TEST_CARDS.map((c, i) => `line ${'#'.repeat(i)} ${groupPan(c.pan)} end`).join('\n'.repeat(40));
    const r = scanForLeaksDetailed([{ where: 'stdout', text: distinct }], empty, { maxFindingsPerKind: 5 });
    expect(r.findings).toHaveLength(5);
    expect(r.suppressed['card-number']).toBe(TEST_CARDS.length - 5);
  });

  it('caps scanned characters per source and reports the cut', () => {
    const text = `${'a'.repeat(1000)} 4242424242424242`;
    const r = scanForLeaksDetailed([{ where: 'stdout', text }], empty, { maxCharsPerSource: 1000 });
    expect(r.findings).toEqual([]);
    expect(r.truncated).toEqual([{ where: 'stdout', scannedChars: 1000, totalChars: text.length }]);
    expect(scanForLeaksDetailed([{ where: 'stdout', text }], empty).findings).toHaveLength(1);
  });

  it('never shows a planted card, email, name or secret in any excerpt (random surroundings)', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const ctx: LeakContext = { secrets: [{ name: 'webhook-secret', value: secret }], plantedValues: ['jane.x1@example.test'], knownNames: ['Jane Roe'] };
    const pieces = [secret, 'jane.x1@example.test', 'Jane Roe', ...TEST_CARDS.map((c) => c.pan), ...TEST_CARDS.map((c) => groupPan(c.pan)), 'cvc=123', 'tok_abcdefgh1234'];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 12 })), { minLength: 1, maxLength: 12 }), (parts) => {
        const text = parts.join(' ');
        const fs = scanForLeaks([{ where: 'stdout', text }], ctx);
        for (const f of fs) {
          expect(f.excerpt).not.toContain(secret);
          expect(f.excerpt).not.toContain(secret.slice(6));
          expect(f.excerpt).not.toContain('jane.x1');
          expect(f.excerpt).not.toContain('Jane Roe');
          expect(f.excerpt).not.toContain('tok_abcdefgh1234');
          expect(f.excerpt).not.toMatch(/cvc=123/);
          for (const c of TEST_CARDS) {
            expect(f.excerpt).not.toContain(c.pan);
            expect(f.excerpt).not.toContain(groupPan(c.pan));
          }
        }
        for (const p of parts) if (pieces.includes(p)) expect(fs.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('skips the detectors a source ignores', () => {
    const text = 'POST /v1/refunds {"token":"tok_XG3jAeXWQtQ8jsJu8lki","pan":"4242424242424242"}';
    const fs = scanForLeaks([{ where: 'acquirer request', text, ignore: ['card-token'] }], empty);
    expect(fs.map((f) => f.kind)).toEqual(['card-number']);
  });

  it('builds a run context from datasets', () => {
    const data = new SyntheticData(4);
    const { planted } = data.withCanaries(data.event('payment.captured'), 'name-note');
    const ctx = leakContextOf({ secrets: [{ name: 'client-secret', value: 'abcdefghijkl' }], datasets: [data], allowedEmails: ['owner@example.test'] });
    expect(ctx.knownNames).toContain(planted[0]);
    expect(ctx.plantedValues).toEqual(planted);
    const fs = scanForLeaks([{ where: 'stdout', text: `owner@example.test ${planted[0]} abcdefghijkl` }], ctx);
    expect(fs.map((f) => f.kind).sort()).toEqual(['customer-name', 'secret']);
  });

  it('rejects a malformed context with a coded error', () => {
    expect(() => scanForLeaks([], { secrets: undefined } as never)).toThrow(/ctx\.secrets/);
  });
});
