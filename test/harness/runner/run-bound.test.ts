import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAccepted, type DeliveryOutcome } from '../../../harness/model/delivery.js';
import {
  BETWEEN_SCENARIOS_HEALTH_MS,
  DEFAULT_SCENARIO_LIMIT_MS,
  SETUP_ALLOWANCE_MS,
  STOP_WORST_MS,
  capRunBound,
  computeRunBound,
  describeRunBound,
} from '../../../harness/runner/run-bound.js';

const manifest = (startTimeoutMs: number) => ({ run: { startTimeoutMs, cwd: '/', env: {} } });

describe('computeRunBound', () => {
  it('sums the first start, every scenario limit and its overhead, the final stop and the setup allowance', () => {
    const b = computeRunBound(manifest(2_000), [{ id: 'a', timeLimitMs: 60_000 }, { id: 'b' }]);
    const perScenario = BETWEEN_SCENARIOS_HEALTH_MS + STOP_WORST_MS + 2_000 + 2 * STOP_WORST_MS;
    expect(b.totalMs).toBe(2_000 + STOP_WORST_MS + 60_000 + DEFAULT_SCENARIO_LIMIT_MS + 2 * perScenario + STOP_WORST_MS + SETUP_ALLOWANCE_MS.embedded);
    expect(b.parts.reduce((s, p) => s + p.ms, 0)).toBe(b.totalMs);
    expect(describeRunBound(b)).toMatch(/^185 s \(first start .* 7 s \+ 2 scenario time limit\(s\) 105 s \+ .* \+ embedded sandbox setup, scan and reports 30 s\)$/);
  });

  it('no scenarios: still the start, the stop and the setup', () => {
    expect(computeRunBound(manifest(100), []).totalMs).toBe(100 + 2 * STOP_WORST_MS + SETUP_ALLOWANCE_MS.embedded);
  });

  it('containers get the image-build allowance', () => {
    const e = computeRunBound(manifest(1_000), [{ id: 'a' }]);
    const c = computeRunBound(manifest(1_000), [{ id: 'a' }], 'containers');
    expect(c.totalMs - e.totalMs).toBe(SETUP_ALLOWANCE_MS.containers - SETUP_ALLOWANCE_MS.embedded);
  });

  it('(property) grows with every input and always covers the scenario limits plus the start', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 600_000 }), fc.array(fc.option(fc.integer({ min: 1, max: 3_600_000 }), { nil: undefined }), { maxLength: 40 }), (start, limits) => {
        const scenarios = limits.map((l, i) => ({ id: `s${i}`, ...(l !== undefined ? { timeLimitMs: l } : {}) }));
        const b = computeRunBound(manifest(start), scenarios);
        const sumLimits = limits.reduce<number>((s, l) => s + (l ?? DEFAULT_SCENARIO_LIMIT_MS), 0);
        expect(b.totalMs).toBeGreaterThanOrEqual(start + sumLimits);
        expect(computeRunBound(manifest(start + 1), scenarios).totalMs).toBeGreaterThan(b.totalMs);
        expect(computeRunBound(manifest(start), [...scenarios, { id: 'extra' }]).totalMs).toBeGreaterThan(b.totalMs);
        expect(Number.isSafeInteger(b.totalMs)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('capRunBound (--max-run-time)', () => {
  const derived = computeRunBound(manifest(2_000), [{ id: 'a' }]);

  it('a cap below the derived bound replaces it and remembers the derived one', () => {
    const b = capRunBound(derived, 6_000);
    expect(b.totalMs).toBe(6_000);
    expect(b.derivedMs).toBe(derived.totalMs);
    expect(describeRunBound(b)).toBe(`6 s (--max-run-time 6 s; derived bound ${Math.ceil(derived.totalMs / 1000)} s)`);
  });

  it('a cap above it, or none, changes nothing', () => {
    expect(capRunBound(derived, derived.totalMs + 1)).toBe(derived);
    expect(capRunBound(derived, undefined)).toBe(derived);
  });
});

describe('isAccepted (regression: a 2xx whose answer never completes is no acknowledgement)', () => {
  const ok: DeliveryOutcome = { status: 200, headers: {}, body: '', bodyTruncated: false, durationMs: 3 };

  it('a complete 2xx is accepted', () => {
    expect(isAccepted(ok)).toBe(true);
  });

  it('a 200 whose body exceeded the cap (endless-body, huge-body) is not', () => {
    expect(isAccepted({ ...ok, bodyTruncated: true, error: { kind: 'response-too-large', message: 'response body exceeded the 64 KiB cap' } })).toBe(false);
  });

  it('a 200 whose body never finished by the deadline is not', () => {
    expect(isAccepted({ ...ok, error: { kind: 'timeout', message: 'no complete response within 30000 ms (status 200 received, body unfinished)' } })).toBe(false);
  });
});
