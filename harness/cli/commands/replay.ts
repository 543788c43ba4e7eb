import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { GauntletError } from '../../errors.js';
import type { Counterexample } from '../../model/control.js';
import type { RunReport } from '../../model/report.js';
import { sanitizeForTerminal } from '../../../reports/escape.js';

/** Every counterexample in a report, by case id (controls first, then finding-less ones). */
export function casesOf(report: RunReport): Map<string, { control: string; clause: number; cx: Counterexample }> {
  const out = new Map<string, { control: string; clause: number; cx: Counterexample }>();
  for (const c of report.controls) if (c.counterexample) out.set(c.counterexample.caseId, { control: c.id, clause: c.clause, cx: c.counterexample });
  return out;
}

function describe(cx: Counterexample): string {
  const r = cx.response;
  const got = !r ? 'no response recorded' : r.status === null ? `no HTTP answer (${r.error ?? 'error'})` : `HTTP ${r.status} in ${r.durationMs} ms`;
  return `"${sanitizeForTerminal(cx.label)}" → ${sanitizeForTerminal(got)}`;
}

export function registerReplay(program: Command, setExit: (code: number) => void): void {
  program
    .command('replay')
    .description('Re-send the input of a failed case from a report to the connector and show the outcome.')
    .argument('<report>', 'report.json written by gauntlet run')
    .requiredOption('--case <id>', 'case id, as printed in the report (controls[].counterexample.caseId)')
    .option('--manifest <file>', 'manifest to use (default: the one recorded in the report)')
    .addHelpText('after', `
The case's scenario is run again with the report's seed; generated inputs are derived from
the seed (property cases also from their fast-check path), and deliveries are re-signed with
this run's fresh secret, so the bytes that matter are the same.

Examples:
  $ gauntlet replay gauntlet-report/report.json --case malformed-bodies#1

Exit codes: 1 the failure reproduces, 0 it does not (the control now passes), 2 bad input.`)
    .action(async (reportFile: string, opts: { case: string; manifest?: string }) => {
      const { readReport } = await import('../../../reports/read-report.js');
      const { loadManifest } = await import('../../manifest/load.js');
      const { runCertification } = await import('../../runner/run.js');
      const { SCENARIOS } = await import('../../../scenarios/index.js');
      const report = await readReport(reportFile);
      const cases = casesOf(report);
      const found = cases.get(opts.case);
      if (!found) {
        throw new GauntletError('GAUNTLET_ERR_REPLAY_CASE_NOT_FOUND', `case "${opts.case}" is not in ${reportFile}`, {
          problems: [{ path: '--case', reason: cases.size ? `known cases: ${[...cases.keys()].slice(0, 20).join(', ')}` : 'the report has no failed case' }],
        });
      }
      const scenarioId = opts.case.split('#')[0]!;
      const scenario = SCENARIOS.find((s) => s.id === scenarioId);
      if (!scenario) throw new GauntletError('GAUNTLET_ERR_SCENARIO_UNKNOWN', `scenario "${scenarioId}" of case ${opts.case} is not in this version's catalogue`);
      const manifestFile = opts.manifest ?? report.connector.manifest;
      if (!opts.manifest && !existsSync(manifestFile)) {
        throw new GauntletError('GAUNTLET_ERR_MANIFEST_NOT_FOUND', `the report's manifest ${manifestFile} does not exist from here`, { problems: [{ path: '--manifest', reason: 'pass the manifest path explicitly' }] });
      }
      const manifest = await loadManifest(manifestFile);
      process.stdout.write(`[gauntlet] replaying ${opts.case} (control ${found.control}, clause ${found.clause}) with seed ${found.cx.seed}${found.cx.path ? ` path ${found.cx.path}` : ''}\n`);
      process.stdout.write(`  recorded: ${describe(found.cx)}\n`);
      const { report: again } = await runCertification({
        manifest,
        manifestArg: manifestFile,
        scenarios: [scenario],
        seed: found.cx.seed,
        replay: { caseId: opts.case, ...(found.cx.path ? { path: found.cx.path } : {}) },
      });
      const now = again.controls.find((c) => c.id === found.control);
      const same = now?.counterexample && now.counterexample.caseId === opts.case ? now.counterexample : undefined;
      if (now?.status === 'fail') {
        process.stdout.write(`  now:      ${same ? describe(same) : sanitizeForTerminal(now.evidence.find((e) => e.status === 'fail')?.summary ?? 'failed')}\n`);
        process.stdout.write(`REPRODUCED: ${found.control} still fails\n`);
        setExit(1);
      } else {
        process.stdout.write(`  now:      control ${found.control} ${now?.status ?? 'not evaluated'}\n`);
        process.stdout.write(`NOT REPRODUCED: ${found.control} ${now?.status === 'pass' ? 'passes now' : 'was not evaluated'}\n`);
        setExit(0);
      }
    });
}
