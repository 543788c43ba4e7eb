import { terminalLine } from '../../reports/escape.js';
import type { LoadReport } from './types.js';

/**
 * The load section of the console summary: throughput, latency percentiles, error and
 * timeout rates, reconciliation, health and the harness's overhead. Connector-derived text
 * (event ids, status codes) is sanitised for the terminal.
 */
export function renderLoadSection(r: LoadReport): string {
  const t = (s: unknown, max = 160) => terminalLine(String(s), max);
  const q = r.requests;
  const l = r.latencyMs;
  const rc = r.reconciliation;
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const p = r.profile;
  const shape = p.rate === undefined ? 'closed loop' : `${p.rate}/s${p.rampSteps && p.rampSteps > 1 ? ` (ramp in ${p.rampSteps} steps)` : ''}`;
  const out: string[] = [];
  out.push(`LOAD  ${t(r.scenario, 60)} · ${shape} · ${(p.durationMs / 1000).toFixed(1)} s · ${p.connections} connections · duplicates ${Math.round(p.duplicateShare * 100)}% · timeout ${p.timeoutMs} ms`);
  out.push(`  throughput   ${r.throughput.answeredPerSec} answers/s (${r.throughput.okPerSec} 2xx/s) over ${(r.throughput.windowMs / 1000).toFixed(2)} s; ${q.sent}/${q.planned} planned sends (${q.uniqueEvents} events, ${q.duplicates} repeats)`);
  out.push(`  latency      p50 ${l.p50} ms · p95 ${l.p95} ms · p99 ${l.p99} ms · max ${l.max} ms  (sla.ackMs ${r.sla.ackMs}: ${r.slow.count} slower, ${pct(r.slow.share)})`);
  const codes = Object.entries(q.statusCounts).map(([s, n]) => `${t(s, 8)}×${n}`).join(' ');
  out.push(`  errors       rate ${pct(q.errorRate)} · timeouts ${q.timeouts} (${pct(q.timeoutRate)}) · dropped connections ${q.noAnswer} · cut at stop ${q.cut} · statuses ${codes || '-'}`);
  out.push(`  reconcile    ${rc.acceptedEvents} acknowledged events, ${rc.eventsWithRules} with effects · dropped ${rc.droppedEvents} (${rc.missingEffects} effects missing) · over max ${rc.excessEvents} (${rc.excessEffects} extra) · settled in ${(rc.settleMs / 1000).toFixed(1)} s (${rc.settledBy})`);
  for (const e of rc.examples.slice(0, 3)) {
    out.push(`    ${e.kind === 'dropped' ? 'dropped' : 'excess '} ${t(e.eventType, 40)} ${t(e.eventId, 60)}: ${t(e.rule, 80)} ${e.committed} (${e.kind === 'dropped' ? `min ${e.min}` : `max ${e.max}`})`);
  }
  out.push(`  health       ${t(r.health.detail)}`);
  out.push(`  signing      pool of ${r.signing.signedAhead} pre-signed in ${r.signing.poolBuildMs} ms before the load; ${r.signing.resigned} re-signed as they aged`);
  if (r.overhead) {
    const o = r.overhead;
    out.push(`  overhead     signed load ${o.signedReqPerSec} req/s vs plain autocannon ${o.plainReqPerSec} req/s = ${o.ratio}× (harness machinery alone ${o.machineryReqPerSec} req/s = ${o.machineryRatio}×)`);
    out.push(`               baseline: ${o.baseline}`);
  }
  for (const c of r.controls) out.push(`  ${c.status === 'pass' ? '✓' : c.status === 'fail' ? '✗' : '-'} ${c.control}: ${t(c.summary, 220)}`);
  return out.join('\n') + '\n';
}
