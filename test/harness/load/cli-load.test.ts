import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseShare } from '../../../harness/cli/commands/load.js';
import { GauntletError } from '../../../harness/errors.js';
import type { LoadReport } from '../../../harness/load/types.js';
import { runCli } from '../../helpers/cli.js';

describe('gauntlet load (black box, built CLI)', () => {
  it('loads the careful example, prints the load section and writes load.json with throughput, percentiles, reconciliation and overhead', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gauntlet-load-'));
    const r = await runCli(['load', 'examples/connectors/careful/connector.yaml', '--rate', '60', '--duration', '1s', '--connections', '4', '--ramp', '2', '--duplicates', '0.2', '--overhead', '300ms', '--seed', '5', '--report-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^LOAD {2}load-run · 60\/s \(ramp in 2 steps\)/m);
    expect(r.stdout).toMatch(/latency {6}p50 [\d.]+ ms · p95 [\d.]+ ms · p99 [\d.]+ ms · max [\d.]+ ms/);
    expect(r.stdout).toMatch(/overhead {5}signed load \d+ req\/s vs plain autocannon \d+ req\/s = [\d.]+×/);
    expect(r.stdout).toContain('VERDICT: certified');
    const load = JSON.parse(readFileSync(path.join(dir, 'load.json'), 'utf8')) as LoadReport;
    expect(load.kind).toBe('gauntlet-load');
    expect(load.seed).toBe(5);
    expect(load.phases).toHaveLength(2);
    expect(load.requests.sent).toBe(load.requests.planned);
    expect(load.reconciliation.droppedEvents).toBe(0);
    expect(load.overhead!.plainReqPerSec).toBeGreaterThan(0);
    expect(load.overhead!.ratio).toBeGreaterThan(0);
    const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as { replay: string };
    expect(report.replay).toMatch(/^gauntlet load examples\/connectors\/careful\/connector\.yaml --seed 5 --rate 60 --duration 1000ms/);
    // No run secret leaks into load.json.
    expect(readFileSync(path.join(dir, 'load.json'), 'utf8')).not.toMatch(/whsec_/);
  });

  it('rejects bad flags with exit 2 and a message naming the flag', async () => {
    const r = await runCli(['load', 'examples/connectors/careful/connector.yaml', '--duplicates', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GAUNTLET_ERR_FLAG_INVALID');
    expect(r.stderr).toContain('--duplicates');
    const ramp = await runCli(['load', 'examples/connectors/careful/connector.yaml', '--closed-loop', '--ramp']);
    expect(ramp.code).toBe(2);
    expect(ramp.stderr).toContain('--ramp needs a target --rate');
  });
});

describe('parseShare', () => {
  it('accepts shares from 0 to 0.9 and refuses anything else', () => {
    for (const ok of ['0', '0.1', '.5', '0.9']) expect(parseShare(ok)).toBeCloseTo(Number(ok));
    for (const bad of ['1', '-0.1', 'abc', '0.95', '', '1e-1', 'NaN']) expect(() => parseShare(bad)).toThrow(GauntletError);
  });
});
