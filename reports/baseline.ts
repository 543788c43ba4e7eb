import type { BaselineComparison, RunReport } from '../harness/model/report.js';

/**
 * Compares a run with a previous report: new failures and score drops are regressions.
 * `scoreTolerance` absorbs noise (e.g. a flaky latency control) without hiding a new failure.
 */
export function compareWithBaseline(current: RunReport, baseline: RunReport, file: string, opts: { scoreTolerance?: number } = {}): BaselineComparison {
  const before = new Map(baseline.controls.map((c) => [c.id, c.status]));
  const newFailures = current.controls
    .filter((c) => c.status === 'fail' && before.get(c.id) !== 'fail')
    .map((c) => ({ id: c.id, clause: c.clause, severity: c.severity }));
  const fixed = current.controls.filter((c) => c.status === 'pass' && before.get(c.id) === 'fail').map((c) => c.id);
  const scoreDelta = Math.round((current.score - baseline.score) * 10) / 10;
  const tolerance = opts.scoreTolerance ?? 0;
  return {
    file,
    runId: baseline.runId,
    score: baseline.score,
    scoreDelta,
    verdict: baseline.verdict,
    newFailures,
    fixed,
    regression: newFailures.length > 0 || scoreDelta < -tolerance,
  };
}

export function describeBaseline(b: BaselineComparison): string[] {
  const lines = [`baseline ${b.file} (run ${b.runId}, score ${b.score}, ${b.verdict}): score ${b.scoreDelta >= 0 ? '+' : ''}${b.scoreDelta}`];
  for (const f of b.newFailures) lines.push(`  REGRESSION: ${f.id} (clause ${f.clause}, ${f.severity}) fails now and did not before`);
  if (b.newFailures.length === 0 && b.regression) lines.push(`  REGRESSION: score dropped by ${-b.scoreDelta}`);
  for (const id of b.fixed) lines.push(`  fixed: ${id}`);
  return lines;
}
