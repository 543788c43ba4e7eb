import { describe, expect, it } from 'vitest';
import { chaosResetMidRefund } from '../../scenarios/network-chaos.js';
import { outboundErrors, outboundHang } from '../../scenarios/outbound-faults.js';
import { control, evidenceOf, FLAWED, runScenarios } from './run-fixture.js';

describe('outbound-fault scenarios against single-flaw fixtures (clause 9)', () => {
  it('no-outbound-timeout: a hung call still open past sla.outboundTimeoutMs fails outbound-timeout-respected', async () => {
    const report = await runScenarios(FLAWED('no-outbound-timeout'), [outboundHang]);
    expect(control(report, 'outbound-timeout-respected')).toMatchObject({ status: 'fail', clause: 9 });
    expect(evidenceOf(report, 'outbound-timeout-respected')).toMatch(/still open \d+ ms after it arrived \(sla\.outboundTimeoutMs 5000 ms\): no outbound timeout/);
  });

  it('new-idempotency-key-on-retry: commit-then-hang and a reset mid-answer both end in a double refund', async () => {
    const report = await runScenarios(FLAWED('new-idempotency-key-on-retry'), [outboundHang, chaosResetMidRefund]);
    const dbl = control(report, 'no-double-money-movement');
    expect(dbl).toMatchObject({ status: 'fail', clause: 9 });
    const byScenario = Object.fromEntries(dbl.evidence.map((e) => [e.scenario, e.status]));
    expect(byScenario['outbound-hang-and-commit-timeout']).toBe('fail');
    expect(byScenario['chaos-reset-mid-refund']).toBe('fail');
    expect(evidenceOf(report, 'no-double-money-movement')).toMatch(/2 × acquirer POST \/v1\/refunds committed/);
    // The timeout itself is fine: only the key changes.
    expect(control(report, 'outbound-timeout-respected').status).toBe('pass');
    expect(dbl.counterexample?.replay).toContain('--scenario');
  });

  it('ignores-retry-after: a retry sooner than Retry-After fails retry-after-honored with the measured gap', async () => {
    const report = await runScenarios(FLAWED('ignores-retry-after'), [outboundErrors]);
    expect(control(report, 'retry-after-honored')).toMatchObject({ status: 'fail', clause: 9 });
    expect(evidenceOf(report, 'retry-after-honored')).toMatch(/retried POST \/v1\/refunds \d+ ms after a (429|503) with Retry-After: 1/);
    expect(control(report, 'no-double-money-movement').status).toBe('pass');
  });
});
