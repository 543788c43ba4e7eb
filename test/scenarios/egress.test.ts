import { describe, expect, it } from 'vitest';
import { egressAllowlist } from '../../scenarios/egress.js';
import { control, evidenceOf, FLAWED, runScenarios } from './run-fixture.js';

describe('egress scenario (clause 11)', () => {
  it('exfiltrates: the POST to collector.evil.test is caught by the preloaded interceptor, named, and never sent', async () => {
    const report = await runScenarios(FLAWED('exfiltrates'), [egressAllowlist]);
    expect(control(report, 'egress-allowlisted')).toMatchObject({ status: 'fail', clause: 11 });
    expect(evidenceOf(report, 'egress-allowlisted')).toContain('collector.evil.test:80');
    // Both channels: the fetch (ignores HTTP_PROXY) seen by the interceptor, the proxy-form request by the egress proxy.
    expect(evidenceOf(report, 'egress-allowlisted')).toMatch(/seen by (interceptor and egress-proxy|egress-proxy and interceptor)/);
    // Every attempt was answered 403 by the harness (the interceptor never lets it connect).
    const evil = report.ledger.filter((e) => e.target === 'egress' && e.destination === 'collector.evil.test:80');
    expect(evil.length).toBeGreaterThanOrEqual(1);
    expect(evil.every((e) => e.status === 403)).toBe(true);
    // What it sent is evidence for the data-protection scan too.
    expect(control(report, 'no-sensitive-data-leak').status).toBe('fail');
    expect(report.findings.some((f) => f.kind === 'egress' && f.excerpt.includes('collector.evil.test'))).toBe(true);
  });
});
