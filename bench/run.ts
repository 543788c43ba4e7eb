/**
 * `npm run bench`: the project's performance figures, each against a baseline measured
 * in the same run on the same machine, printed as one table (figure, value, baseline,
 * ratio, target, pass/fail) and written to bench/results/<timestamp>.json and latest.json.
 * When a previous latest.json exists, the change of every figure is printed too.
 *
 *   npm run bench                      # everything, about 2–3 minutes on 2 cores
 *   npm run bench -- --quick           # tiny durations: checks the bench runs, figures are noise
 *   npm run bench -- --only mocks,runner-overhead
 *   npm run bench -- --no-build        # use dist/ as it is for the standard run
 *
 * Every section is bounded in time, uses only 127.0.0.1, and kills what it starts.
 * A section that fails or is missing prints a line saying so; the others still run.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchFigure {
  /** Stable id, for comparing runs. */
  id: string;
  figure: string;
  value: number;
  unit: string;
  baseline?: number;
  baselineLabel?: string;
  /** value / baseline (or as documented per figure). */
  ratio?: number;
  /** Human text of the target, e.g. `≥ 0.5×`. */
  target?: string;
  /** undefined = informational, no target. */
  pass?: boolean;
  note?: string;
}

export interface BenchSection {
  id: string;
  title: string;
  status: 'ok' | 'not available' | 'error' | 'skipped';
  message?: string;
  durationMs: number;
  figures: BenchFigure[];
  raw?: unknown;
}

export interface BenchResults {
  kind: 'gauntlet-bench';
  version: 1;
  startedAt: string;
  durationMs: number;
  quick: boolean;
  machine: { cpus: number; loadBefore: number; loadAfter: number; node: string; platform: string };
  sections: BenchSection[];
}

export interface BenchOptions {
  quick?: boolean;
  only?: string[];
  build?: boolean;
  resultsDir?: string;
  /** Where the table goes (default stdout). */
  out?: { write(s: string): unknown };
  /** Bound per section (ms). */
  sectionLimitMs?: number;
  /** Bound for the whole bench (ms): sections that would start past it are skipped, not run. */
  totalBudgetMs?: number;
  /** Aborted when a section runs past its limit: sections that start processes stop them. */
  signal?: AbortSignal;
}

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const SECTION_IDS = ['sandbox-start', 'mocks', 'runner-overhead', 'properties', 'load-generator', 'fault-proxy', 'standard-run'] as const;

type SectionRun = (quick: boolean, signal: AbortSignal) => Promise<{ figures: BenchFigure[]; raw: unknown; message?: string }>;

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : Number.NaN);

/** Imports a bench module written elsewhere; undefined when the file is not there (yet). */
async function optionalModule(file: string): Promise<Record<string, unknown> | undefined> {
  const full = path.join(BENCH_DIR, file);
  try {
    await readFile(full);
  } catch {
    return undefined;
  }
  return (await import(pathToFileURL(full).href)) as Record<string, unknown>;
}

class NotAvailable extends Error {}

/** Turns a result of unknown shape into figures: its own `figures` list, or its numeric fields as information. */
function figuresFromUnknown(prefix: string, result: unknown): BenchFigure[] {
  if (result && typeof result === 'object' && Array.isArray((result as { figures?: unknown }).figures)) {
    return ((result as { figures: Array<Partial<BenchFigure> & { value: number }> }).figures).map((f, i) => ({ id: f.id ?? `${prefix}-${i}`, figure: f.figure ?? `${prefix} figure ${i + 1}`, unit: f.unit ?? '', ...f }) as BenchFigure);
  }
  const out: BenchFigure[] = [];
  const walk = (v: unknown, key: string) => {
    if (out.length >= 12) return;
    if (typeof v === 'number' && Number.isFinite(v)) out.push({ id: `${prefix}.${key}`, figure: `${prefix} ${key}`, value: v, unit: '' });
    else if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) walk(x, key ? `${key}.${k}` : k);
  };
  walk(result, '');
  return out;
}

const SECTIONS: Record<(typeof SECTION_IDS)[number], { title: string; run: SectionRun }> = {
  'sandbox-start': {
    title: 'Embedded sandbox start vs a bare node:http server start',
    run: async (quick) => {
      const mod = await optionalModule('sandbox-start.ts');
      const fn = mod?.benchSandboxStart as ((o?: unknown) => Promise<unknown>) | undefined;
      if (!fn) throw new NotAvailable('bench/sandbox-start.ts (benchSandboxStart) is not available in this checkout');
      const raw = await fn(quick ? { quick: true, rounds: 2 } : undefined);
      const figures = figuresFromUnknown('sandbox-start', raw);
      // The same-run baseline the issue names: a bare node:http server coming up on loopback.
      const embedded = (raw as { embeddedMs?: { median?: number } }).embeddedMs?.median;
      if (typeof embedded === 'number') {
        const bare = await bareServerStartMs(quick ? 5 : 20);
        const dup = figures.findIndex((f) => f.value === embedded && f.baseline === undefined);
        if (dup !== -1) figures.splice(dup, 1);
        figures.unshift({ id: 'sandbox.embedded-vs-bare', figure: 'embedded sandbox start (median)', value: embedded, unit: 'ms', baseline: bare, baselineLabel: 'bare node:http listen', ratio: ratio(embedded, bare), note: 'hub, acquirer and egress proxy on loopback, secrets and ledger ready' });
      }
      return { figures, raw };
    },
  },
  mocks: {
    title: 'Mock hub throughput (serveHandlers) vs a bare node:http server',
    run: async (quick) => {
      const { benchMocks } = await import('./mocks.js');
      const f = await benchMocks(quick ? { durationSec: 0.6, rounds: 1 } : { durationSec: 3, rounds: 3 });
      return {
        raw: f,
        figures: [
          { id: 'mocks.served-rps', figure: 'mock hub req/s (served vs bare)', value: f.reqPerSec.served, unit: 'req/s', baseline: f.reqPerSec.bare, baselineLabel: 'bare node:http', ratio: f.servedRatio, target: '≥ 0.5×', pass: f.servedRatio >= 0.5 },
          { id: 'mocks.served-cpu', figure: 'mock hub server CPU per request', value: f.cpuMicrosPerRequest.served, unit: 'µs', baseline: f.cpuMicrosPerRequest.bare, baselineLabel: 'bare node:http', ratio: f.servedCpuRatio, note: 'ratio = bare/served CPU: the throughput ratio a CPU-bound server reaches' },
          { id: 'mocks.msw-rps', figure: 'msw getResponse req/s (for comparison)', value: f.reqPerSec.msw, unit: 'req/s', baseline: f.reqPerSec.bare, baselineLabel: 'bare node:http', ratio: f.mswRatio },
        ],
      };
    },
  },
  'runner-overhead': {
    title: 'Per-delivery cost of the scenario runner vs plain node:http',
    run: async (quick) => {
      const { benchRunnerOverhead } = await import('./runner-overhead.js');
      const f = await benchRunnerOverhead(quick ? { deliveries: 100, budgetMs: 5_000 } : { deliveries: 2_000, budgetMs: 60_000 });
      return {
        raw: f,
        figures: [
          { id: 'runner.deliver', figure: 'ctx.deliver per delivery (same bytes)', value: f.deliverOnlyMs, unit: 'ms', baseline: f.plainMs, baselineLabel: 'node:http POST', ratio: f.deliverOnlyRatio, target: '≤ 1.25×', pass: f.deliverOnlyRatio <= 1.25 },
          { id: 'runner.sign-deliver', figure: 'ctx.sign + ctx.deliver per delivery', value: f.runnerMs, unit: 'ms', baseline: f.plainMs, baselineLabel: 'node:http POST (pre-signed)', ratio: f.ratio, note: 'includes signing each event, which the baseline does not' },
        ],
      };
    },
  },
  properties: {
    title: 'Property-based scenario cases per second',
    run: async (quick) => {
      const mod = await optionalModule('properties.ts');
      const fn = mod?.benchProperties as ((o?: unknown) => Promise<unknown>) | undefined;
      if (!fn) throw new NotAvailable('bench/properties.ts (benchProperties) is not available in this checkout');
      const raw = await fn(quick ? { quick: true } : undefined);
      return { figures: figuresFromUnknown('properties', raw), raw };
    },
  },
  'load-generator': {
    title: 'Signed load generator (gauntlet load) vs plain autocannon against a webhook sink',
    run: async (quick, signal) => {
      const { startWebhookSink } = await import('./runner-overhead.js');
      const { measureOverhead } = await import('../harness/load/overhead.js');
      const { SignedPool } = await import('../harness/load/signed-pool.js');
      const { SyntheticData } = await import('../harness/data/synthetic.js');
      const { generateRunSecrets } = await import('../harness/sandbox/secrets.js');
      const secret = generateRunSecrets('standard-webhooks').webhookSecret;
      const data = new SyntheticData(1);
      const poolOf = (n: number) => {
        const evs = Array.from({ length: Math.max(1, Math.min(n, 50_000)) }, (_, i) => data.event(i % 2 ? 'refund.requested' : 'payment.captured'));
        return new SignedPool({
          scheme: 'standard-webhooks',
          secret,
          toleranceSec: 300,
          sends: evs.map((_, i) => ({ event: i, duplicate: false })),
          bodies: evs.map((e) => Buffer.from(JSON.stringify(e))),
          deliveryIds: evs.map((_, i) => `msg_bench_${i}`),
          eventTypes: evs.map((e) => e.type),
          nowSec: () => Math.floor(Date.now() / 1000),
        });
      };
      const sink = await startWebhookSink();
      try {
        const f = await measureOverhead({
          baseUrl: `http://127.0.0.1:${sink.port}`,
          path: '/webhooks',
          connections: 10,
          durationMs: quick ? 300 : 2_000,
          timeoutMs: 5_000,
          fixed: poolOf(1).next()!,
          signedSource: (expected) => {
            const pool = poolOf(expected);
            return { next: () => pool.next(), size: pool.size };
          },
          signal,
        });
        return {
          raw: f,
          figures: [
            { id: 'load.signed', figure: 'signed load req/s (unique pre-signed events)', value: f.signedReqPerSec, unit: 'req/s', baseline: f.plainReqPerSec, baselineLabel: 'plain autocannon, one request', ratio: f.ratio, note: 'the sink does the same work for both: the ratio is the harness load generator alone' },
            { id: 'load.machinery', figure: 'load machinery req/s (baseline request)', value: f.machineryReqPerSec, unit: 'req/s', baseline: f.plainReqPerSec, baselineLabel: 'plain autocannon, one request', ratio: f.machineryRatio },
          ],
        };
      } finally {
        sink.stop();
      }
    },
  },
  'fault-proxy': {
    title: 'Fault proxy (clean path) vs a direct connection',
    run: async (quick) => {
      const { benchFaultProxy } = await import('./fault-proxy.js');
      const f = await benchFaultProxy(quick ? { durationSec: 0.6, sequentialRequests: 100 } : { durationSec: 3, sequentialRequests: 2_000 });
      return {
        raw: f,
        figures: [
          { id: 'proxy.rps', figure: 'fault proxy req/s', value: f.reqPerSec.faultProxy, unit: 'req/s', baseline: f.reqPerSec.direct, baselineLabel: 'direct', ratio: f.faultProxyRatio, target: '≥ 0.55×', pass: f.faultProxyRatio >= 0.55 },
          { id: 'proxy.cpu', figure: 'fault proxy req per CPU-second', value: f.reqPerCpuSec.faultProxy, unit: 'req/cpu-s', baseline: f.reqPerCpuSec.direct, baselineLabel: 'direct', ratio: f.cpuEfficiencyRatio.faultProxy, note: 'steadier than req/s on a shared machine' },
          { id: 'proxy.p50', figure: 'fault proxy sequential p50 (added)', value: f.faultProxyAddedMs.p50, unit: 'ms added', baseline: f.latencyMs.direct.p50, baselineLabel: 'direct p50 ms', ratio: ratio(f.latencyMs.faultProxy.p50, f.latencyMs.direct.p50), target: '< 0.1 ms added', pass: f.faultProxyAddedMs.p50 < 0.1 },
        ],
      };
    },
  },
  'standard-run': {
    title: 'Full standard run of the careful example (built CLI, child process)',
    run: async (_quick, signal) => {
      const { benchStandardRun, benchCliBaseline } = await import('./standard-run.js');
      const base = await benchCliBaseline();
      const f = await benchStandardRun({ signal });
      const certified = f.verdict === 'certified';
      return {
        raw: { run: f, baseline: base },
        message: certified ? undefined : `the careful example was not certified (verdict ${f.verdict}, exit ${f.exitCode})`,
        figures: [
          { id: 'run.wall', figure: `standard run wall time (${f.scenarios} scenarios)`, value: f.wallMs / 1000, unit: 's', baseline: base.wallMs / 1000, baselineLabel: 'gauntlet validate (CLI start)', ratio: ratio(f.wallMs, base.wallMs), target: '< 30 s', pass: f.wallMs < 30_000 && certified },
          { id: 'run.rss', figure: 'standard run peak RSS (harness process)', value: f.peakRssMb, unit: 'MB', baseline: base.peakRssMb, baselineLabel: 'gauntlet validate', ratio: ratio(f.peakRssMb, base.peakRssMb), target: '< 300 MB', pass: f.peakRssMb < 300 },
        ],
      };
    },
  },
};

/** Median time to a listening bare node:http server on 127.0.0.1 (ms), closed after each start. */
async function bareServerStartMs(runs: number): Promise<number> {
  const { createServer } = await import('node:http');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    times.push(performance.now() - t0);
    await new Promise((r) => server.close(r));
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]! * 1000) / 1000;
}

function withLimit<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} exceeded its ${Math.round(ms / 1000)} s limit`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

export async function runBench(opts: BenchOptions = {}): Promise<BenchResults> {
  const out = opts.out ?? process.stdout;
  const quick = opts.quick ?? false;
  const only = opts.only?.length ? opts.only : [...SECTION_IDS];
  const unknown = only.filter((s) => !(SECTION_IDS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`unknown bench section(s): ${unknown.join(', ')}; sections: ${SECTION_IDS.join(', ')}`);
  const limitMs = opts.sectionLimitMs ?? (quick ? 60_000 : 150_000);
  const started = Date.now();
  const loadBefore = round2(loadavg()[0] ?? 0);
  const sections: BenchSection[] = [];
  out.write(`gauntlet bench${quick ? ' (quick: figures are noise)' : ''} · ${availableParallelism()} cpus · load ${loadBefore} · node ${process.version}\n`);

  if (only.includes('standard-run') && opts.build !== false) {
    const { distIsStale, buildDist } = await import('./standard-run.js');
    if (await distIsStale()) {
      out.write('building dist/ for the standard run (npm run build)…\n');
      await buildDist().catch((e: unknown) => out.write(`build failed: ${e instanceof Error ? e.message : String(e)}; using dist/ as it is\n`));
    }
  }

  const deadline = started + (opts.totalBudgetMs ?? 285_000);
  for (const id of SECTION_IDS) {
    if (!only.includes(id)) continue;
    const s = SECTIONS[id];
    const t0 = Date.now();
    const left = deadline - t0;
    if (left < 15_000) {
      sections.push({ id, title: s.title, status: 'skipped', message: `not started: ${Math.max(0, Math.round(left / 1000))} s left of the bench's total budget`, durationMs: 0, figures: [] });
      out.write(`· ${s.title}: skipped (budget)\n`);
      continue;
    }
    out.write(`· ${s.title}…`);
    const ac = new AbortController();
    const onOuter = () => ac.abort();
    opts.signal?.addEventListener('abort', onOuter, { once: true });
    try {
      const r = await withLimit(s.run(quick, ac.signal), Math.min(limitMs, left), id);
      sections.push({ id, title: s.title, status: 'ok', durationMs: Date.now() - t0, figures: r.figures, raw: r.raw, ...(r.message ? { message: r.message } : {}) });
    } catch (e) {
      ac.abort();
      const na = e instanceof NotAvailable;
      sections.push({ id, title: s.title, status: na ? 'not available' : 'error', message: e instanceof Error ? e.message : String(e), durationMs: Date.now() - t0, figures: [] });
    } finally {
      opts.signal?.removeEventListener('abort', onOuter);
    }
    out.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }

  const results: BenchResults = {
    kind: 'gauntlet-bench',
    version: 1,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    quick,
    machine: { cpus: availableParallelism(), loadBefore, loadAfter: round2(loadavg()[0] ?? 0), node: process.version, platform: process.platform },
    sections,
  };
  const dir = opts.resultsDir ?? path.join(BENCH_DIR, 'results');
  const previous = await readFile(path.join(dir, 'latest.json'), 'utf8').then((t) => JSON.parse(t) as BenchResults).catch(() => undefined);
  out.write(renderTable(results, previous));
  await mkdir(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const text = `${JSON.stringify(results, null, 2)}\n`;
  await writeFile(path.join(dir, `${stamp}.json`), text);
  const tmp = path.join(dir, `latest.json.${process.pid}.tmp`);
  await writeFile(tmp, text);
  await rename(tmp, path.join(dir, 'latest.json'));
  out.write(`results: ${path.join(dir, `${stamp}.json`)} (and latest.json) · ${(results.durationMs / 1000).toFixed(1)} s\n`);
  return results;
}

/** The table, plus the change against the previous latest.json when there is one. */
export function renderTable(r: BenchResults, previous?: BenchResults): string {
  const prev = new Map<string, BenchFigure>();
  for (const s of previous?.sections ?? []) for (const f of s.figures) prev.set(f.id, f);
  const rows: string[][] = [['figure', 'value', 'baseline', 'ratio', 'target', 'result', ...(previous ? ['change'] : [])]];
  const lines: string[] = [];
  for (const s of r.sections) {
    if (s.status !== 'ok') {
      lines.push(`${s.id}: ${s.status}${s.message ? ` — ${s.message}` : ''}`);
      continue;
    }
    if (s.message) lines.push(`${s.id}: ${s.message}`);
    for (const f of s.figures) {
      const p = prev.get(f.id);
      const change = p && Number.isFinite(p.value) && p.value !== 0 ? `${f.value >= p.value ? '+' : ''}${(((f.value - p.value) / Math.abs(p.value)) * 100).toFixed(1)}% (was ${fmt(p.value)})` : p ? `was ${fmt(p.value)}` : 'new';
      rows.push([
        f.figure,
        `${fmt(f.value)} ${f.unit}`.trim(),
        f.baseline === undefined ? '-' : `${fmt(f.baseline)}${f.baselineLabel ? ` (${f.baselineLabel})` : ''}`,
        f.ratio === undefined || !Number.isFinite(f.ratio) ? '-' : `${fmt(f.ratio)}×`,
        f.target ?? 'info',
        f.pass === undefined ? '-' : f.pass ? 'PASS' : 'FAIL',
        ...(previous ? [change] : []),
      ]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.min(60, Math.max(...rows.map((row) => row[i]!.length))));
  const table = rows.map((row) => row.map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!))).join('  ').trimEnd());
  table.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const failed = r.sections.flatMap((s) => s.figures).filter((f) => f.pass === false).length;
  const summary = `${r.sections.flatMap((s) => s.figures).filter((f) => f.pass === true).length} targets met, ${failed} missed${r.machine.loadBefore > r.machine.cpus ? ` (machine load ${r.machine.loadBefore} on ${r.machine.cpus} cpus: figures are noisy)` : ''}`;
  return `\n${table.join('\n')}\n${lines.length ? `\n${lines.join('\n')}\n` : ''}\n${summary}\n`;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return String(Math.round(n));
  if (Math.abs(n) >= 1) return String(Math.round(n * 100) / 100);
  return String(Math.round(n * 1000) / 1000);
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function parseArgs(argv: string[]): BenchOptions {
  const o: BenchOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') o.quick = true;
    else if (a === '--no-build') o.build = false;
    else if (a === '--only') o.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a.startsWith('--only=')) o.only = a.slice(7).split(',').filter(Boolean);
    else if (a === '--results-dir') o.resultsDir = path.resolve(argv[++i] ?? '');
    else throw new Error(`unknown argument ${a}; use --quick, --only a,b, --no-build, --results-dir DIR`);
  }
  return o;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // Whatever a section leaves behind, the bench as a whole ends within its budget.
  const watchdog = setTimeout(() => {
    process.stderr.write('[bench] over the 5-minute budget: stopping\n');
    process.exit(1);
  }, 330_000);
  watchdog.unref();
  // Exit explicitly: a section cut off at its limit may leave timers behind; its processes were told to stop.
  runBench(parseArgs(process.argv.slice(2))).then(
    (r) => process.exit(r.sections.some((s) => s.status === 'error') ? 1 : 0),
    (e: unknown) => {
      process.stderr.write(`[bench] ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(2);
    },
  );
}
