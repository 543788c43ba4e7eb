import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { CLI_BIN, copyFixtures, leftoversAfter, probeCli, type ProbeResult } from './cli-probe.js';

/**
 * Issue 9, "nothing escapes": the hostile-text connector answers and logs HTML, `<script>`,
 * ANSI escapes, a terminal-title sequence and carriage-return overwrites. Whatever reaches a
 * report or the console is inert there. (Secrets in every file and stream: test/cli/secrets-scan.)
 *
 * Two runs: the connector as it is (its text lands in the reports' log tails), and a copy that
 * listens on the wrong port and exits 7 (its text is then the start failure's evidence and the
 * console's "last lines" of a connector that exited badly).
 */
const SCENARIOS = ['--scenario', 'valid-events-processed', '--scenario', 'malformed-bodies'];
/** C0 controls but tab and newline, DEL, C1 controls: none may come out of the harness's own text. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** Raw markup from the fixture that must never appear unescaped in HTML or XML. */
const RAW_MARKUP = ['<script>alert("xss")</script>', '<img src=x onerror=', '<h1>injected</h1>', '</pre></td></tr></table>', '<script>alert(1)</script>'];

let dir: string;
const runs = new Map<string, ProbeResult>();

beforeAll(async () => {
  dir = copyFixtures(['hostile-text'], { roomyStart: ['hostile-text'] });
  // The crashing twin: the same server on a random port (so /health is refused), exiting with
  // code 7 after 1.5 s. A connector that exits badly gets its last log lines printed on the
  // console, so the fixture's text reaches the terminal path too.
  const twin = path.join(dir, 'hostile-text-twin');
  cpSync(path.join(dir, 'hostile-text'), twin, { recursive: true });
  const yaml = readFileSync(path.join(twin, 'connector.yaml'), 'utf8')
    .replace(/^(\s+)startTimeoutMs: \d+$/m, '$1startTimeoutMs: 15000')
    .replace(/^(\s+)command: .*$/m, (_, indent: string) => `${indent}command: ${JSON.stringify(['node', '-e', `process.env.PORT = '0'; import(${JSON.stringify(pathToFileURL(path.join(twin, 'server.mjs')).href)}).then(() => setTimeout(() => process.exit(7), 1500))`])}`);
  writeFileSync(path.join(twin, 'connector.yaml'), yaml);
  expect(yaml).toContain("process.env.PORT = '0'");
  for (const name of ['hostile-text', 'hostile-text-twin']) {
    runs.set(name, await probeCli(['run', path.join(dir, name, 'connector.yaml'), '--seed', '1', '--report-dir', path.join(dir, `${name}-report`), '--no-history', ...SCENARIOS], { killAfterMs: 180_000, watchDir: dir }));
  }
}, 400_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const file = (name: string, f: string) => readFileSync(path.join(dir, `${name}-report`, f), 'utf8');

describe.each(['hostile-text', 'hostile-text-twin'])('%s: connector text is inert in every output', (name) => {
  it('the run ends normally (exit 0/1, never a harness error)', () => {
    const r = runs.get(name)!;
    expect([0, 1], r.stderr.slice(-2000)).toContain(r.code);
    expect(r.stderr).not.toMatch(/GAUNTLET_ERR_/);
  });

  it('console (NO_COLOR, not a TTY): no control character from anyone', () => {
    const r = runs.get(name)!;
    expect(r.stdout).not.toMatch(CONTROL);
    expect(r.stderr).not.toMatch(CONTROL);
    // The fake verdict the connector prints is never a line of its own.
    expect(r.stdout).not.toMatch(/^\[gauntlet\] PASS/m);
  });

  it('report.json is valid JSON and keeps the text as data', () => {
    const report = JSON.parse(file(name, 'report.json')) as { connectorLog: { stdoutTail: string[]; stderrTail: string[] } };
    const logs = JSON.stringify(report);
    expect(logs).toContain('pwned terminal title');
  });

  it('junit.xml is well-formed XML with no markup from the connector', () => {
    const xml = file(name, 'junit.xml');
    expect(XMLValidator.validate(xml)).toBe(true);
    for (const m of RAW_MARKUP) expect(xml).not.toContain(m);
    expect(xml).not.toMatch(CONTROL);
    expect(new XMLParser().parse(xml).testsuites).toBeDefined();
  });

  it('report.html shows the text escaped, never as markup', () => {
    const html = file(name, 'report.html');
    for (const m of RAW_MARKUP) expect(html).not.toContain(m);
    // In HTML text a carriage return is only whitespace; every other control character is shown escaped.
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
    expect(html).toContain('&lt;script&gt;alert(');
  });

  it('report.sarif is valid JSON', () => {
    if (!existsSync(path.join(dir, `${name}-report`, 'report.sarif'))) return;
    const sarif = JSON.parse(file(name, 'report.sarif')) as { version: string };
    expect(sarif.version).toBe('2.1.0');
  });
});

it('the crashing twin puts the connector text on the console, neutralised', () => {
  const r = runs.get('hostile-text-twin')!;
  expect(file('hostile-text-twin', 'report.json')).toMatch(/exited with code 7 during start/);
  expect(r.stdout).toMatch(/CONNECTOR STDOUT, last lines \(exit code 7/);
  // Proof that the text reached the console at all (so the control-character check above meant something).
  expect(r.stdout).toContain('pwned terminal title');
  expect(r.stdout).toContain('<h1>injected</h1>');
});

it('after both runs nothing is left running', async () => {
  const tags = new Set<string>();
  for (const r of runs.values()) for (const t of r.tags) tags.add(t);
  expect(await leftoversAfter(dir, tags)).toEqual([]);
});

/**
 * Colour on a real terminal (script(1) gives the CLI a pty): the only escape sequences in the
 * output are the harness's own (SGR colour, erase-line of the live progress line); the
 * connector's clear-screen and title sequences never pass.
 */
it.skipIf(!existsSync('/usr/bin/script'))('on a TTY with colour, every escape sequence is one of the harness\'s own', async () => {
  const cmd = [process.execPath, CLI_BIN, 'run', path.join(dir, 'hostile-text-twin', 'connector.yaml'), '--seed', '1', '--report-dir', path.join(dir, 'tty-report'), '--no-history', ...SCENARIOS]
    .map((a) => `'${a.replaceAll("'", `'\\''`)}'`)
    .join(' ');
  const env = { ...process.env, TERM: 'xterm-256color' } as Record<string, string>;
  delete env.NO_COLOR;
  delete env.CI;
  delete env.FORCE_COLOR;
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('/usr/bin/script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      if (text.length < 2_000_000) text += d.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
  expect(out).toContain('VERDICT');
  expect(out).toContain('pwned terminal title');
  // Colour was on: proves the escape check below is not vacuous.
  expect(out).toMatch(/\u001b\[[0-9;]*m/);
  // Strip the harness's own sequences (SGR colour, and the live progress line's erase-line): nothing else may remain.
  const stripped = out.replace(/\u001b\[[0-9;]*m|\u001b\[2K/g, '');
  expect(stripped).not.toMatch(/\u001b/);
  expect(stripped).not.toMatch(/\u0007/);
}, 150_000);
