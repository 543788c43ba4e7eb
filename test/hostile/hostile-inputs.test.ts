import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool, probeCli, type ProbeResult } from './cli-probe.js';

/**
 * Issue 9.4: the harness's own inputs are hostile too. Absurd flag values and manifests exit 2
 * before anything starts, with an error that names the flag or field, and the echo of a hostile
 * value is escaped and bounded. (The basic cases live in test/cli/bad-input.test.ts; the
 * loader's 1,000-run property test in test/harness/manifest/load.property.test.ts.)
 */
const WELL = 'test/fixtures/hostile/well-behaved/connector.yaml';
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

let dir: string;

function manifest(name: string, runLines: string[]): string {
  const folder = path.join(dir, name);
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, 'connector.yaml');
  writeFileSync(file, [
    'apiVersion: gauntlet/v1',
    `name: ${name}`,
    'version: 0.0.1',
    'type: other',
    'run:',
    ...runLines.map((l) => `  ${l}`),
    'webhooks: { path: /webhooks, scheme: standard-webhooks, events: [payment.captured] }',
    'scopes: [risk:write]',
    'egress: [hub]',
    'effects: {}',
  ].join('\n'));
  return file;
}

interface Case {
  title: string;
  args: () => string[];
  /** Must appear in stderr: the flag or field named, and what is allowed. */
  names: Array<string | RegExp>;
}

const CASES: Case[] = [
  { title: '--max-run-time of 10 hours', args: () => ['run', WELL, '--max-run-time', '10h'], names: ['--max-run-time', 'at most 2h'] },
  { title: '--max-run-time negative', args: () => ['run', WELL, '--max-run-time=-5s'], names: ['--max-run-time', 'greater than 0'] },
  { title: '--max-run-time zero', args: () => ['run', WELL, '--max-run-time', '0'], names: ['--max-run-time'] },
  { title: '--max-run-time not a duration', args: () => ['run', WELL, '--max-run-time', '5 fortnights'], names: ['--max-run-time'] },
  { title: '--seed in exponent notation', args: () => ['run', WELL, '--seed', '1e3'], names: ['--seed'] },
  { title: '--seed beyond a safe integer', args: () => ['run', WELL, '--seed', '99999999999999999999'], names: ['--seed'] },
  { title: '--shard 0/0', args: () => ['run', WELL, '--shard', '0/0'], names: ['--shard'] },
  { title: '--shard beyond 64 slices', args: () => ['run', WELL, '--shard', '1/65'], names: ['--shard', '64'] },
  { title: '--sandbox unknown', args: () => ['run', WELL, '--sandbox', 'vm'], names: ['--sandbox', 'embedded, containers'] },
  { title: '--report-dir that is a file', args: () => ['run', WELL, '--report-dir', path.join(dir, 'a-file')], names: ['--report-dir', 'not an existing file'] },
  { title: '--report-dir through a file', args: () => ['run', WELL, '--report-dir', path.join(dir, 'a-file', 'sub')], names: ['--report-dir'] },
  {
    title: 'a manifest start time of 10 hours',
    args: () => ['run', manifest('ten-hours', ['command: [node, server.mjs]', 'startTimeoutMs: 36000000'])],
    names: ['run.startTimeoutMs'],
  },
  {
    title: 'a manifest whose run.cwd leaves the project',
    args: () => ['run', manifest('escapes', ['command: [node, server.mjs]', 'cwd: ../../..'])],
    names: ['run.cwd', 'outside the project folder'],
  },
  {
    title: 'a manifest with a negative start time and an unknown field',
    args: () => ['run', manifest('negative', ['command: [node, server.mjs]', 'startTimeoutMs: -1', 'restartPolicy: always'])],
    names: ['run.startTimeoutMs', 'run.restartPolicy'],
  },
];

const results = new Map<string, ProbeResult>();

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gauntlet-hostile-inputs-'));
  writeFileSync(path.join(dir, 'a-file'), 'not a folder');
  await pool(CASES, 2, async (c) => {
    results.set(c.title, await probeCli([...c.args(), '--no-history'], { killAfterMs: 60_000 }));
  });
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('hostile harness inputs exit 2 naming the flag or field', () => {
  it.each(CASES.map((c) => c.title))('%s', (title) => {
    const r = results.get(title)!;
    const c = CASES.find((x) => x.title === title)!;
    expect(r.code, r.stderr).toBe(2);
    for (const n of c.names) expect(r.stderr).toMatch(typeof n === 'string' ? new RegExp(n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : n);
    // Rejected before anything ran: no bound announced, no report.
    expect(r.stderr).not.toContain('watchdog:');
    expect(r.stdout).not.toContain('VERDICT');
  });
});

describe('a hostile flag value is echoed escaped and bounded', () => {
  it('escape sequences and a 100 kB value in --seed: exit 2, no control characters, short message', async () => {
    const nasty = `\u001b]0;pwned\u0007\u001b[2J${'9'.repeat(100_000)}`;
    const r = await probeCli(['run', WELL, '--seed', nasty, '--no-history'], { killAfterMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--seed');
    expect(r.stderr).not.toMatch(CONTROL);
    expect(r.stderr.length).toBeLessThan(2_000);
  });

  it('a hostile --scenario id: exit 2 naming it, escaped', async () => {
    const r = await probeCli(['run', WELL, '--scenario', '\u001b[31m<script>x</script>', '--no-history'], { killAfterMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(CONTROL);
    expect(r.stderr).toContain('<script>x</script>');
  });
});
