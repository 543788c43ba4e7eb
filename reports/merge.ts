import { GauntletError } from '../harness/errors.js';
import type { ControlResult, RunReport } from '../harness/model/report.js';
import { aggregateControl, scoreControls } from '../harness/scoring/score.js';

/**
 * Combines shard reports of one connector and seed into one report with one verdict.
 * Control statuses aggregate like scenario outcomes do in a single run (any fail fails,
 * else any pass passes); least privilege is recomputed over the union of used scopes,
 * because a shard that never exercised refunds cannot tell that refunds:write is unused.
 */
export function mergeReports(reports: RunReport[]): RunReport {
  if (reports.length === 0) throw new GauntletError('GAUNTLET_ERR_REPORT_READ', 'no report to merge');
  const first = reports[0]!;
  const problems: Array<{ path: string; reason: string }> = [];
  reports.forEach((r, i) => {
    if (r.connector.name !== first.connector.name || r.connector.version !== first.connector.version) problems.push({ path: `report ${i + 1}`, reason: `connector ${r.connector.name}@${r.connector.version} differs from ${first.connector.name}@${first.connector.version}` });
    if (r.seed !== first.seed) problems.push({ path: `report ${i + 1}`, reason: `seed ${r.seed} differs from ${first.seed}` });
    if (r.tier !== first.tier) problems.push({ path: `report ${i + 1}`, reason: `tier ${r.tier} differs from ${first.tier}` });
  });
  const shardTotals = new Set(reports.map((r) => r.shard?.total).filter((t) => t !== undefined));
  if (shardTotals.size > 1) problems.push({ path: 'shard', reason: `reports come from different shard counts: ${[...shardTotals].join(', ')}` });
  const seenShards = new Set<number>();
  for (const r of reports) {
    if (!r.shard) continue;
    if (seenShards.has(r.shard.index)) problems.push({ path: 'shard', reason: `shard ${r.shard.index}/${r.shard.total} given twice` });
    seenShards.add(r.shard.index);
  }
  if (problems.length) throw new GauntletError('GAUNTLET_ERR_REPORT_MISMATCH', 'shard reports do not belong to one run', { problems });

  const usedScopes = new Set(reports.flatMap((r) => r.scopeUsage?.used ?? []));
  const requested = first.scopeUsage?.requested ?? [];
  const controls: ControlResult[] = first.controls.map((base) => {
    const all = reports.map((r) => r.controls.find((c) => c.id === base.id)).filter((c): c is ControlResult => c !== undefined);
    const evidence = all.flatMap((c) => c.evidence).filter((e) => !(e.scenario === '-' && e.status === 'skip'));
    const status = aggregateControl(all.map((c) => ({ status: c.status })));
    const counterexample = all.find((c) => c.status === 'fail' && c.counterexample)?.counterexample;
    return { ...base, status, evidence: evidence.length ? evidence : base.evidence, ...(counterexample ? { counterexample } : { counterexample: undefined }) };
  });
  const lp = controls.find((c) => c.id === 'least-privilege-scopes');
  // A rule is unexercised overall only if no shard exercised it.
  const unexercised = reports.map((r) => new Set(r.scopeUsage?.unexercisedRules ?? [])).reduce((acc, set) => new Set([...acc].filter((x) => set.has(x))));
  if (lp && usedScopes.size > 0 && unexercised.size === 0) {
    const unused = requested.filter((s) => !usedScopes.has(s));
    lp.status = unused.length ? 'fail' : 'pass';
    lp.evidence = [{ scenario: 'merge', status: lp.status, summary: unused.length ? `scopes requested but never used in any shard: ${unused.join(', ')}` : `all ${requested.length} requested scopes were used across shards` }];
  }
  for (const c of controls) if (c.counterexample === undefined) delete c.counterexample;
  const scored = scoreControls(controls, first.tier);
  const started = Math.min(...reports.map((r) => Date.parse(r.startedAt)));
  const finished = Math.max(...reports.map((r) => Date.parse(r.finishedAt)));
  const findings = dedupe(reports.flatMap((r) => r.findings).filter((f) => f.control !== 'least-privilege-scopes'), (f) => `${f.kind}|${f.control}|${f.where}|${f.excerpt}`);
  if (lp?.status === 'fail') for (const s of requested.filter((x) => !usedScopes.has(x))) findings.push({ kind: 'unused-scope', control: 'least-privilege-scopes', where: 'manifest scopes', excerpt: s });
  const partial = reports.filter((r) => r.partial);
  const merged: RunReport = {
    ...first,
    runId: `${first.runId}+merged`,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    verdict: scored.verdict,
    score: scored.score,
    verdictReasons: scored.reasons,
    partial: partial.length > 0,
    ...(partial.length ? { partialReason: partial.map((r) => `${r.runId}: ${r.partialReason ?? 'partial'}`).join('; ') } : {}),
    controls,
    scenarios: reports.flatMap((r) => r.scenarios),
    findings,
    scopeUsage: { requested, used: [...usedScopes].sort(), unexercisedRules: [...unexercised] },
    mergedFrom: { runIds: reports.map((r) => r.runId), shards: reports.length },
    replay: first.replay.replace(/ --shard \d+\/\d+/, ''),
    metrics: { ackLatencyMs: reports.flatMap((r) => r.metrics.ackLatencyMs), timeline: reports.flatMap((r) => r.metrics.timeline) },
    ledger: reports.flatMap((r) => r.ledger).slice(0, 5_000),
  };
  delete merged.shard;
  if (!partial.length) delete merged.partialReason;
  return merged;
}

function dedupe<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = key(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
