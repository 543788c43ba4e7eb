import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const NAIVE = 'examples/connectors/naive/connector.yaml';

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'gauntlet-shard-'));
}

function read(dir: string): any {
  return JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'));
}

function statuses(report: any): Record<string, string> {
  return Object.fromEntries(report.controls.map((c: { id: string; status: string }) => [c.id, c.status]));
}

describe('sharding, merge, baseline and history (black box)', { timeout: 480_000 }, () => {
  it('3 shards merged give the same verdict, score and control results as one unsharded run with the same seed', async () => {
    const whole = tmp();
    const history = path.join(tmp(), 'h.sqlite');
    const full = await runCli(['run', NAIVE, '--seed', '21', '--report-dir', whole, '--history', history]);
    expect(full.code).toBe(1);
    const shardDirs: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const dir = tmp();
      shardDirs.push(dir);
      const r = await runCli(['run', NAIVE, '--seed', '21', '--shard', `${i}/3`, '--report-dir', dir, '--history', history]);
      expect([0, 1]).toContain(r.code);
      expect(read(dir).shard).toEqual({ index: i, total: 3 });
    }
    const mergedDir = tmp();
    const merged = await runCli(['merge', ...shardDirs.map((d) => path.join(d, 'report.json')), '--report-dir', mergedDir]);
    expect(merged.code).toBe(1);
    const a = read(whole);
    const m = read(mergedDir);
    expect(m.verdict).toBe(a.verdict);
    expect(m.score).toBe(a.score);
    expect(statuses(m)).toEqual(statuses(a));
    expect(m.mergedFrom.shards).toBe(3);
    // Every scenario ran in exactly one shard.
    expect(m.scenarios.map((s: { id: string }) => s.id).sort()).toEqual(a.scenarios.map((s: { id: string }) => s.id).sort());

    const h = await runCli(['history', '--history', history, '--connector', 'quickpay-sync']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('quickpay-sync@');
    expect(h.stdout.match(/^\s+\d{4}-\d\d-\d\dT\S+\s+(rejected|conditional|certified)\b/gm)?.length).toBe(4);
  });

  it('merging reports of different runs is refused with exit 2', async () => {
    const a = tmp();
    const b = tmp();
    await runCli(['run', NAIVE, '--seed', '1', '--scenario', 'schema-drift', '--report-dir', a, '--no-history']);
    await runCli(['run', NAIVE, '--seed', '2', '--scenario', 'schema-drift', '--report-dir', b, '--no-history']);
    const r = await runCli(['merge', path.join(a, 'report.json'), path.join(b, 'report.json'), '--report-dir', tmp()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GAUNTLET_ERR_REPORT_MISMATCH');
    expect(r.stderr).toContain('seed 2 differs from 1');
  });

  it('a run with a new failure against a baseline exits non-zero and names the regression', async () => {
    // Baseline: the flaw-free fixture, certified. Current: the same connector requesting two unused scopes
    // (a low-severity failure that alone keeps it certified), so only the baseline can fail the run.
    const base = tmp();
    const b = await runCli(['run', 'test/fixtures/connectors/flawed/none.yaml', '--seed', '4', '--scenario', 'valid-events-processed', '--report-dir', base, '--no-history']);
    expect(b.code).toBe(0);
    const cur = tmp();
    const plain = await runCli(['run', 'test/fixtures/connectors/flawed/unused-scopes.yaml', '--seed', '4', '--scenario', 'valid-events-processed', '--report-dir', cur, '--no-history']);
    expect(plain.stdout).toContain('VERDICT: certified');
    expect(plain.code).toBe(0);
    const withBaseline = await runCli(['run', 'test/fixtures/connectors/flawed/unused-scopes.yaml', '--seed', '4', '--scenario', 'valid-events-processed', '--report-dir', tmp(), '--no-history', '--baseline', path.join(base, 'report.json')]);
    expect(withBaseline.code).toBe(1);
    expect(withBaseline.stdout).toMatch(/REGRESSION: least-privilege-scopes \(clause 8, low\)/);
    const lenient = await runCli(['run', 'test/fixtures/connectors/flawed/unused-scopes.yaml', '--seed', '4', '--scenario', 'valid-events-processed', '--report-dir', tmp(), '--no-history', '--baseline', path.join(base, 'report.json'), '--no-fail-on-regression']);
    expect(lenient.code).toBe(0);
    const missing = await runCli(['run', 'test/fixtures/connectors/flawed/none.yaml', '--baseline', '/nonexistent/report.json', '--no-history']);
    expect(missing.code).toBe(2);
  });
});
