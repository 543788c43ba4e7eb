import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { additiveDriftArb, applyDrift, CRITICAL_DRIFT_KINDS, criticalDriftArb, criticalPointers, describeDrift } from '../../../harness/data/drift.js';
import { EVENT_TYPES, validateEvent } from '../../../harness/data/event-catalog.js';
import { SyntheticData } from '../../../harness/data/synthetic.js';

const data = new SyntheticData(7);
// Built once: a faker instance per generated case would dominate the run time.
const POOL = EVENT_TYPES.flatMap((type) => Array.from({ length: 4 }, () => ({ type, event: data.event(type) })));
const eventArb = fc.constantFrom(...POOL);

describe('schema drift generators', () => {
  it('every critical drift makes a valid event violate its schema', () => {
    fc.assert(
      fc.property(eventArb.chain(({ type, event }) => criticalDriftArb(type).map((d) => ({ type, event, d }))), ({ type, event, d }) => {
        expect(validateEvent(event).valid).toBe(true);
        const drifted = applyDrift(event, d);
        const r = validateEvent(drifted);
        expect(r.valid, `${type}: ${describeDrift(d)}`).toBe(false);
      }),
      { numRuns: 120 },
    );
  });

  it('every additive drift keeps the event valid and changes its bytes', () => {
    fc.assert(
      fc.property(eventArb.chain(({ type, event }) => additiveDriftArb(type).map((d) => ({ type, event, d }))), ({ type, event, d }) => {
        const drifted = applyDrift(event, d);
        expect(validateEvent(drifted), `${type}: ${describeDrift(d)}`).toEqual({ valid: true, type });
        expect(JSON.stringify(drifted)).not.toBe(JSON.stringify(event));
      }),
      { numRuns: 120 },
    );
  });

  it('never modifies the input event', () => {
    const event = data.event('refund.requested');
    const before = JSON.stringify(event);
    fc.assert(fc.property(criticalDriftArb('refund.requested'), (d) => {
      applyDrift(event, d);
      expect(JSON.stringify(event)).toBe(before);
    }), { numRuns: 100 });
  });

  it('reaches every critical field and every kind of the catalog', () => {
    for (const type of EVENT_TYPES) {
      const seen = new Set<string>();
      const kinds = new Set<string>();
      for (const d of fc.sample(criticalDriftArb(type), { numRuns: 2_000, seed: 1 })) {
        kinds.add(d.kind);
        if ('pointer' in d) seen.add(d.pointer);
      }
      expect([...kinds].sort()).toEqual([...CRITICAL_DRIFT_KINDS].sort());
      expect([...seen].sort()).toEqual(criticalPointers(type).filter((p) => p !== '/type').sort());
    }
  });

  it('rejects a type outside the catalog with a coded error', () => {
    expect(() => criticalDriftArb('payment.teleported')).toThrow(/GAUNTLET_ERR_CATALOG_INVALID|not a catalog event type/);
  });
});
