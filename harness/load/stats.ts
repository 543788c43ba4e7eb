import type { LatencySummary, LoadRequestsSummary, SendRecord } from './types.js';

/** Nearest-rank percentile of an ascending array (q in 0..100); 0 for no samples. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

const r2 = (n: number) => Math.round(n * 100) / 100;

export function summariseLatency(samples: readonly number[]): LatencySummary {
  const s = [...samples].sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  return {
    samples: s.length,
    p50: r2(percentile(s, 50)),
    p95: r2(percentile(s, 95)),
    p99: r2(percentile(s, 99)),
    max: r2(s.length ? s[s.length - 1]! : 0),
    mean: r2(s.length ? sum / s.length : 0),
  };
}

export function isOk(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 300;
}

/**
 * Counts what happened to every send. An unanswered send that waited at least the
 * per-request timeout (measured to `endedAt`) is a timeout. Of the other unanswered
 * sends, up to `connectionErrors` (autocannon's count of broken connections) are
 * "no answer"; the rest were still in flight when the load stopped: cut, which says
 * nothing against the connector except through the latency check.
 */
export function summariseRequests(records: readonly SendRecord[], planned: number, timeoutMs: number, endedAt: number, connectionErrors = 0): LoadRequestsSummary {
  const statusCounts: Record<string, number> = {};
  let answered = 0;
  let ok2xx = 0;
  let timeouts = 0;
  let unansweredEarly = 0;
  let duplicates = 0;
  const events = new Set<number>();
  for (const r of records) {
    events.add(r.event);
    if (r.duplicate) duplicates++;
    if (r.status === undefined) {
      if (endedAt - r.sentAt >= timeoutMs) timeouts++;
      else unansweredEarly++;
      continue;
    }
    answered++;
    statusCounts[String(r.status)] = (statusCounts[String(r.status)] ?? 0) + 1;
    if (isOk(r.status)) ok2xx++;
  }
  const noAnswer = Math.min(unansweredEarly, Math.max(0, connectionErrors));
  const cut = unansweredEarly - noAnswer;
  const sent = records.length;
  const non2xx = answered - ok2xx;
  return {
    planned,
    sent,
    uniqueEvents: events.size,
    duplicates,
    answered,
    ok2xx,
    non2xx,
    timeouts,
    noAnswer,
    cut,
    errorRate: sent ? round4((non2xx + timeouts + noAnswer) / sent) : 0,
    timeoutRate: sent ? round4(timeouts / sent) : 0,
    statusCounts,
  };
}

/**
 * Sends that broke the acknowledgement SLA: answered slower than `ackMs`, or unanswered
 * after waiting longer than `ackMs` (a send cut off sooner tells nothing about the SLA).
 */
export function slowSends(records: readonly SendRecord[], ackMs: number, endedAt: number): number {
  let n = 0;
  for (const r of records) {
    if (r.latencyMs !== undefined ? r.latencyMs > ackMs : endedAt - r.sentAt > ackMs) n++;
  }
  return n;
}

export function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
