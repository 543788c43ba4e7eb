import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aggregateControl, isBetterVerdict, scoreControls, type ScoredControl } from '../../../harness/scoring/score.js';
import { TIER_POLICIES } from '../../../harness/scoring/tier-policies.js';
import { TIERS } from '../../../harness/manifest/types.js';
import { isGauntletError } from '../../../harness/errors.js';
import type { Severity } from '../../../harness/model/control.js';

const severityArb = fc.constantFrom<Severity>('critical', 'high', 'medium', 'low');
const controlArb = fc.record({
  id: fc.stringMatching(/^[a-z][a-z-]{0,20}$/),
  severity: severityArb,
  weight: fc.integer({ min: 0, max: 20 }),
  status: fc.constantFrom('pass' as const, 'fail' as const, 'skip' as const),
});
const tierArb = fc.constantFrom(...TIERS);

const c = (id: string, severity: Severity, weight: number, status: ScoredControl['status']): ScoredControl => ({ id, severity, weight, status });

describe('scoreControls', () => {
  it('scores weighted passes over pass+fail, one decimal, skips excluded', () => {
    const r = scoreControls([c('a', 'low', 2, 'pass'), c('b', 'low', 1, 'fail'), c('z', 'critical', 50, 'skip')], 'low');
    expect(r.score).toBe(66.7);
    expect(r.verdict).toBe('conditional');
  });

  it('rejects with a reason when no control could be evaluated', () => {
    for (const results of [[], [c('a', 'high', 5, 'skip')]]) {
      const r = scoreControls(results, 'low');
      expect(r).toMatchObject({ score: 0, verdict: 'rejected' });
      expect(r.reasons.join(' ')).toContain('no control could be evaluated');
    }
  });

  it('explains a blocked certification by naming the control, severity and tier', () => {
    const results = [c('ok', 'critical', 1000, 'pass'), c('signature-forged-rejected', 'high', 1, 'fail')];
    const r = scoreControls(results, 'critical');
    expect(r.score).toBe(99.9);
    expect(r.verdict).toBe('conditional');
    expect(r.reasons).toContain('failed high control signature-forged-rejected forbids certified at tier critical');
  });

  it('applies the documented thresholds at each tier', () => {
    // 19 of 20 weight passing = 95.0; failing control is low severity.
    const at95 = [c('p', 'medium', 19, 'pass'), c('f', 'low', 1, 'fail')];
    expect(scoreControls(at95, 'critical').verdict).toBe('certified');
    const at80 = [c('p', 'medium', 4, 'pass'), c('f', 'low', 1, 'fail')];
    expect(scoreControls(at80, 'critical').verdict).toBe('conditional');
    expect(scoreControls(at80, 'high').verdict).toBe('conditional');
    expect(scoreControls(at80, 'low').verdict).toBe('certified');
    const at75 = [c('p', 'medium', 3, 'pass'), c('f', 'low', 1, 'fail')];
    expect(scoreControls(at75, 'critical').verdict).toBe('rejected');
    expect(scoreControls(at75, 'high').verdict).toBe('conditional');
    // A failed critical control: rejected at high/critical whatever the score, conditional at most below.
    const critFail = [c('p', 'medium', 999, 'pass'), c('f', 'critical', 1, 'fail')];
    expect(scoreControls(critFail, 'critical').verdict).toBe('rejected');
    expect(scoreControls(critFail, 'high').verdict).toBe('rejected');
    expect(scoreControls(critFail, 'medium').verdict).toBe('conditional');
    expect(scoreControls(critFail, 'low').verdict).toBe('conditional');
  });

  it('refuses negative or non-finite weights with a coded error naming the control', () => {
    for (const weight of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      try {
        scoreControls([c('bad-weight', 'low', weight, 'pass')], 'low');
        expect.unreachable();
      } catch (e) {
        expect(isGauntletError(e) && e.code).toBe('GAUNTLET_ERR_CATALOG_INVALID');
        expect((e as Error).message).toContain('bad-weight');
      }
    }
  });

  it('property: score is within [0, 100] with at most one decimal', () => {
    fc.assert(
      fc.property(fc.array(controlArb, { maxLength: 40 }), tierArb, (results, tier) => {
        const { score } = scoreControls(results, tier);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(100);
        expect(Math.round(score * 10) / 10).toBe(score);
      }),
    );
  });

  it('property: adding a failing control never raises the score nor improves the verdict', () => {
    fc.assert(
      fc.property(fc.array(controlArb, { maxLength: 30 }), severityArb, fc.integer({ min: 0, max: 20 }), tierArb, (results, sev, w, tier) => {
        const before = scoreControls(results, tier);
        const after = scoreControls([...results, c('added-fail', sev, w, 'fail')], tier);
        expect(after.score).toBeLessThanOrEqual(before.score);
        expect(isBetterVerdict(after.verdict, before.verdict)).toBe(false);
      }),
    );
  });

  it('property: a failed critical control is never certified at any tier', () => {
    fc.assert(
      fc.property(fc.array(controlArb, { maxLength: 30 }), fc.integer({ min: 0, max: 20 }), tierArb, (results, w, tier) => {
        expect(scoreControls([...results, c('crit', 'critical', w, 'fail')], tier).verdict).not.toBe('certified');
      }),
    );
  });

  it('property: raising the weight of a passing control never lowers the score nor worsens the verdict', () => {
    fc.assert(
      fc.property(fc.array(controlArb, { minLength: 1, maxLength: 30 }), fc.nat(), fc.integer({ min: 1, max: 50 }), tierArb, (results, pick, extra, tier) => {
        const passes = results.map((r, i) => [r, i] as const).filter(([r]) => r.status === 'pass');
        fc.pre(passes.length > 0);
        const [, idx] = passes[pick % passes.length]!;
        const heavier = results.map((r, i) => (i === idx ? { ...r, weight: r.weight + extra } : r));
        const before = scoreControls(results, tier);
        const after = scoreControls(heavier, tier);
        expect(after.score).toBeGreaterThanOrEqual(before.score);
        expect(isBetterVerdict(before.verdict, after.verdict)).toBe(false);
      }),
    );
  });

  it('every tier policy is ordered: certified minimum >= conditional minimum, and critical failures block certification', () => {
    for (const tier of TIERS) {
      const p = TIER_POLICIES[tier];
      expect(p.certifiedMin).toBeGreaterThanOrEqual(p.conditionalMin);
      expect(p.blockCertified).toContain('critical');
      expect(Object.isFrozen(p.blockCertified)).toBe(true);
    }
  });
});

describe('aggregateControl', () => {
  it('fails on any failure, passes on a pass without failures, skips otherwise', () => {
    expect(aggregateControl([])).toBe('skip');
    expect(aggregateControl([{ status: 'skip' }])).toBe('skip');
    expect(aggregateControl([{ status: 'skip' }, { status: 'pass' }])).toBe('pass');
    expect(aggregateControl([{ status: 'pass' }, { status: 'fail' }, { status: 'pass' }])).toBe('fail');
  });

  it('property: order of outcomes does not matter', () => {
    const st = fc.constantFrom('pass' as const, 'fail' as const, 'skip' as const);
    fc.assert(
      fc.property(fc.array(st.map((status) => ({ status }))), (outcomes) => {
        expect(aggregateControl([...outcomes].reverse())).toBe(aggregateControl(outcomes));
      }),
    );
  });
});

describe('docs/report-format.md', () => {
  it('documents the thresholds the code applies', async () => {
    const { readFile } = await import('node:fs/promises');
    const md = await readFile(new URL('../../../docs/report-format.md', import.meta.url), 'utf8');
    for (const tier of TIERS) {
      const p = TIER_POLICIES[tier];
      const row = md.split('\n').find((l) => l.startsWith(`| ${tier} |`));
      expect(row, `row for tier ${tier}`).toBeDefined();
      const [, certified, conditional, forced] = row!.split('|').map((c) => c.trim()).slice(1);
      expect(certified).toContain(`score ≥ ${p.certifiedMin}`);
      expect(conditional).toBe(`score ≥ ${p.conditionalMin}`);
      expect(certified).toContain(p.blockCertified.length === 2 ? 'no failed critical or high control' : 'no failed critical control');
      expect(forced).toBe(p.forceRejected.length ? `${p.forceRejected.join(' or ')} control` : '—');
    }
  });
});
