/**
 * The embedded sandbox: hub, acquirer and egress proxy as in-process loopback
 * servers. Configure with `with*()`, `start()` returns the started sandbox, which
 * alone has getters and is AsyncDisposable (testcontainers style).
 *
 * @example
 * await using sandbox = await new EmbeddedSandbox(manifest).withSeed(42).start();
 * spawnConnector({ env: { ...sandbox.connectorEnv(), PORT: '8080' } });
 */
import { randomBytes } from 'node:crypto';
import type { HttpHandler } from 'msw';
import { GauntletError } from '../errors.js';
import type { Manifest } from '../manifest/types.js';
import { Ledger, type LedgerTarget } from '../model/ledger.js';
import { createAcquirer, type AcquirerRoutes } from '../../mocks/acquirer.js';
import { startEgressProxy, type EgressProxy } from '../../mocks/egress-proxy.js';
import { createHub } from '../../mocks/hub.js';
import { recordRefused, recordUnhandled } from '../../mocks/hub/call.js';
import { serveHandlers, type ServedHandlers } from '../../mocks/serve-handlers.js';
import { generateRunSecrets } from './secrets.js';
import type { AcquirerControl, HubControl, RunSecrets, StartedSandbox } from './types.js';

/** The hub never sends a valid event over 256 KiB; calls to it get a generous 1 MiB. */
export const DEFAULT_MOCK_MAX_BODY_BYTES = 1 << 20;

export class EmbeddedSandbox {
  private seed: number | undefined;
  private now: () => number = Date.now;
  private ledger: Ledger | undefined;
  private secrets: RunSecrets | undefined;
  private maxBodyBytes = DEFAULT_MOCK_MAX_BODY_BYTES;

  constructor(private readonly manifest: Manifest) {}

  /** Seed for the ids of objects the mocks create (secrets stay random). */
  withSeed(seed: number): this {
    this.seed = seed;
    return this;
  }

  /** Clock for token expiry, object timestamps and ledger times. */
  withClock(now: () => number): this {
    this.now = now;
    return this;
  }

  /** Record into this ledger (default: a fresh one on the sandbox clock). */
  withLedger(ledger?: Ledger): this {
    this.ledger = ledger;
    return this;
  }

  /** Use these secrets instead of fresh ones (replays of a stored case). */
  withSecrets(secrets: RunSecrets): this {
    this.secrets = secrets;
    return this;
  }

  withMaxBodyBytes(bytes: number): this {
    this.maxBodyBytes = bytes;
    return this;
  }

  async start(): Promise<StartedEmbeddedSandbox> {
    const ledger = this.ledger ?? new Ledger(this.now);
    const secrets = this.secrets ?? generateRunSecrets(this.manifest.webhooks.scheme);
    const hub = createHub({ ledger, secrets, scopesAllowed: this.manifest.scopes, now: this.now, seed: this.seed });
    const acq = createAcquirer({ ledger, now: this.now, seed: this.seed });
    const stack: Array<() => Promise<void>> = [];
    const serve = async (handlers: HttpHandler[], target: LedgerTarget) => {
      const served = await serveHandlers(handlers, {
        maxBodyBytes: this.maxBodyBytes,
        onUnhandled: (request, info) => recordUnhandled(ledger, target, request, info.path),
        onTooLarge: (info) => recordRefused(ledger, target, info.method, info.path, 413),
      });
      stack.push(() => served.close());
      return served;
    };
    try {
      const hubServer = await serve(hub.handlers, 'hub');
      const acqServer = await serve(acq.handlers, 'acquirer');
      const proxy = await startEgressProxy({
        ledger,
        allow: this.manifest.egress,
        names: { hub: new URL(hubServer.url).host, acquirer: new URL(acqServer.url).host },
      });
      stack.push(() => proxy.close());
      return new StartedEmbeddedSandbox({
        ledger,
        secrets,
        hub: hub.control,
        acquirer: acq.control,
        acquirerRoutes: acq.routes,
        hubServer,
        acquirerServer: acqServer,
        proxy,
        runId: `run_${randomBytes(6).toString('hex')}`,
        teardown: stack,
      });
    } catch (err) {
      await teardown(stack);
      throw err instanceof GauntletError ? err : new GauntletError('GAUNTLET_ERR_SANDBOX_START', `embedded sandbox failed to start: ${String(err)}`, { cause: err });
    }
  }
}

interface Parts {
  ledger: Ledger;
  secrets: RunSecrets;
  hub: HubControl;
  acquirer: AcquirerControl;
  acquirerRoutes: AcquirerRoutes;
  hubServer: ServedHandlers;
  acquirerServer: ServedHandlers;
  proxy: EgressProxy;
  runId: string;
  teardown: Array<() => Promise<void>>;
}

export class StartedEmbeddedSandbox implements StartedSandbox {
  readonly kind = 'embedded' as const;
  readonly hubUrl: string;
  readonly acquirerUrl: string;
  readonly egressProxyUrl: string;
  readonly secrets: RunSecrets;
  readonly ledger: Ledger;
  readonly hub: HubControl;
  readonly acquirer: AcquirerControl;
  /** Acquirer handler factories bound to this run's state, for `useAcquirer(...)`. */
  readonly acquirerRoutes: AcquirerRoutes;
  readonly runId: string;
  private stopping: Promise<void> | undefined;

  constructor(private readonly parts: Parts) {
    this.hubUrl = parts.hubServer.url;
    this.acquirerUrl = parts.acquirerServer.url;
    this.egressProxyUrl = parts.proxy.url;
    this.secrets = parts.secrets;
    this.ledger = parts.ledger;
    this.hub = parts.hub;
    this.acquirer = parts.acquirer;
    this.acquirerRoutes = parts.acquirerRoutes;
    this.runId = parts.runId;
  }

  /** Prepend msw handlers on the hub (they win over the built-in routes). */
  useHub(...handlers: HttpHandler[]): void {
    this.parts.hubServer.use(...handlers);
  }

  /** Prepend msw handlers on the acquirer, e.g. `acquirerRoutes.refund({ kind: 'reset' }, { once: true })`. */
  useAcquirer(...handlers: HttpHandler[]): void {
    this.parts.acquirerServer.use(...handlers);
  }

  resetHandlers(): void {
    this.parts.hubServer.resetHandlers();
    this.parts.acquirerServer.resetHandlers();
  }

  /**
   * Contract section 3, except PORT. NO_PROXY is set empty on purpose: a client that
   * honours the proxy sends hub/acquirer calls through it (allowed and forwarded, so
   * egress is fully visible), and one that ignores it reaches them directly.
   * Lower-case variants too, since curl and others only read those.
   */
  connectorEnv(): Record<string, string> {
    const proxy = this.egressProxyUrl;
    return {
      HUB_API_URL: this.hubUrl,
      HUB_CLIENT_ID: this.secrets.clientId,
      HUB_CLIENT_SECRET: this.secrets.clientSecret,
      WEBHOOK_SECRET: this.secrets.webhookSecret,
      ACQUIRER_URL: this.acquirerUrl,
      HTTP_PROXY: proxy,
      HTTPS_PROXY: proxy,
      http_proxy: proxy,
      https_proxy: proxy,
      NO_PROXY: '',
      no_proxy: '',
      GAUNTLET_RUN_ID: this.runId,
    };
  }

  /** Same allow-list as the egress proxy (clause 11), for the preloaded egress interceptor. */
  egressAllows(host: string, port: number): boolean {
    return this.parts.proxy.allows(host, port);
  }

  secretValues(): string[] {
    return [this.secrets.webhookSecret, this.secrets.clientSecret, ...this.hub.issuedTokens()];
  }

  /** Closes proxy, acquirer, hub (reverse start order); hanging requests are cut. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= teardown(this.parts.teardown);
    return this.stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

async function teardown(stack: Array<() => Promise<void>>): Promise<void> {
  const errors: unknown[] = [];
  for (const step of [...stack].reverse()) {
    try {
      await step();
    } catch (err) {
      errors.push(err);
    }
  }
  stack.length = 0;
  if (errors.length > 0) throw new GauntletError('GAUNTLET_ERR_INTERNAL', `sandbox teardown failed: ${errors.map(String).join('; ')}`);
}
