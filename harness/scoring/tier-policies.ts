import type { Severity, TierPolicies, TierPolicy } from '../model/control.js';

function policy(certifiedMin: number, conditionalMin: number, blockCertified: Severity[], forceRejected: Severity[]): TierPolicy {
  // Frozen so a caller cannot loosen the policy for the rest of the process.
  Object.freeze(blockCertified);
  Object.freeze(forceRejected);
  return Object.freeze({ certifiedMin, conditionalMin, blockCertified, forceRejected });
}

/**
 * Verdict thresholds per risk tier. The higher the tier, the higher the score a
 * connector needs and the fewer failed severities it may carry.
 *
 * - `blockCertified`: any failed control of these severities rules out `certified`,
 *   whatever the score (one forged-signature acceptance is not offset by passes).
 * - `forceRejected`: any failed control of these severities means `rejected`.
 *
 * At every tier a failed critical control forbids `certified`; at high and critical
 * tier it also forces `rejected`. The table and its rationale are in docs/report-format.md.
 *
 * @example
 * TIER_POLICIES.critical.certifiedMin // 95
 */
export const TIER_POLICIES: TierPolicies = Object.freeze({
  critical: policy(95, 80, ['critical', 'high'], ['critical']),
  high: policy(90, 75, ['critical', 'high'], ['critical']),
  medium: policy(85, 65, ['critical'], []),
  low: policy(75, 50, ['critical'], []),
});
