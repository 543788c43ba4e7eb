/**
 * The containers sandbox (`--sandbox containers`): the sandbox services run in a container
 * built from the harness itself, the connector in its own container attached only to an
 * internal Docker network (no route to the host or outside), where the services answer
 * as `hub`, `acquirer` and `egress`, next to its `services` (postgres, redis).
 *
 * Host side, it implements the same StartedSandbox as the embedded one: the Ledger is
 * the host's (fed by the services container's event stream), HubControl/AcquirerControl
 * are forwarded in order. Everything created carries `gauntlet.run-id`/`gauntlet.pid`
 * labels and is removed by label on stop; a sweep at start removes leftovers of dead runs.
 *
 * @example
 * await using sandbox = await new ContainersSandbox(manifest).withSeed(7).start();
 * const started = await sandbox.startConnector(manifest, { ...sandbox.connectorEnv() });
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import type Dockerode from 'dockerode';
import { GauntletError } from '../../errors.js';
import type { Manifest } from '../../manifest/types.js';
import { Ledger } from '../../model/ledger.js';
import type { StartResult } from '../../driver/types.js';
import { DEFAULT_MOCK_MAX_BODY_BYTES } from '../embedded.js';
import { generateRunSecrets } from '../secrets.js';
import type { AcquirerControl, HubControl, RunSecrets, StartedSandbox } from '../types.js';
import { removeRun, sweepDeadRuns, type RemovalReport } from './cleanup.js';
import { startContainerConnector, type ContainerConnector } from './connector-container.js';
import { disableRyukByDefault, requireDocker } from './docker-available.js';
import { ensureSandboxImage } from './images.js';
import { runLabels, type ContainerRole } from './labels.js';
import { CONTROL_TOKEN_ENV, SANDBOX_ALIASES, SANDBOX_PORTS } from './protocol.js';
import { CommandQueue, ControlClient, RemoteState, remoteAcquirerControl, remoteHubControl } from './remote-controls.js';
import { HarnessExposer } from './harness-exposer.js';
import { startServices, type DependencyControl, type StartedServices } from './services.js';

const SANDBOX_START_TIMEOUT_MS = 60_000;

/** Timings of a start, for the bench and for reports. */
export interface StartTimings {
  sweepMs: number;
  imageMs: number;
  imageBuilt: boolean;
  servicesContainerMs: number;
  dependenciesMs: number;
  totalMs: number;
}

export class ContainersSandbox {
  private seed: number | undefined;
  private now: () => number = Date.now;
  private runId: string | undefined;
  private secrets: RunSecrets | undefined;
  private signal: AbortSignal | undefined;

  constructor(private readonly manifest: Manifest) {}

  withSeed(seed: number): this {
    this.seed = seed;
    return this;
  }

  withClock(now: () => number): this {
    this.now = now;
    return this;
  }

  /** Run id for labels (default: a fresh one). */
  withRunId(runId: string): this {
    this.runId = runId;
    return this;
  }

  withSecrets(secrets: RunSecrets): this {
    this.secrets = secrets;
    return this;
  }

  /** Aborting during start stops it early and removes what was created. */
  withSignal(signal: AbortSignal): this {
    this.signal = signal;
    return this;
  }

  async start(): Promise<StartedContainersSandbox> {
    disableRyukByDefault();
    await requireDocker();
    const t0 = performance.now();
    const client = await getContainerRuntimeClient();
    const docker = client.container.dockerode;
    const runId = this.runId ?? `run_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const hostName = os.hostname();
    const labels = (role: ContainerRole) => runLabels(runId, role, hostName);
    const timings: StartTimings = { sweepMs: 0, imageMs: 0, imageBuilt: false, servicesContainerMs: 0, dependenciesMs: 0, totalMs: 0 };
    const aborted = () => {
      if (this.signal?.aborted) throw new GauntletError('GAUNTLET_ERR_SANDBOX_START', 'containers sandbox start interrupted');
    };

    let t = performance.now();
    await sweepDeadRuns(docker);
    timings.sweepMs = performance.now() - t;

    const parts: Partial<Parts> = { docker, runId, labels };
    try {
      t = performance.now();
      const image = await ensureSandboxImage(docker, this.signal ? { signal: this.signal } : {});
      timings.imageMs = performance.now() - t;
      timings.imageBuilt = image.built;
      aborted();

      const networkName = `gauntlet-${runId}`;
      const network = await docker.createNetwork({ Name: networkName, Driver: 'bridge', Internal: true, CheckDuplicate: true, Labels: labels('network') });
      parts.networkName = networkName;
      parts.networkId = network.id;

      t = performance.now();
      const token = randomBytes(24).toString('base64url');
      const servicesPromise =
        this.manifest.services.length > 0 ? startServices({ kinds: this.manifest.services, network: networkName, labels: labels('service'), docker }) : Promise.resolve(undefined);
      const sandboxContainer = await new GenericContainer(image.tag)
        .withLabels(labels('sandbox'))
        .withEnvironment({ [CONTROL_TOKEN_ENV]: token })
        .withExposedPorts(SANDBOX_PORTS.control, SANDBOX_PORTS.relay, SANDBOX_PORTS.hub, SANDBOX_PORTS.acquirer, SANDBOX_PORTS.egress)
        .withWaitStrategy(Wait.forHttp('/healthz', SANDBOX_PORTS.control).forStatusCode(200))
        .withStartupTimeout(SANDBOX_START_TIMEOUT_MS)
        .start();
      parts.sandboxContainer = sandboxContainer;
      await network.connect({ Container: sandboxContainer.getId(), EndpointConfig: { Aliases: Object.values(SANDBOX_ALIASES) } });
      const nets = (await docker.getContainer(sandboxContainer.getId()).inspect()).NetworkSettings.Networks;
      const gatewayIp = Object.entries(nets).find(([name, n]) => name !== networkName && n.Gateway)?.[1].Gateway ?? '172.17.0.1';
      timings.servicesContainerMs = performance.now() - t;
      aborted();

      const host = sandboxContainer.getHost();
      const controlUrl = `http://${host}:${sandboxContainer.getMappedPort(SANDBOX_PORTS.control)}`;
      const controlClient = new ControlClient(controlUrl, token);
      const lag = { ms: 0 };
      const now = this.now;
      const ledger = new Ledger(() => now() - lag.ms);
      const state = new RemoteState(controlClient, ledger, lag);
      state.start();
      const secrets = this.secrets ?? generateRunSecrets(this.manifest.webhooks.scheme);
      await controlClient.configure({ secrets, scopes: this.manifest.scopes, egress: this.manifest.egress, ...(this.seed !== undefined ? { seed: this.seed } : {}), maxBodyBytes: DEFAULT_MOCK_MAX_BODY_BYTES });
      const queue = new CommandQueue(controlClient);
      const exposer = new HarnessExposer(gatewayIp, async (target) => ((await controlClient.request('POST', '/control', { target: 'relay', op: 'expose', args: [target] })) as { port: number }).port);

      t = performance.now();
      parts.services = await servicesPromise;
      timings.dependenciesMs = performance.now() - t;
      timings.totalMs = performance.now() - t0;

      return new StartedContainersSandbox({
        ...(parts as Required<Omit<Parts, 'services'>>),
        ...(parts.services ? { services: parts.services } : {}),
        token,
        relay: { host, port: sandboxContainer.getMappedPort(SANDBOX_PORTS.relay) },
        hostUrls: {
          hub: `http://${host}:${sandboxContainer.getMappedPort(SANDBOX_PORTS.hub)}`,
          acquirer: `http://${host}:${sandboxContainer.getMappedPort(SANDBOX_PORTS.acquirer)}`,
          egress: `http://${host}:${sandboxContainer.getMappedPort(SANDBOX_PORTS.egress)}`,
        },
        secrets,
        ledger,
        state,
        queue,
        exposer,
        hub: remoteHubControl(queue, state),
        acquirer: remoteAcquirerControl(queue, state),
        timings,
      });
    } catch (err) {
      await removeRun(docker, runId);
      if (err instanceof GauntletError) throw err;
      throw new GauntletError('GAUNTLET_ERR_SANDBOX_START', `containers sandbox failed to start: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}

interface Parts {
  docker: Dockerode;
  runId: string;
  labels: (role: ContainerRole) => Record<string, string>;
  networkName: string;
  networkId: string;
  sandboxContainer: StartedTestContainer;
  services?: StartedServices;
  token: string;
  relay: { host: string; port: number };
  /** The services as the host reaches them (mapped ports). */
  hostUrls: { hub: string; acquirer: string; egress: string };
  secrets: RunSecrets;
  ledger: Ledger;
  state: RemoteState;
  queue: CommandQueue;
  exposer: HarnessExposer;
  hub: HubControl;
  acquirer: AcquirerControl;
  timings: StartTimings;
}

export class StartedContainersSandbox implements StartedSandbox {
  readonly kind = 'containers' as const;
  /** URLs as the host reaches them (mapped ports), for scenarios that probe the services. */
  readonly hubUrl: string;
  readonly acquirerUrl: string;
  readonly egressProxyUrl: string;
  /** URLs as the connector sees them, on the internal network (what connectorEnv() hands out). */
  readonly internalUrls = {
    hub: `http://${SANDBOX_ALIASES.hub}:${SANDBOX_PORTS.hub}`,
    acquirer: `http://${SANDBOX_ALIASES.acquirer}:${SANDBOX_PORTS.acquirer}`,
    egress: `http://${SANDBOX_ALIASES.egress}:${SANDBOX_PORTS.egress}`,
  } as const;
  readonly secrets: RunSecrets;
  readonly ledger: Ledger;
  readonly hub: HubControl;
  readonly acquirer: AcquirerControl;
  readonly runId: string;
  readonly timings: StartTimings;
  /** Present when the manifest declares `services`. */
  readonly dependencies: DependencyControl | undefined;
  private readonly connectors = new Set<ContainerConnector>();
  private connectorImage: Promise<string> | undefined;
  private connectorCount = 0;
  private stopping: Promise<void> | undefined;
  lastRemoval: RemovalReport | undefined;

  constructor(private readonly parts: Parts) {
    this.hubUrl = parts.hostUrls.hub;
    this.acquirerUrl = parts.hostUrls.acquirer;
    this.egressProxyUrl = parts.hostUrls.egress;
    this.secrets = parts.secrets;
    this.ledger = parts.ledger;
    this.hub = parts.hub;
    this.acquirer = parts.acquirer;
    this.runId = parts.runId;
    this.timings = parts.timings;
    this.dependencies = parts.services;
  }

  /** Contract section 3 (+ DATABASE_URL / REDIS_URL for declared services), except PORT. */
  connectorEnv(): Record<string, string> {
    const proxy = this.internalUrls.egress;
    return {
      HUB_API_URL: this.internalUrls.hub,
      HUB_CLIENT_ID: this.secrets.clientId,
      HUB_CLIENT_SECRET: this.secrets.clientSecret,
      WEBHOOK_SECRET: this.secrets.webhookSecret,
      ACQUIRER_URL: this.internalUrls.acquirer,
      HTTP_PROXY: proxy,
      HTTPS_PROXY: proxy,
      http_proxy: proxy,
      https_proxy: proxy,
      NO_PROXY: '',
      no_proxy: '',
      GAUNTLET_RUN_ID: this.runId,
      ...(this.parts.services?.env ?? {}),
    };
  }

  secretValues(): string[] {
    return [this.secrets.webhookSecret, this.secrets.clientSecret, ...this.hub.issuedTokens()];
  }

  /** Applies queued control commands and waits for the ledger to catch up (bounded). */
  async sync(): Promise<void> {
    await this.parts.queue.flush();
    await this.parts.state.sync();
  }

  /** Starts a connector container for `manifest` with its complete environment. Never throws for connector faults. */
  async startConnector(manifest: Manifest, env: Record<string, string>, opts: { signal?: AbortSignal; logCapBytes?: number } = {}): Promise<StartResult<ContainerConnector>> {
    if (this.stopping) throw new GauntletError('GAUNTLET_ERR_INTERNAL', 'sandbox is stopping');
    const alias = `connector-${++this.connectorCount}`;
    const result = await startContainerConnector({
      docker: this.parts.docker,
      manifest,
      // Loopback addresses a scenario hands out (a fault proxy) become reachable aliases.
      env: await this.parts.exposer.rewrite(env),
      alias,
      network: this.parts.networkName,
      labels: this.parts.labels('connector'),
      imageLabels: this.parts.labels('connector-image'),
      image: () => (this.connectorImage ??= this.buildConnectorImage(manifest, opts.signal)),
      relay: { ...this.parts.relay, token: this.parts.token, allow: (target) => this.relayAllow(target) },
      flush: () => this.parts.queue.flush(),
      idle: () => this.parts.queue.idle,
      ...opts,
    });
    if (result.ok) this.connectors.add(result.connector);
    return result;
  }

  private async relayAllow(target: string): Promise<void> {
    await new ControlClient(`http://${this.parts.sandboxContainer.getHost()}:${this.parts.sandboxContainer.getMappedPort(SANDBOX_PORTS.control)}`, this.parts.token).request('POST', '/control', {
      target: 'relay',
      op: 'allow',
      args: [target],
    });
  }

  private async buildConnectorImage(manifest: Manifest, signal?: AbortSignal): Promise<string> {
    const { connectorImage } = await import('./connector-container.js');
    return connectorImage({ docker: this.parts.docker, manifest, runId: this.runId, labels: this.parts.labels('connector-image'), ...(signal ? { signal } : {}) });
  }

  /** Stops connectors, services, the services container, and removes everything labelled with the run id. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.allSettled([...this.connectors].map((c) => c.stop()));
      this.parts.state.close();
      await this.parts.exposer.close();
      await this.parts.services?.stop().catch(() => undefined);
      await this.parts.sandboxContainer.stop({ timeout: 2_000, remove: true }).catch(() => undefined);
      // Whatever the steps above missed (or a start that half-happened) goes by label.
      this.lastRemoval = await removeRun(this.parts.docker, this.runId);
    })();
    return this.stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
