/**
 * Black box: run the built CLI, then look for the run's secrets in every byte it produced —
 * every file under the report directory (report.json, junit.xml, report.html, report.sarif,
 * the history database) and its stdout/stderr — raw and in the encodings secrets travel in.
 *
 * The secrets are learnt the way an outsider would: the connector writes them into a side file
 * (test/fixtures/connectors/secret-echo). For the example connectors a preload records them
 * without changing what the connector does.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ROOT, runCli } from '../helpers/cli.js';

const ECHO_DIR = path.join(ROOT, 'test/fixtures/connectors/secret-echo');

interface Recorded {
  kind: string;
  value: string;
}

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'gauntlet-secrets-'));
}

function readDump(file: string): Recorded[] {
  const seen = new Map<string, Recorded>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as Recorded;
    seen.set(r.value, r);
  }
  return [...seen.values()];
}

/** The base64 characters fixed by `bytes` alone when `align` unknown bytes precede them. */
function base64Inner(bytes: Buffer, align: number): string {
  const b64 = Buffer.concat([Buffer.alloc(align), bytes]).toString('base64');
  return b64.slice(Math.ceil((8 * align) / 6), Math.floor((8 * (align + bytes.length)) / 6));
}

/** Every rendering a secret could be written in; the oracle is independent of harness/redact.ts. */
function encodings(value: string): Array<{ encoding: string; text: string }> {
  const out: Array<{ encoding: string; text: string }> = [];
  const add = (encoding: string, text: string) => {
    if (text.length >= 8) out.push({ encoding, text });
  };
  const binary = (label: string, bytes: Buffer) => {
    add(`${label}hex`, bytes.toString('hex'));
    add(`${label}HEX`, bytes.toString('hex').toUpperCase());
    add(`${label}base64`, bytes.toString('base64'));
    add(`${label}base64url`, bytes.toString('base64url'));
    // Inside a larger base64 blob (Basic auth, an encoded JSON dump), at each byte alignment.
    for (let a = 0; a < 3; a++) {
      add(`${label}base64@${a}`, base64Inner(bytes, a));
      add(`${label}base64url@${a}`, base64Inner(bytes, a).replace(/\+/g, '-').replace(/\//g, '_'));
    }
  };
  add('raw', value);
  add('url', encodeURIComponent(value));
  add('json', JSON.stringify(value).slice(1, -1));
  binary('', Buffer.from(value, 'utf8'));
  const whsec = /^whsec_(.+)$/.exec(value);
  if (whsec) {
    add('whsec-key', whsec[1]!);
    binary('whsec-key-bytes-', Buffer.from(whsec[1]!, 'base64'));
  }
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

interface Leak {
  where: string;
  kind: string;
  encoding: string;
}

/** Scans bytes as latin1 (so binary files such as SQLite pages are searched byte for byte). */
function scan(where: string, bytes: Buffer, secrets: Recorded[]): Leak[] {
  const hay = bytes.toString('latin1');
  const leaks: Leak[] = [];
  for (const s of secrets) for (const e of encodings(s.value)) if (hay.includes(Buffer.from(e.text, 'utf8').toString('latin1'))) leaks.push({ where, kind: s.kind, encoding: e.encoding });
  return leaks;
}

async function runAndScan(manifest: string, dump: string, reportDir: string, extra: string[] = []): Promise<{ code: number | null; secrets: Recorded[]; leaks: Leak[]; files: string[] }> {
  const r = await runCli(['run', manifest, '--seed', '42', '--report-dir', reportDir, '--history', path.join(reportDir, 'history.db'), ...extra], { timeoutMs: 240_000 });
  const secrets = readDump(dump);
  const files = filesUnder(reportDir);
  const leaks = [
    ...scan('stdout', Buffer.from(r.stdout), secrets),
    ...scan('stderr', Buffer.from(r.stderr), secrets),
    ...files.flatMap((f) => scan(path.relative(reportDir, f), readFileSync(f), secrets)),
  ];
  return { code: r.code, secrets, leaks, files: files.map((f) => path.relative(reportDir, f)) };
}

/**
 * A copy of an example (manifests must stay inside their project folder) whose manifest
 * preloads the secret recorder; nothing else changes.
 */
function withRecorder(exampleManifest: string, dir: string, dump: string): string {
  const src = path.join(ROOT, exampleManifest);
  const project = path.join(dir, 'connector');
  cpSync(path.dirname(src), project, { recursive: true });
  // Packages the example imports from the repository (standardwebhooks) resolve through this link.
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  copyFileSync(path.join(ECHO_DIR, 'dump-secrets.mjs'), path.join(project, 'dump-secrets.mjs'));
  const doc = YAML.parse(readFileSync(src, 'utf8'));
  const [bin, ...rest] = doc.run.command as string[];
  doc.run.command = [bin, '--import', './dump-secrets.mjs', ...rest];
  doc.run.env = { ...(doc.run.env ?? {}), SECRET_ECHO_DUMP: dump };
  const out = path.join(project, 'connector.yaml');
  writeFileSync(out, YAML.stringify(doc));
  return out;
}

function echoManifest(dir: string, dump: string): string {
  const project = path.join(dir, 'connector');
  cpSync(ECHO_DIR, project, { recursive: true });
  const m = {
    apiVersion: 'gauntlet/v1',
    name: 'secret-echo',
    version: '0.0.1',
    type: 'payout',
    tier: 'critical',
    owner: 'fixtures@example.test',
    run: { command: ['node', 'server.mjs'], healthPath: '/health', startTimeoutMs: 10_000, env: { SECRET_ECHO_DUMP: dump } },
    webhooks: { path: '/webhooks', scheme: 'standard-webhooks', events: ['payment.captured', 'refund.requested', 'refund.canceled'] },
    scopes: ['risk:write'],
    egress: ['hub', 'acquirer'],
    effects: { 'payment.captured': { call: 'POST /v1/payments/{id}/risk_assessments', max: 1, min: 1 } },
    sla: { ackMs: 2000, outboundTimeoutMs: 5000 },
  };
  const out = path.join(project, 'connector.yaml');
  writeFileSync(out, YAML.stringify(m));
  return out;
}

describe('no run secret in anything a run writes (black box)', () => {
  it('a connector that logs, returns and forwards every secret: caught, and no file or stream carries one', async () => {
    const dir = tmp();
    const dump = path.join(dir, 'secrets.jsonl');
    const reportDir = path.join(dir, 'report');
    // The scenarios where a connector's answers and logs reach the report most: counterexamples
    // with response bodies, canaries, token rotation (new bearer tokens mid-run).
    const scenarios = ['valid-events-processed', 'webhook-signature-authenticity', 'malformed-bodies', 'data-protection-canaries', 'credentials-token-expiry'];
    const { code, secrets, leaks, files } = await runAndScan(echoManifest(dir, dump), dump, reportDir, scenarios.flatMap((s) => ['--scenario', s]));
    expect(code).toBe(1);
    // The oracle must know real secrets, or the test could not fail.
    expect(secrets.map((s) => s.kind).sort()).toEqual(expect.arrayContaining(['bearer-token', 'client-secret', 'webhook-secret']));
    expect(files).toEqual(expect.arrayContaining(['report.json', 'junit.xml', 'history.db']));
    // The oracle finds a secret where the connector put one (inside Basic auth, hex in a log line).
    const client = secrets.find((s) => s.kind === 'client-secret')!.value;
    expect(scan('self-check', Buffer.from(`Authorization: Basic ${Buffer.from(`id:${client}`).toString('base64')}`), secrets).map((l) => l.kind)).toContain('client-secret');
    expect(scan('self-check', Buffer.from(`k=${Buffer.from(client).toString('hex').toUpperCase()}`), secrets).length).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
    // And the leaks were seen, under no-secret-leak, shown masked.
    const report = JSON.parse(readFileSync(path.join(reportDir, 'report.json'), 'utf8'));
    expect(report.controls.find((c: { id: string }) => c.id === 'no-secret-leak').status).toBe('fail');
    const secretFindings = report.findings.filter((f: { kind: string }) => f.kind === 'secret');
    expect(secretFindings.length).toBeGreaterThan(0);
    expect(secretFindings.some((f: { where: string }) => f.where.includes('stdout'))).toBe(true);
  }, 300_000);

  for (const example of ['examples/connectors/naive/connector.yaml', 'examples/connectors/careful/connector.yaml']) {
    it(`${example}: no secret in any report file, the history database or the CLI output`, async () => {
      const dir = tmp();
      const dump = path.join(dir, 'secrets.jsonl');
      const reportDir = path.join(dir, 'report');
      const { secrets, leaks, files } = await runAndScan(withRecorder(example, dir, dump), dump, reportDir);
      expect(secrets.map((s) => s.kind)).toEqual(expect.arrayContaining(['bearer-token', 'client-secret', 'webhook-secret']));
      expect(files).toEqual(expect.arrayContaining(['report.json', 'junit.xml']));
      expect(leaks).toEqual([]);
    }, 300_000);
  }
});
