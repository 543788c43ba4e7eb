/**
 * The full standard run of the careful example, as a user runs it: the built CLI in a
 * child process (`node bin/gauntlet.js run examples/connectors/careful/connector.yaml`).
 * Wall time is measured by the parent; peak memory is the harness process's own maximum
 * resident set size, reported by the child itself at exit through a preload module
 * (`process.resourceUsage().maxRSS`), so it needs no `/usr/bin/time` and excludes the
 * connector's processes.
 *
 * Run alone: `node --import tsx bench/standard-run.ts`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StandardRunFigures {
  manifest: string;
  seed: number;
  wallMs: number;
  /** Peak RSS of the harness process (MB). */
  peakRssMb: number;
  exitCode: number | null;
  verdict: string;
  scenarios: number;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAX_RUN_MS = 180_000;

export async function benchStandardRun(opts: { manifest?: string; seed?: number; extraArgs?: string[]; signal?: AbortSignal } = {}): Promise<StandardRunFigures> {
  const manifest = opts.manifest ?? 'examples/connectors/careful/connector.yaml';
  const seed = opts.seed ?? 1;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gauntlet-bench-run-'));
  const rssFile = path.join(dir, 'rss.txt');
  const preload = path.join(dir, 'report-rss.mjs');
  // maxRSS is in kilobytes; written synchronously on exit so the parent always finds it.
  await writeFile(preload, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { try { writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)); } catch {} });\n`);
  const reportDir = path.join(dir, 'report');
  try {
    const started = performance.now();
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', preload, path.join(ROOT, 'bin/gauntlet.js'), 'run', manifest, '--seed', String(seed), '--report-dir', reportDir, ...(opts.extraArgs ?? [])], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'ignore'],
        env: { ...process.env, NO_COLOR: '1' },
      });
      // SIGINT: the CLI stops its connector and sandbox and writes a partial report.
      const stop = () => child.kill('SIGINT');
      const timer = setTimeout(stop, MAX_RUN_MS);
      opts.signal?.addEventListener('abort', stop, { once: true });
      const done = () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', stop);
      };
      child.once('error', (e) => {
        done();
        reject(e);
      });
      child.once('exit', (code) => {
        done();
        resolve(code);
      });
    });
    const wallMs = Math.round(performance.now() - started);
    const rssKb = Number((await readFile(rssFile, 'utf8').catch(() => 'NaN')).trim());
    const report = JSON.parse(await readFile(path.join(reportDir, 'report.json'), 'utf8').catch(() => '{}')) as { verdict?: string; scenarios?: unknown[] };
    return { manifest, seed, wallMs, peakRssMb: Math.round((rssKb / 1024) * 10) / 10, exitCode, verdict: report.verdict ?? 'no report', scenarios: report.scenarios?.length ?? 0 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The baseline for the standard run: the same built CLI doing almost nothing
 * (`gauntlet validate` of the same manifest): process start, module load, one manifest.
 */
export async function benchCliBaseline(manifest = 'examples/connectors/careful/connector.yaml'): Promise<{ wallMs: number; peakRssMb: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gauntlet-bench-cli-'));
  const rssFile = path.join(dir, 'rss.txt');
  const preload = path.join(dir, 'report-rss.mjs');
  await writeFile(preload, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { try { writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)); } catch {} });\n`);
  try {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', preload, path.join(ROOT, 'bin/gauntlet.js'), 'validate', manifest], { cwd: ROOT, stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('error', reject);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const wallMs = Math.round(performance.now() - started);
    const rssKb = Number((await readFile(rssFile, 'utf8').catch(() => 'NaN')).trim());
    return { wallMs, peakRssMb: Math.round((rssKb / 1024) * 10) / 10 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** True when dist/ is missing or older than a source file: the bench then builds first. */
export async function distIsStale(): Promise<boolean> {
  const { stat, readdir } = await import('node:fs/promises');
  let built: number;
  try {
    built = (await stat(path.join(ROOT, 'dist/harness/cli/main.js'))).mtimeMs;
  } catch {
    return true;
  }
  const dirs = ['harness', 'scenarios', 'reports', 'mocks'];
  const stack = dirs.map((d) => path.join(ROOT, d));
  let seen = 0;
  while (stack.length > 0 && seen < 5_000) {
    const d = stack.pop()!;
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      seen++;
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name.endsWith('.ts') && (await stat(p)).mtimeMs > built) return true;
    }
  }
  return false;
}

/** `tsc -p tsconfig.build.json`, bounded. */
export function buildDist(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`npm run build failed (exit ${code}); fix the build, then rerun the bench`));
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  void benchStandardRun().then((f) => console.log(f));
}
