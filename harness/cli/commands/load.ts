import path from 'node:path';
import type { Command } from 'commander';
import { GauntletError } from '../../errors.js';
import { loadManifest } from '../../manifest/load.js';
import { runCertification } from '../../runner/run.js';
import { reapAll } from '../../driver/reaper.js';
import { renderLoadSection } from '../../load/console.js';
import { LOAD_LIMITS } from '../../load/plan.js';
import { defaultTimeoutMs } from '../../load/run-load.js';
import type { LoadReport } from '../../load/types.js';
import { writeLoadReport } from '../../load/write-load-report.js';
import { parseDurationMs, parsePositiveInt, parseReportDir, parseSeed } from '../flags.js';
import { loadScenario } from '../../../scenarios/load.js';
import { writeReports } from '../../../reports/write-reports.js';
import { printConsoleSummary } from '../../../reports/console.js';
import { ProgressReporter } from '../../../reports/progress.js';

interface LoadFlags {
  rate?: number;
  duration: number;
  connections: number;
  ramp?: number | true;
  duplicates: number;
  maxRequests?: number;
  timeout?: number;
  overhead: number | false;
  seed?: number;
  reportDir: string;
}

const DEFAULT_RAMP_STEPS = 5;

/** `--duplicates`: share of sends that repeat an earlier event, 0 to 0.9. */
export function parseShare(value: string): number {
  const v = typeof value === 'string' ? value.trim() : '';
  const n = /^(0(\.\d{1,6})?|1(\.0{1,6})?|\.\d{1,6})$/.test(v) ? Number(v) : Number.NaN;
  if (!(n >= 0 && n <= LOAD_LIMITS.maxDuplicateShare)) {
    throw new GauntletError('GAUNTLET_ERR_FLAG_INVALID', `--duplicates must be a share from 0 to ${LOAD_LIMITS.maxDuplicateShare} such as 0.1 (got ${JSON.stringify(value)})`, {
      problems: [{ path: '--duplicates', reason: `must be a number from 0 to ${LOAD_LIMITS.maxDuplicateShare}` }],
    });
  }
  return n;
}

const parseOverhead = (v: string) => parseDurationMs('--overhead', 30_000)(v);

export function registerLoad(program: Command, setExit: (code: number) => void): void {
  program
    .command('load')
    .description('Load a connector with signed events: throughput, ack latency vs sla.ackMs, errors, dropped and excess effects, health afterwards.')
    .argument('<manifest>', 'path to connector.yaml / connector.json')
    .option('--rate <n>', 'requests per second (omit with --closed-loop for as fast as it answers)', parsePositiveInt('--rate', LOAD_LIMITS.maxRate), 200)
    .option('--closed-loop', 'no rate limit: each connection sends as soon as the previous answer arrives')
    .option('--duration <d>', 'sending window, e.g. 10s', parseDurationMs('--duration', LOAD_LIMITS.maxDurationMs), 10_000)
    .option('--connections <n>', 'concurrent keep-alive connections', parsePositiveInt('--connections', LOAD_LIMITS.maxConnections), 10)
    .option('--ramp [steps]', `climb to --rate in equal steps (default ${DEFAULT_RAMP_STEPS})`, parsePositiveInt('--ramp', LOAD_LIMITS.maxRampSteps))
    .option('--duplicates <share>', 'share of sends repeating a recent event (hub retries), 0 to 0.9', parseShare, 0.1)
    .option('--max-requests <n>', 'hard cap on requests (default: rate × duration, or 20000 in closed loop)', parsePositiveInt('--max-requests', LOAD_LIMITS.maxRequests))
    .option('--timeout <d>', 'per-request bound (default: 2 × sla.ackMs, at least 1s)', parseDurationMs('--timeout', LOAD_LIMITS.maxTimeoutMs))
    .option('--overhead <d>', 'length of each harness-overhead measurement (plain autocannon vs signed load)', parseOverhead, 1_000)
    .option('--no-overhead', 'skip the harness-overhead measurement')
    .option('--seed <n>', 'run seed (events and the order of repeats derive from it)', parseSeed)
    .option('--report-dir <dir>', 'where load.json, report.json and junit.xml are written', parseReportDir, 'gauntlet-report')
    .addHelpText('after', `
Examples:
  $ gauntlet load examples/connectors/careful/connector.yaml
  $ gauntlet load connector.yaml --rate 500 --duration 30s --connections 20 --ramp
  $ gauntlet load connector.yaml --closed-loop --duration 5s --duplicates 0

Exit codes: 0 every load check passed, 1 a check failed, 2 bad input or harness error, 130 interrupted.`)
    .action(async (manifestArg: string, flags: LoadFlags & { closedLoop?: boolean }) => {
      const manifest = await loadManifest(manifestArg);
      const rate = flags.closedLoop ? undefined : flags.rate;
      const rampSteps = flags.ramp === undefined ? undefined : flags.ramp === true ? DEFAULT_RAMP_STEPS : flags.ramp;
      if (rampSteps !== undefined && rate === undefined) {
        throw new GauntletError('GAUNTLET_ERR_FLAG_INVALID', '--ramp needs a target --rate; drop --closed-loop', { problems: [{ path: '--ramp', reason: 'a ramp climbs to --rate' }] });
      }
      const maxRequests = Math.min(LOAD_LIMITS.maxRequests, flags.maxRequests ?? (rate === undefined ? 20_000 : Math.max(1, Math.ceil((rate * flags.duration) / 1000))));
      const profile = {
        ...(rate !== undefined ? { rate } : {}),
        durationMs: flags.duration,
        connections: flags.connections,
        ...(rampSteps !== undefined && rampSteps > 1 ? { rampSteps } : {}),
        maxRequests,
        duplicateShare: flags.duplicates,
        timeoutMs: flags.timeout ?? defaultTimeoutMs(manifest.sla.ackMs),
      };
      let loadReport: LoadReport | undefined;
      const scenario = loadScenario({
        id: 'load-run',
        title: 'Stand-alone load run (gauntlet load)',
        profile,
        overheadProbeMs: flags.overhead === false ? 0 : flags.overhead,
        onReport: (r) => (loadReport = r),
      });
      const reportDir = path.resolve(flags.reportDir);
      const ac = new AbortController();
      let interrupts = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        if (++interrupts === 1) {
          process.stderr.write(`\n[gauntlet] ${sig}: stopping the load, writing a partial report (press Ctrl-C again to stop at once)\n`);
          ac.abort(new Error(sig));
        } else void reapAll().finally(() => process.exit(130));
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const replayFlags = loadReplayFlags(flags, rate, rampSteps, maxRequests);
        const { report, redactor } = await runCertification({
          manifest,
          manifestArg,
          scenarios: [scenario],
          ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
          signal: ac.signal,
          reporter: new ProgressReporter(process.stderr),
        });
        report.replay = `gauntlet load ${manifestArg} --seed ${report.seed} ${replayFlags.join(' ')}`.trim();
        if (ac.signal.aborted) {
          report.partial = true;
          report.partialReason = 'interrupted by signal';
        }
        const files = await writeReports(report, reportDir, redactor);
        if (loadReport) {
          const loadFile = await writeLoadReport(loadReport, reportDir, redactor);
          process.stdout.write(renderLoadSection(redactor.redactDeep(loadReport)));
          process.stdout.write(`load report: ${loadFile}\n\n`);
        } else {
          process.stdout.write('LOAD  no load report: the load scenario did not run (see the scenario status below)\n\n');
        }
        printConsoleSummary(report, process.stdout, { files, redactor });
        const failed = report.controls.some((c) => c.status === 'fail') || !loadReport;
        setExit(ac.signal.aborted ? 130 : failed ? 1 : 0);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

function loadReplayFlags(f: LoadFlags, rate: number | undefined, rampSteps: number | undefined, maxRequests: number): string[] {
  const out = [rate === undefined ? '--closed-loop' : `--rate ${rate}`, `--duration ${f.duration}ms`, `--connections ${f.connections}`, `--duplicates ${f.duplicates}`, `--max-requests ${maxRequests}`];
  if (rampSteps !== undefined) out.push(`--ramp ${rampSteps}`);
  if (f.timeout !== undefined) out.push(`--timeout ${f.timeout}ms`);
  if (f.overhead === false) out.push('--no-overhead');
  return out;
}
