/**
 * Time to a ready sandbox, embedded vs containers, side by side. "Ready" means the
 * connector could be started: services answering, secrets configured, ledger stream
 * open. Containers are measured warm (sandbox image already built, the usual case after
 * the first run) and the first-run image build is reported separately.
 *
 * Run alone: `node --import tsx bench/sandbox-start.ts` (needs a Docker engine for the
 * containers column; without one that column says why it is missing).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifest } from '../harness/manifest/load.js';
import { EmbeddedSandbox } from '../harness/sandbox/embedded.js';
import { ContainersSandbox, type StartTimings } from '../harness/sandbox/containers/containers-sandbox.js';
import { dockerAvailability } from '../harness/sandbox/containers/docker-available.js';

export interface SandboxStartFigures {
  runs: number;
  embeddedMs: { median: number; min: number; max: number };
  containers: { median: number; min: number; max: number; stopMedianMs: number; phases: StartTimings } | { skipped: string };
  /** Redis as a declared service, started alongside (containers only). */
  containersWithRedis?: { median: number } | { skipped: string };
  /** Rows for `npm run bench` (bench/run.ts): the two modes side by side. */
  figures: Array<{ id: string; figure: string; value: number; unit: string; baseline?: number; baselineLabel?: string; ratio?: number; note?: string }>;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: Math.round(s[Math.floor(s.length / 2)]!), min: Math.round(s[0]!), max: Math.round(s[s.length - 1]!) };
};

export async function benchSandboxStart(opts: { rounds?: number; quick?: boolean } = {}): Promise<SandboxStartFigures> {
  const runs = Math.max(1, opts.rounds ?? 3);
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const manifest = await loadManifest(path.join(root, 'examples/connectors/careful/connector.yaml'));
  const embedded: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const s = await new EmbeddedSandbox(manifest).withSeed(i).start();
    embedded.push(performance.now() - t0);
    await s.stop();
  }
  const out: SandboxStartFigures = { runs, embeddedMs: stats(embedded), containers: { skipped: '' }, figures: [] };
  out.figures.push({ id: 'sandbox-start.embedded', figure: 'time to a ready sandbox: embedded (median)', value: out.embeddedMs.median, unit: 'ms' });
  const docker = await dockerAvailability();
  if (!docker.ok) {
    out.containers = { skipped: docker.reason };
    out.figures.push({ id: 'sandbox-start.containers', figure: 'time to a ready sandbox: containers', value: Number.NaN, unit: 'ms', note: `skipped: ${docker.reason}` });
    return out;
  }
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.GAUNTLET_IMAGE_REDIS ??= 'gauntlet-base/redis:7';
  // Warm-up: builds the sandbox image when this harness build has none yet.
  const warm = await new ContainersSandbox(manifest).start();
  await warm.stop();
  const starts: number[] = [];
  const stops: number[] = [];
  let phases = warm.timings;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const s = await new ContainersSandbox(manifest).withSeed(i).start();
    starts.push(performance.now() - t0);
    phases = s.timings;
    const t1 = performance.now();
    await s.stop();
    stops.push(performance.now() - t1);
  }
  out.containers = { ...stats(starts), stopMedianMs: stats(stops).median, phases: { ...phases, ...{ sweepMs: Math.round(phases.sweepMs), imageMs: Math.round(phases.imageMs), servicesContainerMs: Math.round(phases.servicesContainerMs), dependenciesMs: Math.round(phases.dependenciesMs), totalMs: Math.round(phases.totalMs) } } };
  const withRedis = { ...manifest, services: ['redis' as const] };
  const r: number[] = [];
  for (let i = 0; i < Math.min(runs, 2); i++) {
    const t0 = performance.now();
    const s = await new ContainersSandbox(withRedis).start();
    r.push(performance.now() - t0);
    await s.stop();
  }
  out.containersWithRedis = { median: stats(r).median };
  const cm = (out.containers as { median: number }).median;
  out.figures.push({ id: 'sandbox-start.containers', figure: 'time to a ready sandbox: containers (median, image built)', value: cm, unit: 'ms', baseline: out.embeddedMs.median, baselineLabel: 'embedded', ratio: cm / Math.max(1, out.embeddedMs.median), note: `first run also builds the sandbox image: ${Math.round(warm.timings.imageMs)} ms` });
  out.figures.push({ id: 'sandbox-start.containers-redis', figure: 'time to a ready sandbox: containers + redis service (median)', value: out.containersWithRedis.median, unit: 'ms', baseline: cm, baselineLabel: 'containers' });
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const f = await benchSandboxStart();
  const c = 'skipped' in f.containers ? `skipped (${f.containers.skipped})` : `${f.containers.median} ms (min ${f.containers.min}, max ${f.containers.max}; stop ${f.containers.stopMedianMs} ms)`;
  console.log(`time to a ready sandbox over ${f.runs} runs: embedded ${f.embeddedMs.median} ms | containers ${c}`);
  if (f.containersWithRedis && 'median' in f.containersWithRedis) console.log(`containers + redis service: ${f.containersWithRedis.median} ms`);
  if (!('skipped' in f.containers)) console.log(`containers phases: ${JSON.stringify(f.containers.phases)}`);
}
