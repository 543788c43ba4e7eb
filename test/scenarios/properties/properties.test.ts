import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../../harness/manifest/load.js';
import type { RunReport } from '../../../harness/model/report.js';
import { runCertification } from '../../../harness/runner/run.js';
import type { RunBudget } from '../../../harness/runner/context.js';
import { writeReports } from '../../../reports/write-reports.js';
import { propertyDrift } from '../../../scenarios/properties/drift.js';
import { propertyMalformed } from '../../../scenarios/properties/malformed.js';
import { propertySequences } from '../../../scenarios/properties/sequences.js';
import { propertySignatures } from '../../../scenarios/properties/signatures.js';
import { ROOT, runCli } from '../../helpers/cli.js';
import { CAREFUL, control, FLAWED } from '../run-fixture.js';

const NAIVE = path.join(ROOT, 'examples/connectors/naive/connector.yaml');
const ALL = [propertySignatures, propertySequences, propertyMalformed, propertyDrift];

async function run(manifestPath: string, seed: number, scenarios = ALL, budget?: RunBudget): Promise<{ report: RunReport; file: string }> {
  const manifest = await loadManifest(manifestPath);
  const { report, redactor } = await runCertification({ manifest, manifestArg: path.relative(ROOT, manifestPath), scenarios, seed, ...(budget ? { budget } : {}) });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gauntlet-props-'));
  await writeReports(report, dir, redactor);
  return { report, file: path.join(dir, 'report.json') };
}

/** The failed control's counterexample, checked to be a replayable property case. */
function propertyCase(report: RunReport, id: string, caseId: string) {
  const c = control(report, id);
  expect(c.status, `${id}: ${c.evidence.map((e) => e.summary).join(' | ')}`).toBe('fail');
  const cx = c.counterexample!;
  expect(cx.caseId).toBe(caseId);
  expect(cx.path).toMatch(/^\d+(:\d+)*$/);
  expect(cx.seed).toBe(report.seed);
  expect(cx.replay).toContain(`--case ${caseId}`);
  return cx;
}

describe('property scenarios through the real runner', () => {
  it('report each flaw of the naive example with a shrunk, replayable counterexample', async () => {
    const { report, file } = await run(NAIVE, 11);
    // Clause 1–2: the smallest forgery is a single body change after signing, not a rewritten event.
    const forged = propertyCase(report, 'signature-forged-rejected', 'property-signatures#forged');
    expect(forged.label).toMatch(/after signing|signature|signed with|tag/);
    expect(propertyCase(report, 'raw-body-verified', 'property-signatures#raw-body').label).toMatch(/under the signature of its minified bytes/);
    expect(propertyCase(report, 'signature-future-rejected', 'property-signatures#future-timestamps').response?.status).toBe(200);
    propertyCase(report, 'equivalent-bytes-accepted', 'property-signatures#equivalent-bytes');
    // Clause 4: one duplicate pair is enough; shrinking drops every other step.
    // Which duplicate control depends on the pair shrinking found: the same bytes again, or a new delivery id.
    const dupControl = report.controls.find((c) => c.counterexample?.caseId === 'property-delivery-sequences#duplicates');
    expect(['duplicate-delivery-single-effect', 'redelivery-new-id-single-effect']).toContain(dupControl?.id);
    const dup = propertyCase(report, dupControl!.id, 'property-delivery-sequences#duplicates');
    expect(dup.label.split(' → ').length).toBeLessThanOrEqual(3);
    propertyCase(report, 'concurrent-duplicate-single-effect', 'property-delivery-sequences#concurrent');
    // Clause 5: naive ignores refund.canceled.
    expect(propertyCase(report, 'cancelled-object-no-effect', 'property-delivery-sequences#ordering').label).toMatch(/cancelling event/);
    // Clause 6: a tiny body already gets a 500.
    const answers = propertyCase(report, 'malformed-rejected-4xx', 'property-malformed-inputs#answers');
    expect(answers.response?.status).toBe(500);
    expect(answers.request!.bodyBytes).toBeLessThan(4_096);
    propertyCase(report, 'malformed-no-effect', 'property-malformed-inputs#effects');
    // Clause 7.
    propertyCase(report, 'drifted-critical-data-no-effect', 'property-schema-drift#critical');

    // gauntlet replay re-sends exactly the shrunk case and sees the same failure.
    for (const caseId of ['property-delivery-sequences#duplicates', 'property-malformed-inputs#answers']) {
      const r = await runCli(['replay', file, '--case', caseId], { timeoutMs: 120_000 });
      expect(r.stdout, r.stderr).toContain('REPRODUCED');
      expect(r.code).toBe(1);
    }
  }, 300_000);

  it('report the crash on an unknown event type (flawed fixture) with a replayable case', async () => {
    const { report, file } = await run(FLAWED('crash-on-unknown-type'), 5, [propertyDrift]);
    const cx = propertyCase(report, 'unknown-event-type-acknowledged', 'property-schema-drift#unknown-type');
    expect(cx.label).toMatch(/unknown event type/);
    const r = await runCli(['replay', file, '--case', cx.caseId], { timeoutMs: 120_000 });
    expect(r.stdout, r.stderr).toContain('REPRODUCED');
    expect(r.code).toBe(1);
  }, 180_000);

  it('the same seed and connector give the same generated cases; another seed gives others', async () => {
    const labels = async (seed: number) => {
      const { report } = await run(CAREFUL, seed, [propertyMalformed, propertySignatures], { runs: 6, timeBudgetMs: 60_000 });
      // Absolute timestamps (now, in s or ms) are the only part that moves with the clock.
      return report.metrics.timeline.filter((t) => t.kind === 'delivery' && t.label.startsWith('property-')).map((t) => t.label.replace(/\d{9,}/g, 'N'));
    };
    const a = await labels(21);
    expect(a.length).toBeGreaterThan(20);
    expect(await labels(21)).toEqual(a);
    expect(await labels(22)).not.toEqual(a);
  }, 300_000);

  it('gauntlet run takes --runs and --time-budget, and refuses bad values with a coded error', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gauntlet-props-cli-'));
    const ok = await runCli(['run', 'examples/connectors/careful/connector.yaml', '--seed', '5', '--scenario', 'property-schema-drift', '--runs', '2', '--time-budget', '20s', '--report-dir', dir, '--no-history'], { timeoutMs: 120_000 });
    expect(ok.code, ok.stderr).toBe(0);
    const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as RunReport;
    const summaries = report.controls.flatMap((c) => c.evidence.filter((e) => e.scenario === 'property-schema-drift').map((e) => e.summary));
    expect(summaries.length).toBe(3);
    for (const s of summaries) expect(s).toMatch(/^property [a-z-]+: 2 generated case\(s\) held$/);
    expect(report.replay).toContain('--runs 2');
    for (const bad of [['--runs', '0'], ['--runs', 'many'], ['--time-budget', 'soon']]) {
      const r = await runCli(['run', 'examples/connectors/careful/connector.yaml', ...bad, '--no-history'], { timeoutMs: 30_000 });
      expect(r.code).toBe(2);
      expect(r.stderr + r.stdout).toContain('GAUNTLET_ERR_FLAG_INVALID');
      expect(r.stderr + r.stdout).toContain(bad[0]);
    }
  }, 240_000);

  it('find nothing against the careful example over 10 seeds (a handful of cases per property)', async () => {
    for (let seed = 100; seed < 110; seed++) {
      const { report } = await run(CAREFUL, seed, ALL, { runs: 3, timeBudgetMs: 60_000 });
      const mine = new Set(ALL.map((s) => s.id));
      const failed = report.controls.filter((c) => c.status === 'fail' && c.evidence.some((e) => mine.has(e.scenario) && e.status === 'fail'));
      expect(failed.map((c) => `seed ${seed} ${c.id}: ${c.evidence.map((e) => e.summary).join(' | ')}`)).toEqual([]);
      expect(report.scenarios.filter((s) => mine.has(s.id)).map((s) => s.status)).toEqual(['passed', 'passed', 'passed', 'passed']);
    }
  }, 600_000);
});
