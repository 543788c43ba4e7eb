/**
 * Per-delivery overhead of the scenario runner against plain HTTP:
 *  - plain: `node:http` POSTs of one pre-signed delivery (exact bytes and headers) over a
 *    keep-alive socket, one after another;
 *  - runner: what a scenario does per delivery: `ctx.sign(event)` then `ctx.deliver(d)`
 *    (WebhookSender with its caps and deadline, the run recorder, the response tap), over
 *    the same kind of socket, against the same server;
 *  - deliver only: `ctx.deliver(d)` of a pre-signed delivery, to split signing from sending.
 * The server is a node:http webhook sink in a child process, so the client's event loop
 * is the only one measured. Blocks interleave so machine load drifts over both alike.
 *
 * Run alone: `node --import tsx bench/runner-overhead.ts`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RunnerOverheadFigures {
  deliveries: number;
  /** Median per-delivery time (ms). */
  plainMs: number;
  runnerMs: number;
  deliverOnlyMs: number;
  /** runner / plain: the target is <= 1.25. */
  ratio: number;
  deliverOnlyRatio: number;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BLOCK = 100;
const REQUEST_TIMEOUT_MS = 5_000;
const CHILD_START_TIMEOUT_MS = 15_000;

export async function benchRunnerOverhead(opts: { deliveries?: number; budgetMs?: number } = {}): Promise<RunnerOverheadFigures> {
  const deliveries = opts.deliveries ?? 2_000;
  const deadline = Date.now() + (opts.budgetMs ?? 60_000);
  const { loadManifest } = await import('../harness/manifest/load.js');
  const { EmbeddedSandbox } = await import('../harness/sandbox/embedded.js');
  const { ScenarioContext } = await import('../harness/runner/context.js');
  const { RunRecorder } = await import('../harness/runner/recorder.js');
  const { SyntheticData } = await import('../harness/data/synthetic.js');
  const { WebhookSender } = await import('../harness/webhooks/sender.js');

  const manifest = await loadManifest(path.join(ROOT, 'examples/connectors/careful/connector.yaml'));
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const sandbox = await new EmbeddedSandbox(manifest).withSeed(1).start();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let sender: InstanceType<typeof WebhookSender> | undefined;
  try {
    const port = await childPort(child);
    const baseUrl = `http://127.0.0.1:${port}`;
    sender = new WebhookSender({ baseUrl, path: manifest.webhooks.path, timeoutMs: REQUEST_TIMEOUT_MS, maxSockets: 1 });
    const s = sender;
    const connector = { baseUrl, port, logs: undefined as never, exitInfo: () => undefined, checkHealth: async () => true, stop: async () => undefined };
    const ctx = new ScenarioContext({
      manifest,
      manifestArg: 'bench',
      scenarioId: 'bench-runner-overhead',
      runSeed: 1,
      data: new SyntheticData(1),
      sandbox,
      sender: () => s,
      connector: () => connector,
      signal: new AbortController().signal,
      recorder: new RunRecorder(Date.now()),
      now: Date.now,
      startExtraConnector: () => Promise.reject(new Error('not in this bench')),
      senderFor: () => s,
      settleMaxMs: 1_000,
      onResponse: () => undefined,
    });
    // Events are generated ahead: a scenario builds its inputs outside the delivery path.
    const events = Array.from({ length: BLOCK }, () => ctx.event());
    const fixed = ctx.sign(events[0]!, { label: 'bench' });
    const plainOnce = () => timedPost(port, manifest.webhooks.path, fixed.headers, fixed.body, agent);
    const runnerOnce = async (i: number) => {
      const t = process.hrtime.bigint();
      const d = ctx.sign(events[i % BLOCK]!, { label: 'bench' });
      const o = await ctx.deliver(d, { valid: true });
      if (o.status !== 200) throw new Error(`bench sink answered ${o.status ?? o.error?.kind}`);
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const deliverOnce = async () => {
      const t = process.hrtime.bigint();
      const o = await ctx.deliver(fixed, { valid: true });
      if (o.status !== 200) throw new Error(`bench sink answered ${o.status ?? o.error?.kind}`);
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    for (let i = 0; i < Math.min(200, deliveries); i++) {
      await plainOnce();
      await runnerOnce(i);
      await deliverOnce();
    }
    const plain: number[] = [];
    const runner: number[] = [];
    const deliverOnly: number[] = [];
    // At least one block, however short the budget: a figure from nothing is NaN.
    while (plain.length === 0 || (plain.length < deliveries && Date.now() < deadline)) {
      for (let i = 0; i < BLOCK; i++) plain.push(await plainOnce());
      for (let i = 0; i < BLOCK; i++) runner.push(await runnerOnce(i));
      for (let i = 0; i < BLOCK; i++) deliverOnly.push(await deliverOnce());
    }
    const plainMs = median(plain);
    const runnerMs = median(runner);
    const deliverOnlyMs = median(deliverOnly);
    return { deliveries: plain.length, plainMs: r3(plainMs), runnerMs: r3(runnerMs), deliverOnlyMs: r3(deliverOnlyMs), ratio: r2(runnerMs / plainMs), deliverOnlyRatio: r2(deliverOnlyMs / plainMs) };
  } finally {
    sender?.close();
    agent.destroy();
    child.kill('SIGKILL');
    await sandbox.stop();
  }
}

/** The bench's webhook sink in its own process (reads each body, answers 200 JSON); for other benches too. */
export async function startWebhookSink(): Promise<{ port: number; stop: () => void }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    return { port: await childPort(child), stop: () => child.kill('SIGKILL') };
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
}

function timedPost(port: number, urlPath: string, headers: Record<string, string>, body: Buffer, agent: Agent): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: urlPath, method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve(Number(process.hrtime.bigint() - start) / 1e6));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : Number.NaN;
}
const r2 = (n: number) => Math.round(n * 100) / 100;
const r3 = (n: number) => Math.round(n * 1000) / 1000;

function childPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench sink did not start within ${CHILD_START_TIMEOUT_MS} ms`)), CHILD_START_TIMEOUT_MS);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(Number(m));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench sink exited early (code ${code})`));
    });
  });
}

const serveIdx = process.argv.indexOf('--serve');
if (serveIdx !== -1) {
  process.on('disconnect', () => process.exit(0));
  // A webhook sink: reads the body, answers 200 with a small JSON, like a connector's ack.
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"received":true}');
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  void benchRunnerOverhead().then((f) => console.log(f));
}
