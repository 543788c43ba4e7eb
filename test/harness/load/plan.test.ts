import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GauntletError } from '../../../harness/errors.js';
import { LOAD_LIMITS, phasesOf, planSends, seededRandom, validateProfile } from '../../../harness/load/plan.js';
import type { LoadProfile } from '../../../harness/load/types.js';

const profileArb: fc.Arbitrary<LoadProfile> = fc.record({
  rate: fc.option(fc.integer({ min: 1, max: 5_000 }), { nil: undefined }),
  durationMs: fc.integer({ min: 1, max: 120_000 }),
  connections: fc.integer({ min: 1, max: 64 }),
  rampSteps: fc.option(fc.integer({ min: 1, max: LOAD_LIMITS.maxRampSteps }), { nil: undefined }),
  maxRequests: fc.integer({ min: 1, max: 50_000 }),
  duplicateShare: fc.double({ min: 0, max: 0.9, noNaN: true }),
  timeoutMs: fc.integer({ min: 1_000, max: 30_000 }),
}).filter((p) => !(p.rampSteps !== undefined && p.rampSteps > 1 && p.rate === undefined));

describe('phasesOf', () => {
  it('never plans more than maxRequests, keeps phases in order inside the window, and ramps up to the rate', () => {
    fc.assert(
      fc.property(profileArb, (p) => {
        const phases = phasesOf(p);
        expect(phases.length).toBeGreaterThan(0);
        expect(phases.reduce((a, x) => a + x.requests, 0)).toBeLessThanOrEqual(p.maxRequests);
        for (let i = 0; i < phases.length; i++) {
          const ph = phases[i]!;
          expect(ph.requests).toBeGreaterThan(0);
          expect(ph.startMs + ph.durationMs).toBeLessThanOrEqual(p.durationMs);
          if (i > 0) {
            expect(ph.startMs).toBeGreaterThanOrEqual(phases[i - 1]!.startMs + phases[i - 1]!.durationMs);
            expect(ph.rate!).toBeGreaterThanOrEqual(phases[i - 1]!.rate!);
          }
        }
        if (p.rate === undefined) expect(phases).toEqual([{ label: 'closed loop', startMs: 0, durationMs: p.durationMs, requests: p.maxRequests }]);
        else if (phases.length === (p.rampSteps ?? 1)) expect(phases.at(-1)!.rate).toBe(p.rate);
      }),
      { numRuns: 200 },
    );
  });

  it('splits a ramp into equal back-to-back steps: 300/s over 3 s in 3 steps is 100, 200, 300 requests', () => {
    const phases = phasesOf({ rate: 300, durationMs: 3_000, connections: 10, rampSteps: 3, maxRequests: 10_000, duplicateShare: 0, timeoutMs: 2_000 });
    expect(phases.map((p) => [p.startMs, p.durationMs, p.rate, p.requests])).toEqual([
      [0, 1_000, 100, 100],
      [1_000, 1_000, 200, 200],
      [2_000, 1_000, 300, 300],
    ]);
  });
});

describe('validateProfile', () => {
  it('names every bad field at once with a coded error', () => {
    let err: unknown;
    try {
      validateProfile({ rate: 0, durationMs: -1, connections: 10_000, maxRequests: 1.5, duplicateShare: 2, timeoutMs: 10 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GauntletError);
    const g = err as GauntletError;
    expect(g.code).toBe('GAUNTLET_ERR_FLAG_INVALID');
    expect(g.problems.map((p) => p.path).sort()).toEqual(['connections', 'duplicateShare', 'durationMs', 'maxRequests', 'rate', 'timeoutMs']);
  });

  it('refuses a ramp without a rate', () => {
    expect(() => validateProfile({ durationMs: 1_000, connections: 1, rampSteps: 3, maxRequests: 10, duplicateShare: 0, timeoutMs: 1_000 })).toThrow(/ramp/);
  });
});

describe('planSends', () => {
  it('starts fresh, numbers fresh events in order, and repeats only recent earlier events', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.double({ min: 0, max: 0.9, noNaN: true }), fc.integer({ min: 1, max: 40 }), fc.integer(), (total, share, window, seed) => {
        const { sends, events } = planSends(total, share, window, seededRandom(seed));
        expect(sends).toHaveLength(total);
        expect(sends[0]).toEqual({ event: 0, duplicate: false });
        let fresh = 0;
        for (const s of sends) {
          if (!s.duplicate) {
            if (s.event !== fresh++) throw new Error(`fresh event out of order: ${s.event}`);
          } else if (s.event >= fresh || s.event < fresh - window) throw new Error(`repeat of ${s.event} outside [${fresh - window}, ${fresh})`);
        }
        expect(events).toBe(fresh);
        if (share === 0) expect(sends.every((s) => !s.duplicate)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('mixes in about the requested share of repeats, reproducibly from the seed', () => {
    const a = planSends(5_000, 0.25, 20, seededRandom(42));
    const b = planSends(5_000, 0.25, 20, seededRandom(42));
    expect(a).toEqual(b);
    const share = a.sends.filter((s) => s.duplicate).length / 5_000;
    expect(share).toBeGreaterThan(0.22);
    expect(share).toBeLessThan(0.28);
  });
});
