import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'gauntlet-bad-'));
}

describe('gauntlet CLI on bad input', () => {
  it('a bad manifest exits 2 naming every bad field', async () => {
    const dir = tmp();
    const file = path.join(dir, 'connector.yaml');
    writeFileSync(file, [
      'apiVersion: gauntlet/v1',
      'name: bad',
      'version: "1"',
      'type: payout',
      'tier: low',
      'run: { command: [node, x.js], startTimeoutMs: -5, helthPath: /health }',
      'webhooks: { path: hooks, scheme: sha1, events: [payment.captured] }',
      'scopes: []',
      'egress: []',
      'effects: {}',
    ].join('\n'));
    const r = await runCli(['run', file, '--report-dir', path.join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GAUNTLET_ERR_MANIFEST_INVALID');
    for (const field of ['tier', 'run.startTimeoutMs', 'run.helthPath', 'webhooks.path', 'webhooks.scheme']) expect(r.stderr).toContain(field);
  });

  it('a missing manifest exits 2', async () => {
    const r = await runCli(['validate', '/nonexistent/connector.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GAUNTLET_ERR_MANIFEST_NOT_FOUND');
  });

  it('bad flags exit 2 naming the flag', async () => {
    const seed = await runCli(['run', 'examples/connectors/careful/connector.yaml', '--seed', '-1']);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain('--seed');
    const shard = await runCli(['run', 'examples/connectors/careful/connector.yaml', '--shard', '4/3']);
    expect(shard.code).toBe(2);
    expect(shard.stderr).toContain('--shard');
    const unknown = await runCli(['run', 'examples/connectors/careful/connector.yaml', '--scenario', 'no-such-scenario']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no-such-scenario');
  });

  it('a connector that never becomes healthy is rejected within startTimeoutMs plus a few seconds, naming the cause', async () => {
    const dir = tmp();
    const r = await runCli(['run', 'test/fixtures/hostile/never-listens/connector.yaml', '--report-dir', dir], { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('VERDICT: rejected');
    expect(r.stdout).toMatch(/did not become healthy within 2000 ms/);
    expect(r.ms).toBeLessThan(2_000 + 8_000);
    const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'));
    expect(report.controls.find((c: { id: string }) => c.id === 'connector-starts-healthy').status).toBe('fail');
  });

  it('validate accepts the bundled examples', async () => {
    for (const m of ['examples/connectors/careful/connector.yaml', 'examples/connectors/naive/connector.yaml']) {
      const r = await runCli(['validate', m]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('valid');
    }
  });

  it('scenarios list and show describe the catalogue', async () => {
    const list = await runCli(['scenarios', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('malformed-bodies');
    const show = await runCli(['scenarios', 'show', 'malformed-bodies']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('malformed-no-effect');
    const bad = await runCli(['scenarios', 'show', 'nope']);
    expect(bad.code).toBe(2);
  });
});
