import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyBudget, PROPERTY_DEFAULTS } from '../../../harness/properties/budget.js';
import { propertySeed } from '../../../harness/properties/check-property.js';
import { liveNowSec } from '../../../harness/properties/live-clock.js';
import { sequenceCaseArb } from '../../../scenarios/properties/sequences.js';
import { signatureControl } from '../../../scenarios/properties/signatures.js';
import type { DeliveryCase } from '../../../harness/webhooks/arbitraries.js';

describe('property building blocks', () => {
  it('live clock: arithmetic, String() and Math.trunc read the clock at use time', () => {
    let ms = 1_767_225_600_500;
    const now = liveNowSec(() => ms);
    expect(now + 1).toBe(1_767_225_601);
    expect(String(now)).toBe('1767225600');
    expect(`${now}`).toBe('1767225600');
    expect(Math.trunc(now)).toBe(1_767_225_600);
    ms += 301_000;
    expect(now - 300).toBe(1_767_225_601);
  });

  it('budget: --runs and --time-budget override the defaults, the time is shared between properties', () => {
    expect(propertyBudget({}, 1)).toMatchObject({ numRuns: PROPERTY_DEFAULTS.runs, timeBudgetMs: PROPERTY_DEFAULTS.scenarioTimeBudgetMs });
    expect(propertyBudget({ runs: 7, timeBudgetMs: 9_000 }, 3)).toMatchObject({ numRuns: 7, timeBudgetMs: 3_000 });
    expect(propertyBudget({}, 2, { runs: 20, scenarioTimeBudgetMs: 5_000 })).toMatchObject({ numRuns: 20, timeBudgetMs: 2_500 });
    expect(propertyBudget({ timeBudgetMs: 10 * 3_600_000 }, 1).timeBudgetMs).toBe(PROPERTY_DEFAULTS.maxScenarioTimeBudgetMs);
    fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 1e7 }), (n, t) => {
      const b = propertyBudget({ timeBudgetMs: t }, n);
      return b.timeBudgetMs >= 50 && b.shrinkBudgetMs <= PROPERTY_DEFAULTS.maxShrinkMs && b.numRuns >= 1;
    }));
  });

  it('property seeds are stable per scenario seed and name, and differ between names', () => {
    expect(propertySeed(42, 'forged')).toBe(propertySeed(42, 'forged'));
    expect(propertySeed(42, 'forged')).not.toBe(propertySeed(42, 'valid'));
    expect(propertySeed(42, 'forged')).not.toBe(propertySeed(43, 'forged'));
    expect(Number.isInteger(propertySeed(1, 'x'))).toBe(true);
  });

  it('sequence cases use only the allowed commands and always hold the required one', () => {
    fc.assert(fc.property(sequenceCaseArb(['refund.requested'], ['cancel', 'deliver', 'delay'], { require: 'cancel' }), (c) => {
      expect(c.commands.some((x) => x.kind === 'cancel')).toBe(true);
      expect(c.commands.every((x) => ['cancel', 'deliver', 'delay'].includes(x.kind))).toBe(true);
      expect(c.slots.length).toBeGreaterThanOrEqual(1);
    }), { numRuns: 200 });
  });

  it('signature cases map to the controls of the contract, futures to the low-severity one', () => {
    const c = (x: Partial<DeliveryCase>) => ({ kind: 'x', label: '', expect: 'reject', delivery: {} as never, ...x }) as DeliveryCase;
    expect(signatureControl(c({ kind: 'stale' }))).toBe('signature-stale-rejected');
    expect(signatureControl(c({ kind: 'future', futureTimestamp: true }))).toBe('signature-future-rejected');
    expect(signatureControl(c({ kind: 'milliseconds', futureTimestamp: true }))).toBe('signature-future-rejected');
    expect(signatureControl(c({ kind: 'empty-secret' }))).toBe('signature-empty-key-rejected');
    expect(signatureControl(c({ kind: 'wrong-tag' }))).toBe('signature-wrong-version-rejected');
    expect(signatureControl(c({ kind: 'flipped-byte' }))).toBe('signature-forged-rejected');
    expect(signatureControl(c({ kind: 'several', expect: 'accept' }))).toBe('signature-rotation-accepted');
    expect(signatureControl(c({ kind: 'equivalent-bytes', expect: 'accept' }))).toBe('equivalent-bytes-accepted');
    expect(signatureControl(c({ kind: 'reserialized' }))).toBe('raw-body-verified');
  });
});
