/**
 * Throughput of the mock server against two baselines:
 *  - bare: a node:http hello server (the ceiling),
 *  - served: the hub's `GET /v1/health` handler served by `serveHandlers` (auth lookup, fault
 *    check, ledger entry per call: the real per-call work of the sandbox),
 *  - plain: one minimal msw handler served by `serveHandlers` (the server's own overhead),
 *  - msw: the same handler answered through msw's `getResponse` on a plain node:http server.
 * Each target runs in its own child process so the load generator does not share its event loop.
 *
 * Run alone: `node --import tsx bench/mocks.ts`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export type MockBenchTarget = 'bare' | 'served' | 'plain' | 'msw';

export interface MockBenchFigures {
  durationSec: number;
  connections: number;
  reqPerSec: Record<MockBenchTarget, number>;
  /** served / bare: the target is >= 0.5. */
  servedRatio: number;
  /** plain / bare: serveHandlers without the hub's per-call work. */
  plainRatio: number;
  /** msw getResponse / bare, for comparison. */
  mswRatio: number;
  non2xx: Record<MockBenchTarget, number>;
  /**
   * Server CPU microseconds per request. On a shared, loaded machine req/s mostly
   * measures contention; CPU per request does not, so its ratios are the steadier figure.
   */
  cpuMicrosPerRequest: Record<MockBenchTarget, number>;
  /** bare cpu / served cpu: the throughput ratio a CPU-bound server would reach. */
  servedCpuRatio: number;
  mswCpuRatio: number;
}

const TARGETS: MockBenchTarget[] = ['bare', 'served', 'plain', 'msw'];
const CHILD_START_TIMEOUT_MS = 15_000;

/**
 * Run the three targets for ~durationSec each, interleaved in `rounds` slices so a
 * shared machine's load drifts over all of them alike; figures are per-target medians.
 */
export async function benchMocks(opts: { durationSec?: number; connections?: number; rounds?: number } = {}): Promise<MockBenchFigures> {
  const durationSec = opts.durationSec ?? 3;
  const connections = opts.connections ?? 10;
  const rounds = Math.max(1, opts.rounds ?? 3);
  const slice = durationSec / rounds;
  const started = new Map<MockBenchTarget, { child: ChildProcess; url: string }>();
  const rps: Record<MockBenchTarget, number[]> = { bare: [], served: [], plain: [], msw: [] };
  const cpuPer: Record<MockBenchTarget, number[]> = { bare: [], served: [], plain: [], msw: [] };
  const non2xx: Record<MockBenchTarget, number> = { bare: 0, served: 0, plain: 0, msw: 0 };
  try {
    for (const target of TARGETS) {
      const t = await startTarget(target);
      started.set(target, t);
      // Short warm-up so JIT state is comparable between targets.
      await autocannon({ url: t.url + pathFor(target), connections, duration: 0.5 });
    }
    for (let round = 0; round < rounds; round++) {
      for (const target of TARGETS) {
        const { child, url } = started.get(target) as { child: ChildProcess; url: string };
        const before = await childCpu(child);
        const result = await autocannon({ url: url + pathFor(target), connections, duration: slice });
        const after = await childCpu(child);
        rps[target].push(result.requests.total / slice);
        cpuPer[target].push((after - before) / Math.max(1, result.requests.total));
        non2xx[target] += result.non2xx + result.errors;
      }
    }
  } finally {
    for (const { child } of started.values()) child.kill('SIGKILL');
  }
  const reqPerSec = {} as Record<MockBenchTarget, number>;
  const cpu = {} as Record<MockBenchTarget, number>;
  for (const t of TARGETS) {
    reqPerSec[t] = Math.round(median(rps[t]));
    cpu[t] = round1(median(cpuPer[t]));
  }
  return {
    durationSec,
    connections,
    reqPerSec,
    servedRatio: round2(reqPerSec.served / reqPerSec.bare),
    plainRatio: round2(reqPerSec.plain / reqPerSec.bare),
    mswRatio: round2(reqPerSec.msw / reqPerSec.bare),
    non2xx,
    cpuMicrosPerRequest: cpu,
    servedCpuRatio: round2(cpu.bare / cpu.served),
    mswCpuRatio: round2(cpu.bare / cpu.msw),
  };
}

function pathFor(target: MockBenchTarget): string {
  return target === 'bare' ? '/' : '/v1/health';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The child's CPU time so far (user + system, microseconds). */
function childCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bench target did not report its CPU time')), 5000);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(Number(m));
    });
    child.send('cpu');
  });
}

async function startTarget(target: MockBenchTarget): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', target], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench target ${target} did not start within ${CHILD_START_TIMEOUT_MS} ms`));
    }, CHILD_START_TIMEOUT_MS);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(String(m));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench target ${target} exited early (code ${code})`));
    });
  });
  return { child, url };
}

/** Child side: serve one target and report its URL to the parent. */
async function serveTarget(target: MockBenchTarget): Promise<string> {
  if (target === 'bare') {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  if (target === 'plain') {
    const { serveHandlers, TextBodyResponse } = await import('../mocks/serve-handlers.js');
    const { http } = await import('msw');
    const plain = [http.get('/v1/health', () => new TextBodyResponse('{"status":"ok"}', { headers: { 'Content-Type': 'application/json' } }))];
    return (await serveHandlers(plain, { onUnhandled: () => undefined, maxBodyBytes: 1 << 20 })).url;
  }
  const handlers = await hubHandlers();
  if (target === 'served') {
    const { serveHandlers } = await import('../mocks/serve-handlers.js');
    const served = await serveHandlers(handlers, { onUnhandled: () => undefined, maxBodyBytes: 1 << 20 });
    return served.url;
  }
  const { getResponse } = await import('msw');
  const server = createServer((req, res) => {
    void (async () => {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const response = await getResponse(handlers, toRequest(req, origin), { baseUrl: origin });
      if (!response) {
        res.writeHead(500).end();
        return;
      }
      const headers: Record<string, string> = {};
      response.headers.forEach((v, k) => (headers[k] = v));
      res.writeHead(response.status, headers);
      res.end(Buffer.from(await response.arrayBuffer()));
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function hubHandlers() {
  const { createHub } = await import('../mocks/hub.js');
  const { Ledger } = await import('../harness/model/ledger.js');
  const { generateRunSecrets } = await import('../harness/sandbox/secrets.js');
  return createHub({ ledger: new Ledger(), secrets: generateRunSecrets('standard-webhooks'), scopesAllowed: ['payments:read'] }).handlers;
}

function toRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  return new Request(origin + (req.url ?? '/'), { method: req.method, headers });
}

const serveIdx = process.argv.indexOf('--serve');
if (serveIdx !== -1) {
  const target = process.argv[serveIdx + 1] as MockBenchTarget;
  void serveTarget(target).then((url) => process.send?.(url));
  process.on('message', () => {
    const u = process.cpuUsage();
    process.send?.(String(u.user + u.system));
  });
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  void benchMocks().then((f) => {
    for (const t of TARGETS) console.log(`${t.padEnd(7)} ${String(f.reqPerSec[t]).padStart(7)} req/s  (non-2xx/errors: ${f.non2xx[t]})`);
    for (const t of TARGETS) console.log(`${t.padEnd(7)} ${String(f.cpuMicrosPerRequest[t]).padStart(7)} server CPU µs/request`);
    console.log(`req/s ratio:  served/bare = ${f.servedRatio}   plain/bare = ${f.plainRatio}   msw getResponse/bare = ${f.mswRatio}`);
    console.log(`CPU ratio:    served/bare = ${f.servedCpuRatio}   plain/bare = ${round2(f.cpuMicrosPerRequest.bare / f.cpuMicrosPerRequest.plain)}   msw getResponse/bare = ${f.mswCpuRatio}`);
  });
}
