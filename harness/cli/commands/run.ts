import path from 'node:path';
import { Option, type Command } from 'commander';
import { loadManifest } from '../../manifest/load.js';
import { parseSandboxKind, parseSeed, parseShard, parseReportDir, parseDurationMs, parsePositiveInt, MAX_TIME_BUDGET_MS, type Shard, type SandboxKind } from '../flags.js';
import { runCertification } from '../../runner/run.js';
import { selectScenarios, validateCatalog } from '../../runner/select.js';
import { SCENARIOS } from '../../../scenarios/index.js';
import { writeReports } from '../../../reports/write-reports.js';
import { printConsoleSummary } from '../../../reports/console.js';
import { emitGithubOutputs } from '../../../reports/github.js';
import { ProgressReporter } from '../../../reports/progress.js';
import { reapAll } from '../../driver/reaper.js';
import { capRunBound, computeRunBound, describeRunBound, WIND_DOWN_MS } from '../../runner/run-bound.js';
import type { Verdict } from '../../model/control.js';
import { readReport } from '../../../reports/read-report.js';
import { compareWithBaseline, describeBaseline } from '../../../reports/baseline.js';
import { DEFAULT_HISTORY_PATH, HistoryStore } from '../../history/store.js';

interface RunFlags {
  seed?: number;
  reportDir: string;
  scenario?: string[];
  pack?: string[];
  shard?: Shard;
  sandbox: SandboxKind;
  baseline?: string;
  failOnRegression: boolean;
  history: string | false;
  maxRunTime?: number;
  runs?: number;
  timeBudget?: number;
}

/** Most cases one property may be asked for: beyond this a run is a soak test, not a certification. */
export const MAX_PROPERTY_RUNS = 100_000;

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function exitCodeFor(verdict: Verdict): number {
  return verdict === 'certified' ? 0 : 1;
}

export function registerRun(program: Command, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('Certify a connector: start the sandbox and the connector, run the scenarios, score, write reports.')
    .argument('<manifest>', 'path to connector.yaml / connector.json')
    .option('--seed <n>', 'run seed (every generated input derives from it; printed when omitted)', parseSeed)
    .option('--report-dir <dir>', 'where report.json, report.html, junit.xml and report.sarif are written', parseReportDir, 'gauntlet-report')
    .option('--scenario <id>', 'run only this scenario (repeatable)', collect)
    .option('--pack <name>', 'run only this pack (repeatable)', collect)
    .option('--shard <i/n>', 'run the i-th of n deterministic slices of the scenarios', parseShard)
    .addOption(new Option('--sandbox <kind>', 'sandbox: embedded (in-process) or containers').default('embedded').argParser(parseSandboxKind))
    .option('--baseline <report.json>', 'compare with a previous report: new failures and score drops are regressions')
    .option('--no-fail-on-regression', 'with --baseline: report regressions but do not change the exit code')
    .option('--history <file>', 'SQLite history store the run is recorded in', DEFAULT_HISTORY_PATH)
    .option('--no-history', 'do not record the run in the history store')
    .option('--runs <n>', 'generated cases per property in the property scenarios (default 20–40 each, whichever of runs and time budget ends first)', parsePositiveInt('--runs', MAX_PROPERTY_RUNS))
    .option('--time-budget <duration>', 'generation time budget of each property scenario, split between its properties (default a few seconds; e.g. 30s)', parseDurationMs('--time-budget', MAX_TIME_BUDGET_MS))
    .option('--max-run-time <duration>', 'stop the run (partial report, exit 2) after this long if the bound derived from the manifest is longer (e.g. 10m)', parseDurationMs('--max-run-time', MAX_TIME_BUDGET_MS))
    .addHelpText('after', `
Examples:
  $ gauntlet run examples/connectors/careful/connector.yaml
  $ gauntlet run connector.yaml --seed 42 --report-dir out/
  $ gauntlet run connector.yaml --seed 42 --scenario malformed-bodies
  $ gauntlet run connector.yaml --seed 42 --pack properties --runs 500 --time-budget 60s
  $ gauntlet run connector.yaml --baseline last-night/report.json
  $ gauntlet run connector.yaml --shard 2/3 --report-dir shard-2

Exit codes: 0 certified, 1 not certified, 2 bad input or harness error, 130 interrupted (partial report written).`)
    .action(async (manifestArg: string, flags: RunFlags) => {
      validateCatalog(SCENARIOS);
      const manifest = await loadManifest(manifestArg);
      // Read the baseline before running: a bad baseline path must not cost a whole run.
      const baseline = flags.baseline ? await readReport(flags.baseline) : undefined;
      const scenarios = selectScenarios(SCENARIOS, { ids: flags.scenario, packs: flags.pack, shard: flags.shard });
      const reportDir = path.resolve(flags.reportDir);
      const ac = new AbortController();
      // Every wait in a run is bounded; their sum is the run's bound. Past it, the watchdog aborts
      // the run like a signal does (partial report), and past the wind-down it kills and exits.
      const bound = capRunBound(computeRunBound(manifest, scenarios, flags.sandbox), flags.maxRunTime);
      process.stderr.write(`[gauntlet] watchdog: the run is stopped with a partial report if it ever exceeds ${describeRunBound(bound)}\n`);
      let stopReason: { text: string; exitCode: number } | undefined;
      let windDown: NodeJS.Timeout | undefined;
      const stopRun = (text: string, exitCode: number) => {
        stopReason = { text, exitCode };
        ac.abort(new Error(text));
        windDown = setTimeout(() => {
          process.stderr.write(`[gauntlet] the partial report took over ${WIND_DOWN_MS} ms: killing the connector and exiting without it\n`);
          void reapAll().finally(() => process.exit(exitCode));
        }, WIND_DOWN_MS);
        windDown.unref();
      };
      const watchdog = setTimeout(() => {
        process.stderr.write(`\n[gauntlet] the run exceeded its bound of ${bound.totalMs} ms: stopping it, writing a partial report\n`);
        stopRun(`run exceeded its bound of ${bound.totalMs} ms: ${describeRunBound(bound)}`, 2);
      }, bound.totalMs);
      let interrupts = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        interrupts++;
        if (interrupts === 1 && !ac.signal.aborted) {
          process.stderr.write(`\n[gauntlet] ${sig}: stopping the run, writing a partial report (press Ctrl-C again to stop at once)\n`);
          stopRun(`interrupted by ${sig}`, 130);
        } else {
          void reapAll().finally(() => process.exit(130));
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const replayFlags = flags.shard ? [`--shard ${flags.shard.index}/${flags.shard.total}`] : [];
        if (flags.scenario) replayFlags.push(...flags.scenario.map((s) => `--scenario ${s}`));
        if (flags.pack) replayFlags.push(...flags.pack.map((p) => `--pack ${p}`));
        if (flags.runs !== undefined) replayFlags.push(`--runs ${flags.runs}`);
        if (flags.timeBudget !== undefined) replayFlags.push(`--time-budget ${flags.timeBudget}ms`);
        const progress = new ProgressReporter(process.stderr);
        const { report, redactor } = await runCertification({
          manifest,
          manifestArg,
          scenarios,
          ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
          sandbox: flags.sandbox,
          signal: ac.signal,
          reporter: progress,
          replayFlags,
          ...(flags.shard ? { shard: flags.shard } : {}),
          ...(flags.runs !== undefined || flags.timeBudget !== undefined ? { budget: { ...(flags.runs !== undefined ? { runs: flags.runs } : {}), ...(flags.timeBudget !== undefined ? { timeBudgetMs: flags.timeBudget } : {}) } } : {}),
        });
        if (baseline) report.baseline = compareWithBaseline(report, baseline, flags.baseline!);
        clearTimeout(watchdog);
        if (ac.signal.aborted) {
          report.partial = true;
          report.partialReason = stopReason?.text ?? 'interrupted';
        }
        // Scenarios cannot know where the report goes; their replay commands name it by placeholder.
        const reportPath = path.relative(process.cwd(), path.join(reportDir, 'report.json')) || 'report.json';
        for (const c of report.controls) if (c.counterexample) c.counterexample.replay = c.counterexample.replay.replaceAll('<report.json>', reportPath);
        const files = await writeReports(report, reportDir, redactor);
        printConsoleSummary(report, process.stdout, { files, redactor });
        if (report.baseline) process.stdout.write(`${describeBaseline(report.baseline).join('\n')}\n`);
        await emitGithubOutputs(redactor.redactDeep(report));
        if (flags.history !== false) {
          const store = new HistoryStore(flags.history);
          try {
            store.record(report);
          } finally {
            store.close();
          }
        }
        const regression = report.baseline?.regression === true && flags.failOnRegression;
        setExit(ac.signal.aborted ? (stopReason?.exitCode ?? 130) : regression ? 1 : exitCodeFor(report.verdict));
      } finally {
        clearTimeout(watchdog);
        if (windDown) clearTimeout(windDown);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
