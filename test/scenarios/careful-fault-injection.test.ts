import { describe, expect, it } from 'vitest';
import { missingScope, revokedMidRun, tokenExpiry } from '../../scenarios/credentials.js';
import { egressAllowlist } from '../../scenarios/egress.js';
import { killSwitch } from '../../scenarios/kill-switch.js';
import { chaosResetMidRefund } from '../../scenarios/network-chaos.js';
import { outboundErrors, outboundHang } from '../../scenarios/outbound-faults.js';
import { CAREFUL, control, runScenarios } from './run-fixture.js';

const CONTROLS = [
  'revoked-credentials-no-effect', 'no-retry-storm-on-401', 'expired-token-refreshed', 'least-privilege-scopes',
  'outbound-timeout-respected', 'retry-after-honored', 'no-double-money-movement', 'egress-allowlisted', 'kill-switch-stops-effects',
];

describe('the careful example under every fault-injection scenario', () => {
  it('passes clauses 8, 9, 11 and 12, and the sandbox is usable again after each scenario', async () => {
    const report = await runScenarios(CAREFUL, [tokenExpiry, revokedMidRun, missingScope, outboundHang, outboundErrors, chaosResetMidRefund, egressAllowlist, killSwitch]);
    const failed = report.controls.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.evidence.map((e) => e.summary).join(' | ')}`);
    expect(failed).toEqual([]);
    for (const id of CONTROLS) expect(control(report, id).status, id).toBe('pass');
    expect(report.scenarios.map((s) => s.status)).toEqual(Array(8).fill('passed'));
  });
});
