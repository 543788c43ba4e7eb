/**
 * The connector in a container: from `run.image`, built from `run.dockerfile` with
 * `run.buildArgs`, or (`run.command`) its folder mounted read-only into the node base
 * image. Attached only to the run's internal network; the host reaches it through a
 * loopback front and the sandbox container's relay.
 */
import { PassThrough } from 'node:stream';
import { GenericContainer, type StartedTestContainer } from 'testcontainers';
import type Dockerode from 'dockerode';
import path from 'node:path';
import { probeHttp, probeTcp } from '../../driver/health-probe.js';
import { LogCapture } from '../../driver/log-capture.js';
import type { ExitInfo, LogTail, RunningConnector, StartResult } from '../../driver/types.js';
import type { Manifest } from '../../manifest/types.js';
import { startFront, type Front } from './front.js';
import { onInternalNetworkOnly } from './internal-network.js';
import { buildImage, imageFor } from './images.js';

/** Port the connector listens on inside its container when the manifest names none. */
export const DEFAULT_CONTAINER_PORT = 8080;
const HEALTH_POLL_MS = 150;
const STOP_GRACE_S = 3;
/** Host variables the runner passes by default that mean nothing inside a container. */
const HOST_ONLY_ENV = ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT', 'NODE_EXTRA_CA_CERTS'];

export interface ContainerConnectorOptions {
  docker: Dockerode;
  manifest: Manifest;
  env: Record<string, string>;
  alias: string;
  network: string;
  labels: Record<string, string>;
  imageLabels: Record<string, string>;
  /** The run's connector image for dockerfile manifests (built once per run). */
  image: () => Promise<string>;
  relay: { host: string; port: number; token: string; allow: (target: string) => Promise<void> };
  flush: () => Promise<void>;
  idle: () => boolean;
  signal?: AbortSignal;
  logCapBytes?: number;
}

/** Builds the connector image of a dockerfile manifest, tagged and labelled for this run. */
export async function connectorImage(opts: { docker: Dockerode; manifest: Manifest; runId: string; labels: Record<string, string>; signal?: AbortSignal }): Promise<string> {
  const run = opts.manifest.run;
  if (run.image !== undefined) return run.image;
  if (run.dockerfile === undefined) return imageFor('sandboxBase');
  const tag = `gauntlet-connector-${opts.runId.toLowerCase().replace(/[^a-z0-9_.-]/g, '-')}:latest`;
  await buildImage(opts.docker, {
    context: path.dirname(run.dockerfile),
    dockerfile: path.basename(run.dockerfile),
    tag,
    ...(run.buildArgs ? { buildArgs: run.buildArgs } : {}),
    labels: opts.labels,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return tag;
}

export async function startContainerConnector(opts: ContainerConnectorOptions): Promise<StartResult<ContainerConnector>> {
  const t0 = performance.now();
  const run = opts.manifest.run;
  const logs = new LogCapture(opts.logCapBytes !== undefined ? { capBytes: opts.logCapBytes } : {});
  const elapsed = () => performance.now() - t0;
  const port = run.port ?? DEFAULT_CONTAINER_PORT;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env)) if (!(HOST_ONLY_ENV.includes(k) && process.env[k] === v)) env[k] = v;
  env.PORT = String(port);

  let image: string;
  try {
    image = run.image ?? (run.dockerfile !== undefined ? await opts.image() : imageFor('sandboxBase'));
  } catch (err) {
    return { ok: false, reason: 'spawn-failed', message: `connector image: ${err instanceof Error ? err.message : String(err)}`, logs, elapsedMs: elapsed() };
  }

  let container = onInternalNetworkOnly(new GenericContainer(image), opts.network, [opts.alias])
    .withLabels(opts.labels)
    .withEnvironment(env)
    .withStartupTimeout(run.startTimeoutMs);
  if (run.command !== undefined) {
    // Command form: the connector's folder, read-only, in the node base image.
    container = container.withBindMounts([{ source: run.cwd, target: '/app', mode: 'ro' }]).withWorkingDir('/app').withCommand(run.command);
  } else if (run.args !== undefined) container = container.withCommand(run.args);

  let started: StartedTestContainer;
  try {
    started = await container.start();
  } catch (err) {
    return { ok: false, reason: 'spawn-failed', message: `connector container did not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, logs, elapsedMs: elapsed() };
  }
  const handle = opts.docker.getContainer(started.getId());
  const connector = new ContainerConnector(handle, started, logs, run.healthPath);
  await connector.attachLogs(opts.docker);
  try {
    const target = `${opts.alias}:${port}`;
    await opts.relay.allow(target);
    const front = await startFront({ relayHost: opts.relay.host, relayPort: opts.relay.port, token: opts.relay.token, target, flush: opts.flush, idle: opts.idle });
    connector.setFront(front);
  } catch (err) {
    await connector.stop();
    return { ok: false, reason: 'spawn-failed', message: `connector relay: ${err instanceof Error ? err.message : String(err)}`, logs, elapsedMs: elapsed() };
  }

  const deadline = t0 + run.startTimeoutMs;
  for (;;) {
    if (connector.exitInfo() !== undefined) {
      const exit = connector.exitInfo()!;
      await connector.stop();
      return { ok: false, reason: 'exited-during-start', message: `connector container exited during start (code=${exit.code})`, logs, exit, elapsedMs: elapsed() };
    }
    if (opts.signal?.aborted || performance.now() >= deadline) break;
    if (await connector.checkHealth(Math.min(1_000, Math.max(50, deadline - performance.now())))) return { ok: true, connector, startMs: elapsed() };
    await new Promise((r) => setTimeout(r, HEALTH_POLL_MS));
  }
  await connector.stop();
  return { ok: false, reason: 'not-healthy-in-time', message: `connector container not healthy within run.startTimeoutMs (${run.startTimeoutMs} ms)`, logs, elapsedMs: elapsed() };
}

export class ContainerConnector implements RunningConnector {
  private front: Front | undefined;
  private exit: ExitInfo | undefined;
  private stopping: Promise<void> | undefined;
  private logStream: NodeJS.ReadableStream | undefined;

  constructor(
    private readonly handle: Dockerode.Container,
    private readonly started: StartedTestContainer,
    readonly logs: LogCapture & LogTail,
    private readonly healthPath: string | undefined,
  ) {
    // Resolves when the container exits, however that happens.
    void handle.wait().then(
      (r: { StatusCode?: number }) => {
        this.exit ??= { code: r.StatusCode ?? null, signal: null };
      },
      () => undefined,
    );
  }

  get id(): string {
    return this.started.getId();
  }

  get port(): number {
    return this.front?.port ?? 0;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setFront(front: Front): void {
    this.front = front;
  }

  /** Follows the container's stdout/stderr into the capped capture (same caps as process mode). */
  async attachLogs(docker: Dockerode): Promise<void> {
    const stream = (await this.handle.logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream;
    this.logStream = stream;
    const out = new PassThrough();
    const err = new PassThrough();
    docker.modem.demuxStream(stream, out, err);
    this.logs.attach('stdout', out);
    this.logs.attach('stderr', err);
    stream.on('error', () => undefined);
  }

  exitInfo(): ExitInfo | undefined {
    return this.exit;
  }

  async checkHealth(timeoutMs = 2_000): Promise<boolean> {
    if (!this.front || this.exit) return false;
    const r = this.healthPath !== undefined ? await probeHttp(new URL(this.healthPath, this.baseUrl), timeoutMs) : await probeTcp('127.0.0.1', this.port, timeoutMs);
    return r.ok;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.front?.close().catch(() => undefined);
      await this.started.stop({ timeout: STOP_GRACE_S * 1000, remove: true, removeVolumes: true }).catch(() => undefined);
      (this.logStream as { destroy?: () => void } | undefined)?.destroy?.();
      this.exit ??= { code: null, signal: 'SIGTERM' };
    })();
    return this.stopping;
  }
}
