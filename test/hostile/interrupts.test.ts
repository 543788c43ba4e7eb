import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { copyFixtures, leftoversAfter, probeCli, type ProbeResult } from './cli-probe.js';

/**
 * Issue 9: an interrupted run (SIGINT, SIGTERM) stops the connector, writes a partial report
 * marked as such, exits 130 and leaves nothing running; a second signal stops at once.
 */
const FIXTURES = ['slow-everything', 'ignores-sigterm', 'orphan-children', 'fork-bomb'];
const SCENARIOS = ['--scenario', 'valid-events-processed', '--scenario', 'malformed-bodies'];
/** From the signal to the exit: the connector's stop (grace + kill wait) plus the report, with room for a loaded machine. */
const STOP_BOUND_MS = 25_000;

interface Report {
  partial: boolean;
  partialReason?: string;
  scenarios: Array<{ id: string; status: string; reason?: string }>;
}

/** Per test: a run of the CLI takes tens of seconds on a loaded machine. */
const TEST_MS = 200_000;
/** Each test gets its own copy, so a process of one run is never mistaken for another's. */
let dir: string;
const copies: string[] = [];

beforeEach(() => {
  dir = copyFixtures(FIXTURES, { roomyStart: FIXTURES });
  copies.push(dir);
  // Each answer after 0.5 s (under the 1 s health probe): the first scenario passes in a few
  // seconds and the second runs for ~10 s more, so a signal sent when the first scenario's line
  // appears lands inside the second.
  const file = path.join(dir, 'slow-everything', 'connector.yaml');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace(/^(\s+)startTimeoutMs: (\d+)$/m, '$1startTimeoutMs: $2\n$1env: { SLOW_MS: "500" }'));
  expect(readFileSync(file, 'utf8')).toContain('SLOW_MS');
});

afterAll(() => {
  for (const d of copies) rmSync(d, { recursive: true, force: true });
});

function run(name: string, reportName: string, interruptWhen: Parameters<typeof probeCli>[1]['interruptWhen'], extra: string[] = []): Promise<ProbeResult> {
  return probeCli(['run', path.join(dir, name, 'connector.yaml'), '--seed', '1', '--report-dir', path.join(dir, reportName), '--no-history', ...SCENARIOS, ...extra], {
    killAfterMs: 180_000,
    watchDir: dir,
    interruptWhen,
  });
}

function readReport(reportName: string): Report {
  return JSON.parse(readFileSync(path.join(dir, reportName, 'report.json'), 'utf8')) as Report;
}

const afterFirstScenario = (sig: NodeJS.Signals) => ({ stderr }: { stderr: string }) => (/\[1\/2\] /.test(stderr) ? [sig] : undefined);
/** As soon as a connector process (found by its cwd under the fixture copies) runs. */
const whenConnectorRuns = (...sigs: NodeJS.Signals[]) => ({ tags }: { tags: ReadonlySet<string> }) => (tags.size > 0 ? sigs : undefined);

describe('interrupted runs', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s mid-scenario: partial report marked with the reason, exit 130, connector gone', async (sig) => {
    const name = `slow-${sig}`;
    const r = await run('slow-everything', name, afterFirstScenario(sig));
    const context = `exit ${r.code}/${r.signal} after ${r.ms} ms\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`;
    expect(r.signalledAtMs, context).toBeDefined();
    expect(r.code, context).toBe(130);
    expect(r.exitAfterSignalMs!, context).toBeLessThan(STOP_BOUND_MS);
    expect(r.stderr).toContain(`${sig}: stopping the run, writing a partial report`);
    expect(r.stdout).toContain(`PARTIAL RUN: interrupted by ${sig}`);

    const report = readReport(name);
    expect(report.partial).toBe(true);
    expect(report.partialReason).toBe(`interrupted by ${sig}`);
    expect(report.scenarios.map((s) => [s.id, s.status])).toEqual([
      ['valid-events-processed', 'passed'],
      // Cut short, so not judged: aborted deliveries are not the connector's failures.
      ['malformed-bodies', 'skipped'],
    ]);
    expect(report.scenarios[1]!.reason).toBe('run interrupted');
    expect(XMLValidator.validate(readFileSync(path.join(dir, name, 'junit.xml'), 'utf8'))).toBe(true);
    expect(await leftoversAfter(dir, r.tags)).toEqual([]);
  }, TEST_MS);

  it('SIGTERM to a run whose connector ignores SIGTERM: the harness kills it and still exits 130 with a partial report', async () => {
    const r = await run('ignores-sigterm', 'ignores', whenConnectorRuns('SIGTERM'));
    const context = `exit ${r.code}/${r.signal} after ${r.ms} ms\n${r.stderr.slice(-2000)}`;
    expect(r.code, context).toBe(130);
    expect(r.exitAfterSignalMs!, context).toBeLessThan(STOP_BOUND_MS);
    const report = readReport('ignores');
    expect(report.partial).toBe(true);
    expect(report.partialReason).toBe('interrupted by SIGTERM');
    expect(report.scenarios.every((s) => s.status === 'skipped' || s.status === 'passed' || s.status === 'failed')).toBe(true);
    expect(r.tags.size).toBeGreaterThan(0);
    expect(await leftoversAfter(dir, r.tags)).toEqual([]);
  }, TEST_MS);

  it('SIGINT to a run whose connector leaves orphans: every descendant is gone after exit 130', async () => {
    const r = await run('orphan-children', 'orphans', whenConnectorRuns('SIGINT'));
    expect(r.code, r.stderr.slice(-2000)).toBe(130);
    expect(readReport('orphans').partial).toBe(true);
    expect(await leftoversAfter(dir, r.tags)).toEqual([]);
  }, TEST_MS);

  it('a second SIGINT stops at once: the fork bomb is reaped and the CLI exits 130 without waiting for the report', async () => {
    const r = await run('fork-bomb', 'bomb', whenConnectorRuns('SIGINT', 'SIGINT'));
    const context = `exit ${r.code}/${r.signal} after ${r.ms} ms\n${r.stderr.slice(-2000)}`;
    expect(r.code, context).toBe(130);
    expect(r.exitAfterSignalMs!, context).toBeLessThan(STOP_BOUND_MS);
    // Whether the report got written before the second signal is a race; if it exists it is marked partial.
    if (existsSync(path.join(dir, 'bomb', 'report.json'))) expect(readReport('bomb').partial).toBe(true);
    expect(await leftoversAfter(dir, r.tags)).toEqual([]);
  }, TEST_MS);

  it('--max-run-time below the derived bound: the watchdog stops the run with a partial report naming the bound, exit 2', async () => {
    const r = await run('slow-everything', 'capped', undefined, ['--max-run-time', '6s']);
    const context = `exit ${r.code}/${r.signal} after ${r.ms} ms\n${r.stderr.slice(-2000)}`;
    expect(r.code, context).toBe(2);
    expect(r.boundMs).toBe(6_000);
    expect(r.stderr).toContain('the run exceeded its bound of 6000 ms');
    // Bound + stop + report, not the ~45 s the scenarios would take.
    expect(r.ms, context).toBeLessThan(6_000 + STOP_BOUND_MS);
    const report = readReport('capped');
    expect(report.partial).toBe(true);
    expect(report.partialReason).toMatch(/^run exceeded its bound of 6000 ms: 6 s \(--max-run-time 6 s; derived bound \d+ s\)$/);
    expect(await leftoversAfter(dir, r.tags)).toEqual([]);
  }, TEST_MS);
});
