/**
 * Cost of the fault proxy's clean path (no toxics) on loopback HTTP:
 *  - throughput (autocannon) against a bare node:http server: direct, through the fault
 *    proxy, and through a plain `net` pipe proxy (the peer baseline: the best a Node TCP
 *    relay does here);
 *  - added latency of sequential keep-alive requests (p50, p99) through each proxy.
 * The upstream server and each proxy run in their own child process, so the load generator
 * does not share their event loop.
 *
 * Run alone: `node --import tsx bench/fault-proxy.ts`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, createServer as createHttpServer, request } from 'node:http';
import { createServer, connect, type AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export type ProxyBenchTarget = 'direct' | 'faultProxy' | 'pipe';

export interface FaultProxyBenchFigures {
  durationSec: number;
  connections: number;
  reqPerSec: Record<ProxyBenchTarget, number>;
  /** faultProxy / direct throughput: the target is >= 0.55. */
  faultProxyRatio: number;
  /** pipe / direct throughput: what a plain Node relay reaches (peer baseline). */
  pipeRatio: number;
  /**
   * Requests per CPU-second spent by all bench processes (load generator, server, proxy).
   * Unlike req/s this barely moves when other work shares the machine, where more
   * processes simply win more CPU share and wall-clock ratios turn meaningless.
   */
  reqPerCpuSec: Record<ProxyBenchTarget, number>;
  /** faultProxy / direct and pipe / direct, per CPU-second. */
  cpuEfficiencyRatio: { faultProxy: number; pipe: number };
  sequentialRequests: number;
  /** Per-request latency of sequential keep-alive requests, ms. */
  latencyMs: Record<ProxyBenchTarget, { p50: number; p99: number }>;
  /** Latency the fault proxy adds over direct, ms: the p50 target is < 0.1. */
  faultProxyAddedMs: { p50: number; p99: number };
  /** Latency the plain pipe adds over direct, ms. */
  pipeAddedMs: { p50: number; p99: number };
  errors: Record<ProxyBenchTarget, number>;
  /** 1-minute load average before and after, over `cpus` cores: figures from a busy machine are noise. */
  machine: { cpus: number; loadBefore: number; loadAfter: number };
}

const TARGETS: ProxyBenchTarget[] = ['direct', 'faultProxy', 'pipe'];
const CHILD_START_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 5_000;
const SEQUENTIAL_BUDGET_MS = 60_000;
const ROUNDS = 3;
const LATENCY_BLOCK = 100;

export async function benchFaultProxy(
  opts: { durationSec?: number; connections?: number; sequentialRequests?: number } = {},
): Promise<FaultProxyBenchFigures> {
  const durationSec = opts.durationSec ?? 3;
  const connections = opts.connections ?? 10;
  const sequentialRequests = opts.sequentialRequests ?? 2000;
  const children: ChildProcess[] = [];
  const loadBefore = round2(loadavg()[0] ?? 0);
  try {
    const upstream = await startChild(['upstream'], children);
    const ports: Record<ProxyBenchTarget, number> = {
      direct: upstream,
      faultProxy: await startChild(['faultProxy', String(upstream)], children),
      pipe: await startChild(['pipe', String(upstream)], children),
    };
    const reqPerSec = {} as Record<ProxyBenchTarget, number>;
    const errors = {} as Record<ProxyBenchTarget, number>;
    const requests = { direct: 0, faultProxy: 0, pipe: 0 };
    const cpuMs = { direct: 0, faultProxy: 0, pipe: 0 };
    for (const target of TARGETS) {
      errors[target] = 0;
      await autocannon({ url: `http://127.0.0.1:${ports[target]}/`, connections, duration: 0.5 }); // warm-up
    }
    // Rounds interleave the targets, so load from elsewhere on the machine hits all of them alike.
    const roundSec = durationSec / ROUNDS;
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of TARGETS) {
        const cpuBefore = await totalCpuMs(children);
        const result = await autocannon({ url: `http://127.0.0.1:${ports[target]}/`, connections, duration: roundSec });
        cpuMs[target] += (await totalCpuMs(children)) - cpuBefore;
        requests[target] += result.requests.total;
        errors[target] += result.non2xx + result.errors + result.timeouts;
      }
    }
    const reqPerCpuSec = {} as Record<ProxyBenchTarget, number>;
    for (const target of TARGETS) {
      reqPerSec[target] = Math.round(requests[target] / durationSec);
      reqPerCpuSec[target] = Math.round(requests[target] / (cpuMs[target] / 1000));
    }
    const latencyMs = await sequentialLatency(ports, sequentialRequests);
    const added = (t: ProxyBenchTarget) => ({
      p50: round3(latencyMs[t].p50 - latencyMs.direct.p50),
      p99: round3(latencyMs[t].p99 - latencyMs.direct.p99),
    });
    return {
      durationSec,
      connections,
      reqPerSec,
      faultProxyRatio: round2(reqPerSec.faultProxy / reqPerSec.direct),
      pipeRatio: round2(reqPerSec.pipe / reqPerSec.direct),
      reqPerCpuSec,
      cpuEfficiencyRatio: {
        faultProxy: round2(reqPerCpuSec.faultProxy / reqPerCpuSec.direct),
        pipe: round2(reqPerCpuSec.pipe / reqPerCpuSec.direct),
      },
      sequentialRequests,
      latencyMs,
      faultProxyAddedMs: added('faultProxy'),
      pipeAddedMs: added('pipe'),
      errors,
      machine: { cpus: availableParallelism(), loadBefore, loadAfter: round2(loadavg()[0] ?? 0) },
    };
  } finally {
    for (const child of children) child.kill('SIGKILL');
  }
}

/**
 * `count` GETs per target, one after another on one keep-alive socket per target, in
 * interleaved blocks (same reason as the throughput rounds), after a short warm-up.
 */
async function sequentialLatency(
  ports: Record<ProxyBenchTarget, number>,
  count: number,
): Promise<Record<ProxyBenchTarget, { p50: number; p99: number }>> {
  const agents = Object.fromEntries(TARGETS.map((t) => [t, new Agent({ keepAlive: true, maxSockets: 1 })])) as Record<ProxyBenchTarget, Agent>;
  const times = { direct: [] as number[], faultProxy: [] as number[], pipe: [] as number[] };
  const deadline = Date.now() + SEQUENTIAL_BUDGET_MS;
  try {
    for (const t of TARGETS) for (let i = 0; i < 200; i++) await timedGet(ports[t], agents[t]);
    while (times.direct.length < count && Date.now() < deadline) {
      for (const t of TARGETS) for (let i = 0; i < LATENCY_BLOCK; i++) times[t].push(await timedGet(ports[t], agents[t]));
    }
  } finally {
    for (const agent of Object.values(agents)) agent.destroy();
  }
  const percentiles = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q: number) => round3(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
    return { p50: at(0.5), p99: at(0.99) };
  };
  return { direct: percentiles(times.direct), faultProxy: percentiles(times.faultProxy), pipe: percentiles(times.pipe) };
}

function timedGet(port: number, agent: Agent): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve(Number(process.hrtime.bigint() - start) / 1e6));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** CPU time (user + system, ms) of this process and every child so far. */
async function totalCpuMs(children: ChildProcess[]): Promise<number> {
  const own = process.cpuUsage();
  const theirs = await Promise.all(children.map((child) => askCpu(child)));
  return (own.user + own.system) / 1000 + theirs.reduce((a, b) => a + b, 0);
}

function askCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench child ${child.pid} did not report CPU in time`)), CHILD_START_TIMEOUT_MS);
    const onMessage = (m: unknown): void => {
      if (typeof m !== 'object' || m === null || !('cpuMs' in m)) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(Number((m as { cpuMs: number }).cpuMs));
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const round3 = (n: number): number => Math.round(n * 1000) / 1000;

async function startChild(args: string[], children: ChildProcess[]): Promise<number> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', ...args], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench child ${args[0]} did not start within ${CHILD_START_TIMEOUT_MS} ms`)), CHILD_START_TIMEOUT_MS);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(Number(m)); // the first message is the port
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench child ${args[0]} exited early (code ${code})`));
    });
  });
}

/** Child side: serve one role on an ephemeral port and report the port to the parent. */
async function serve(role: string, upstreamPort: number): Promise<number> {
  if (role === 'upstream') {
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as AddressInfo).port;
  }
  if (role === 'faultProxy') {
    const { startFaultProxy } = await import('../mocks/fault-proxy/index.js');
    const fp = await startFaultProxy({ apiPort: 0 });
    const proxy = await fp.createProxy({ name: 'bench', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}` });
    return Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1));
  }
  // The peer baseline: the simplest correct Node TCP relay.
  const server = createServer({ noDelay: true }, (client) => {
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort, noDelay: true });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const serveIdx = process.argv.indexOf('--serve');
if (serveIdx !== -1) {
  // The parent kills children with SIGKILL; also leave if it dies first.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m) => {
    if (m !== 'cpu') return;
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuMs: (user + system) / 1000 });
  });
  void serve(process.argv[serveIdx + 1] ?? '', Number(process.argv[serveIdx + 2])).then((port) => process.send?.(port));
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  void benchFaultProxy().then((f) => {
    for (const t of TARGETS) {
      const l = f.latencyMs[t];
      console.log(`${t.padEnd(10)} ${String(f.reqPerSec[t]).padStart(7)} req/s   sequential p50 ${l.p50} ms  p99 ${l.p99} ms   (errors: ${f.errors[t]})`);
    }
    console.log(`throughput  faultProxy/direct = ${f.faultProxyRatio} (target >= 0.55)   pipe/direct = ${f.pipeRatio}`);
    console.log(
      `per CPU-second: direct ${f.reqPerCpuSec.direct}, faultProxy ${f.reqPerCpuSec.faultProxy}, pipe ${f.reqPerCpuSec.pipe} req  ` +
        `→ faultProxy/direct = ${f.cpuEfficiencyRatio.faultProxy}, pipe/direct = ${f.cpuEfficiencyRatio.pipe}`,
    );
    console.log(`added latency faultProxy: p50 ${f.faultProxyAddedMs.p50} ms (target < 0.1)  p99 ${f.faultProxyAddedMs.p99} ms`);
    console.log(`added latency pipe:       p50 ${f.pipeAddedMs.p50} ms  p99 ${f.pipeAddedMs.p99} ms`);
    console.log(`machine: ${f.machine.cpus} cpus, load ${f.machine.loadBefore} → ${f.machine.loadAfter}`);
  });
}
