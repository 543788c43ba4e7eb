import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { killSwitch } from '../../scenarios/kill-switch.js';
import { control, evidenceOf, runScenarios } from './run-fixture.js';

const KEEPS_REFUNDING = path.join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures/keeps-refunding/connector.yaml');

describe('kill-switch scenario (clause 12)', () => {
  it('a connector that keeps refunding after the kill fails kill-switch-stops-effects with the late effect named', async () => {
    const report = await runScenarios(KEEPS_REFUNDING, [killSwitch]);
    expect(control(report, 'kill-switch-stops-effects')).toMatchObject({ status: 'fail', clause: 12 });
    // Bound: 2 × sla.outboundTimeoutMs (1000 ms in this manifest).
    expect(evidenceOf(report, 'kill-switch-stops-effects')).toMatch(/effect\(s\) committed more than 2000 ms after the kill; first \d+ ms after: acquirer POST \/v1\/refunds → 201 \(committed\)/);
  });
});
