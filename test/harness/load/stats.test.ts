import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentile, slowSends, summariseLatency, summariseRequests } from '../../../harness/load/stats.js';
import type { SendRecord } from '../../../harness/load/types.js';

describe('percentile', () => {
  it('is a sample value with at least q% of samples at or below it and fewer than q% strictly below', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e5, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 100 }), (xs, q) => {
        const s = [...xs].sort((a, b) => a - b);
        const p = percentile(s, q);
        expect(s).toContain(p);
        expect(s.filter((x) => x <= p).length / s.length).toBeGreaterThanOrEqual(q / 100);
        expect(s.filter((x) => x < p).length / s.length).toBeLessThan(q / 100);
      }),
    );
  });

  it('summarises latency with p50 ≤ p95 ≤ p99 ≤ max', () => {
    const l = summariseLatency(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(l).toMatchObject({ samples: 1000, p50: 500, p95: 950, p99: 990, max: 1000 });
    expect(summariseLatency([])).toMatchObject({ samples: 0, p50: 0, max: 0 });
  });
});

describe('summariseRequests', () => {
  const rec = (over: Partial<SendRecord>): SendRecord => ({ event: 0, duplicate: false, phase: 0, sentAt: 0, ...over });

  it('tells timeouts, broken connections and sends cut at the end apart, and counts non-2xx as errors', () => {
    const records = [
      rec({ event: 0, status: 200, latencyMs: 5 }),
      rec({ event: 1, status: 503, latencyMs: 5 }),
      rec({ event: 1, duplicate: true, status: 200, latencyMs: 5 }),
      rec({ event: 2, sentAt: 0 }), // waited 10 s with a 4 s timeout: timeout
      rec({ event: 3, sentAt: 9_000 }), // waited 1 s: broken connection (1 reported) …
      rec({ event: 4, sentAt: 9_500 }), // … or still in flight when the load stopped
    ];
    const s = summariseRequests(records, 10, 4_000, 10_000, 1);
    expect(s).toMatchObject({ planned: 10, sent: 6, uniqueEvents: 5, duplicates: 1, answered: 3, ok2xx: 2, non2xx: 1, timeouts: 1, noAnswer: 1, cut: 1, statusCounts: { '200': 2, '503': 1 } });
    expect(s.errorRate).toBeCloseTo(3 / 6, 4);
    expect(s.timeoutRate).toBeCloseTo(1 / 6, 4);
  });

  it('counts as slow what was answered after ackMs or waited longer than ackMs without an answer', () => {
    const records = [rec({ status: 200, latencyMs: 2_500 }), rec({ status: 200, latencyMs: 100 }), rec({ sentAt: 0 }), rec({ sentAt: 9_900 })];
    expect(slowSends(records, 2_000, 10_000)).toBe(2);
  });
});
