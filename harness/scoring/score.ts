import { GauntletError } from '../errors.js';
import type { ControlStatus, Severity, TierPolicies, Verdict } from '../model/control.js';
import type { Tier } from '../manifest/types.js';
import { TIER_POLICIES } from './tier-policies.js';

/** What scoring reads of a control result: nothing but its severity, weight and status. */
export interface ScoredControl {
  id: string;
  severity: Severity;
  weight: number;
  status: ControlStatus;
}

export interface ScoreResult {
  /** 0–100, one decimal. */
  score: number;
  verdict: Verdict;
  /** Why the verdict is what it is, one sentence each, most decisive first. */
  reasons: string[];
}

const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low'];
const VERDICT_RANK: Record<Verdict, number> = { rejected: 0, conditional: 1, certified: 2 };

/** True when verdict `a` is strictly better than `b` (certified > conditional > rejected). */
export function isBetterVerdict(a: Verdict, b: Verdict): boolean {
  return VERDICT_RANK[a] > VERDICT_RANK[b];
}

/**
 * Score controls and decide the verdict for a tier.
 *
 * score = round(100 × Σ weight(pass) / Σ weight(pass ∪ fail)) to one decimal; skipped
 * controls are left out, so a run is judged on what it could measure. The verdict is
 * decided on the rounded score (the one people see), then capped by the tier policy's
 * severity rules.
 *
 * @example
 * scoreControls([{ id: 'a', severity: 'high', weight: 6, status: 'pass' }], 'critical')
 * // { score: 100, verdict: 'certified', reasons: [...] }
 */
export function scoreControls(results: readonly ScoredControl[], tier: Tier, policies: TierPolicies = TIER_POLICIES): ScoreResult {
  const policy = policies[tier];
  if (!policy) throw new GauntletError('GAUNTLET_ERR_INTERNAL', `scoreControls: unknown tier ${JSON.stringify(tier)}`);
  let passed = 0;
  let total = 0;
  let scored = 0;
  const failedBySeverity = new Map<Severity, string[]>();
  results.forEach((r, i) => {
    if (typeof r.weight !== 'number' || !Number.isFinite(r.weight) || r.weight < 0) {
      throw new GauntletError('GAUNTLET_ERR_CATALOG_INVALID', `control ${r.id} (results[${i}].weight) has weight ${String(r.weight)}; weights must be finite and >= 0`);
    }
    if (!SEVERITY_ORDER.includes(r.severity)) {
      throw new GauntletError('GAUNTLET_ERR_CATALOG_INVALID', `control ${r.id} (results[${i}].severity) has unknown severity ${JSON.stringify(r.severity)}`);
    }
    if (r.status === 'skip') return;
    if (r.status !== 'pass' && r.status !== 'fail') {
      throw new GauntletError('GAUNTLET_ERR_INTERNAL', `control ${r.id} (results[${i}].status) has unknown status ${JSON.stringify(r.status)}`);
    }
    scored++;
    total += r.weight;
    if (r.status === 'pass') passed += r.weight;
    else {
      const list = failedBySeverity.get(r.severity) ?? [];
      list.push(r.id);
      failedBySeverity.set(r.severity, list);
    }
  });

  if (scored === 0) {
    return { score: 0, verdict: 'rejected', reasons: ['no control could be evaluated (every control was skipped)'] };
  }
  if (total === 0) {
    return { score: 0, verdict: 'rejected', reasons: [`no control could be evaluated with weight: the ${scored} scored control(s) all have weight 0`] };
  }

  const score = roundOneDecimal((100 * passed) / total);
  const reasons: string[] = [];
  const failedIn = (severities: readonly Severity[]): Array<[Severity, string[]]> =>
    SEVERITY_ORDER.filter((s) => severities.includes(s) && failedBySeverity.has(s)).map((s) => [s, failedBySeverity.get(s) ?? []]);

  const forcing = failedIn(policy.forceRejected);
  const blocking = failedIn(policy.blockCertified);
  for (const [sev, ids] of forcing) reasons.push(`failed ${sev} ${plural(ids)} ${ids.join(', ')} ${verb(ids)} rejected at tier ${tier}`);

  let verdict: Verdict;
  if (forcing.length > 0) {
    verdict = 'rejected';
  } else if (score >= policy.certifiedMin && blocking.length === 0) {
    verdict = 'certified';
    reasons.push(`score ${score.toFixed(1)} >= ${policy.certifiedMin} (certified minimum at tier ${tier}) and no failed ${policy.blockCertified.join('/')} control`);
  } else {
    for (const [sev, ids] of blocking) reasons.push(`failed ${sev} ${plural(ids)} ${ids.join(', ')} ${ids.length === 1 ? 'forbids' : 'forbid'} certified at tier ${tier}`);
    if (score < policy.certifiedMin) reasons.push(`score ${score.toFixed(1)} is below ${policy.certifiedMin}, the certified minimum at tier ${tier}`);
    if (score >= policy.conditionalMin) {
      verdict = 'conditional';
      reasons.push(`score ${score.toFixed(1)} >= ${policy.conditionalMin} (conditional minimum at tier ${tier})`);
    } else {
      verdict = 'rejected';
      reasons.push(`score ${score.toFixed(1)} is below ${policy.conditionalMin}, the conditional minimum at tier ${tier}`);
    }
  }
  return { score, verdict, reasons };
}

/**
 * One control's status over all scenario outcomes that touched it: fail if any
 * failed, pass if at least one passed and none failed, skip otherwise (no outcome,
 * or every outcome skipped).
 */
export function aggregateControl(outcomes: ReadonlyArray<{ status: ControlStatus }>): ControlStatus {
  let anyPass = false;
  for (const o of outcomes) {
    if (o.status === 'fail') return 'fail';
    if (o.status === 'pass') anyPass = true;
  }
  return anyPass ? 'pass' : 'skip';
}

function roundOneDecimal(x: number): number {
  // Guard the edges explicitly so floating error can never yield 100.1 or -0.
  const r = Math.round(x * 10) / 10;
  return Math.min(100, Math.max(0, r)) + 0;
}

function plural(ids: string[]): string {
  return ids.length === 1 ? 'control' : 'controls';
}

function verb(ids: string[]): string {
  return ids.length === 1 ? 'forces' : 'force';
}
