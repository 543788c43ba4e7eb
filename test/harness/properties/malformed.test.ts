import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_CATALOG, EVENT_TYPES, validateEvent } from '../../../harness/data/event-catalog.js';
import { SyntheticData } from '../../../harness/data/synthetic.js';
import { malformedCaseArb, MAX_NESTING, type MalformedBase } from '../../../harness/properties/malformed.js';

const data = new SyntheticData(3);
const POOL: MalformedBase[] = EVENT_TYPES.flatMap((type) => Array.from({ length: 2 }, () => ({ event: data.event(type) as unknown as Record<string, unknown>, type, critical: EVENT_CATALOG[type].critical })));
const CAP = 64 * 1024;
const arb = malformedCaseArb({ bases: fc.constantFrom(...POOL), capBytes: CAP });

function parse(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) };
  } catch {
    return { ok: false };
  }
}

describe('malformed-input generators', () => {
  it('never produce a schema-valid event except in the families meant to carry one', () => {
    fc.assert(
      fc.property(arb, (c) => {
        const p = parse(c.body);
        const validEvent = p.ok && validateEvent(p.value).valid;
        if (validEvent) expect(['wrong-content-type', 'missing-content-type', 'duplicate-keys', 'prototype-keys'], c.label).toContain(c.family);
        // A prototype-keys body is valid JSON whose critical field sits under a prototype-ish key only.
        if (c.family === 'prototype-keys') expect(c.body.toString()).toMatch(/"(__proto__|constructor|prototype)"/);
        if (c.family === 'wrong-content-type') expect(c.contentType).not.toMatch(/json/);
        if (c.family === 'missing-content-type') expect(c.contentType).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });

  it('marks unparseable bodies as reject, and every unsigned case as reject', () => {
    fc.assert(
      fc.property(arb, (c) => {
        if (!c.signed) expect(c.expect).toBe('reject');
        if (!parse(c.body).ok && c.family !== 'deep-nesting') expect(c.expect, c.label).toBe('reject');
      }),
      { numRuns: 400 },
    );
  });

  it('builds invalid UTF-8, type confusion and size cases that really are what their label says', () => {
    fc.assert(
      fc.property(arb, (c) => {
        if (c.family === 'invalid-utf8') expect(() => new TextDecoder('utf-8', { fatal: true }).decode(c.body)).toThrow();
        if (c.family === 'type-confusion') {
          const p = parse(c.body);
          expect(p.ok && validateEvent(p.value).valid, c.label).toBe(false);
        }
        if (c.family === 'large') {
          expect(c.body.length).toBeGreaterThanOrEqual(1024);
          expect(c.body.length).toBeLessThanOrEqual(CAP + 8);
        }
        if (c.family === 'deep-nesting') {
          const depth = Number(/^\S+ (\d+) nested/.exec(c.label)?.[1]);
          expect(depth).toBeGreaterThanOrEqual(2);
          expect(depth).toBeLessThanOrEqual(MAX_NESTING);
          expect(c.body.length).toBeGreaterThan(depth * 2);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('shrinks toward the simplest family: an empty body', () => {
    const r = fc.check(fc.property(arb, (c) => c.family === 'missing-content-type'), { seed: 4, numRuns: 200 });
    expect(r.failed).toBe(true);
    expect(r.counterexample![0].label).toBe('signed empty body');
  });
});
