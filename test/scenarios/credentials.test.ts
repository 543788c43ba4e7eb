import { describe, expect, it } from 'vitest';
import { revokedMidRun, tokenExpiry } from '../../scenarios/credentials.js';
import { egressAllowlist } from '../../scenarios/egress.js';
import { control, evidenceOf, FLAWED, runScenarios } from './run-fixture.js';

// Each single-flaw fixture is caught by the control named for its flaw (clause 8), and only its flaw's
// scenario is run, so a regression points at one place.
describe('credential scenarios against single-flaw fixtures (clause 8)', () => {
  it('retry-storm-on-401: revocation mid-run shows the storm with its measured rate', async () => {
    const report = await runScenarios(FLAWED('retry-storm-on-401'), [revokedMidRun]);
    const storm = control(report, 'no-retry-storm-on-401');
    expect(storm).toMatchObject({ status: 'fail', clause: 8 });
    expect(evidenceOf(report, 'no-retry-storm-on-401')).toMatch(/retry storm after revocation \(401s\): \d+ hub calls in \d+ ms \([\d.]+\/s/);
    // The storm did not move money while revoked, and the fixture recovers once restored.
    expect(control(report, 'revoked-credentials-no-effect').status).toBe('pass');
  });

  it('never-refreshes-token: once its token is revoked and then expires, processing stops', async () => {
    const report = await runScenarios(FLAWED('never-refreshes-token'), [tokenExpiry]);
    expect(control(report, 'expired-token-refreshed')).toMatchObject({ status: 'fail', clause: 8 });
    expect(evidenceOf(report, 'expired-token-refreshed')).toMatch(/401/);
  });

  it('unused-scopes: the least-privilege report names the requested scopes nobody used', async () => {
    const report = await runScenarios(FLAWED('unused-scopes'), [egressAllowlist]);
    const lp = control(report, 'least-privilege-scopes');
    expect(lp).toMatchObject({ status: 'fail', clause: 8 });
    const text = evidenceOf(report, 'least-privilege-scopes');
    expect(text).toContain('exports:write');
    expect(text).toContain('customers:read');
    // Scopes that successful calls needed are not reported (the token request's scope string does not count).
    expect(text).toMatch(/never used: exports:write, customers:read \(used: refunds:write, risk:write\)/);
    expect(report.findings.filter((f) => f.kind === 'unused-scope').map((f) => f.excerpt).sort()).toEqual(['customers:read', 'exports:write']);
  });
});
