/**
 * What the per-delivery benches share: a sink process, a scenario context wired to it the
 * way the runner wires one (sender, recorder, response tap), a timed plain POST baseline,
 * and the statistics helpers.
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Manifest } from '../../harness/manifest/types.js';
import type { ScenarioContext } from '../../harness/runner/context.js';
import type { StartedSandbox } from '../../harness/sandbox/types.js';
import type { WebhookSender } from '../../harness/webhooks/sender.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REQUEST_TIMEOUT_MS = 5_000;
const CHILD_START_TIMEOUT_MS = 15_000;

/** Starts bench/lib/sink.ts answering `status`; `stop` kills it. */
export function startSink(status: 200 | 401 = 200): Promise<{ port: number; stop: () => void }> {
  const child = fork(fileURLToPath(new URL('./sink.ts', import.meta.url)), ['--status', String(status)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const stop = () => child.kill('SIGKILL');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`bench sink did not start within ${CHILD_START_TIMEOUT_MS} ms`));
    }, CHILD_START_TIMEOUT_MS);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve({ port: Number(m), stop });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench sink exited early (code ${code})`));
    });
  });
}

export interface BenchContext {
  ctx: ScenarioContext;
  manifest: Manifest;
  sandbox: StartedSandbox;
  port: number;
  /** A keep-alive agent with one socket, for the plain baseline. */
  agent: Agent;
  close(): Promise<void>;
}

/** The careful example's manifest, an embedded sandbox, a sink answering `status`, and a scenario context on them. */
export async function benchContext(scenarioId: string, status: 200 | 401): Promise<BenchContext> {
  const { loadManifest } = await import('../../harness/manifest/load.js');
  const { EmbeddedSandbox } = await import('../../harness/sandbox/embedded.js');
  const { ScenarioContext } = await import('../../harness/runner/context.js');
  const { RunRecorder } = await import('../../harness/runner/recorder.js');
  const { SyntheticData } = await import('../../harness/data/synthetic.js');
  const { WebhookSender } = await import('../../harness/webhooks/sender.js');
  const manifest = await loadManifest(path.join(ROOT, 'examples/connectors/careful/connector.yaml'));
  const sink = await startSink(status);
  const sandbox = await new EmbeddedSandbox(manifest).withSeed(1).start();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const baseUrl = `http://127.0.0.1:${sink.port}`;
  const sender: WebhookSender = new WebhookSender({ baseUrl, path: manifest.webhooks.path, timeoutMs: REQUEST_TIMEOUT_MS, maxSockets: 1 });
  const connector = { baseUrl, port: sink.port, logs: undefined as never, exitInfo: () => undefined, checkHealth: async () => true, stop: async () => undefined };
  const ctx = new ScenarioContext({
    manifest,
    manifestArg: 'bench',
    scenarioId,
    runSeed: 1,
    data: new SyntheticData(1),
    sandbox,
    sender: () => sender,
    connector: () => connector,
    signal: new AbortController().signal,
    recorder: new RunRecorder(Date.now()),
    now: Date.now,
    startExtraConnector: () => Promise.reject(new Error('not in this bench')),
    senderFor: () => sender,
    settleMaxMs: 1_000,
    onResponse: () => undefined,
  });
  return {
    ctx,
    manifest,
    sandbox,
    port: sink.port,
    agent,
    close: async () => {
      sender.close();
      agent.destroy();
      sink.stop();
      await sandbox.stop();
    },
  };
}

/** One plain keep-alive POST of exact bytes; resolves to its wall time in ms. */
export function timedPost(port: number, urlPath: string, headers: Record<string, string>, body: Buffer, agent: Agent): Promise<number> {
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

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : Number.NaN;
}
export const r2 = (n: number) => Math.round(n * 100) / 100;
export const r3 = (n: number) => Math.round(n * 1000) / 1000;
