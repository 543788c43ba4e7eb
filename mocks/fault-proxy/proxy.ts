import { createServer, type Server, type Socket } from 'node:net';
import { formatHostPort, parseHostPort, type HostPort } from './address.js';
import { Connection, type Stream } from './connection.js';
import { FaultProxyError } from './errors.js';
import type { ActiveStage } from './link.js';
import { StageRuntime, type Clock } from './runtime.js';
import type { ToxicDefinition } from './toxics/types.js';

/** A configured toxic, as the API shows it (Toxiproxy's field names). */
export interface ToxicView {
  name: string;
  type: string;
  stream: Stream;
  toxicity: number;
  attributes: Record<string, number>;
}

export interface ProxyView {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicView[];
}

export interface ToxicState extends ToxicView {
  definition: ToxicDefinition;
}

/**
 * One named proxy: a listener, its live connections, and its ordered toxics.
 * Toxics apply to new connections and to live ones (from their next chunk on).
 */
export class ProxyInstance {
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private toxics: ToxicState[] = [];
  private listenAddress: HostPort;
  private upstreamAddress: HostPort;

  constructor(
    readonly name: string,
    listen: string,
    upstream: string,
    private readonly clock: Clock,
  ) {
    this.listenAddress = parseHostPort(listen, 'listen');
    this.upstreamAddress = parseHostPort(upstream, 'upstream');
  }

  get enabled(): boolean {
    return this.server !== undefined;
  }

  get listen(): string {
    return formatHostPort(this.listenAddress);
  }

  get upstream(): string {
    return formatHostPort(this.upstreamAddress);
  }

  /** The port actually listened on (useful when `listen` asked for port 0). */
  get port(): number {
    return this.listenAddress.port;
  }

  view(): ProxyView {
    return { name: this.name, listen: this.listen, upstream: this.upstream, enabled: this.enabled, toxics: this.toxicViews() };
  }

  toxicViews(): ToxicView[] {
    return this.toxics.map(toxicView);
  }

  findToxic(name: string): ToxicState | undefined {
    return this.toxics.find((t) => t.name === name);
  }

  /** Starts listening; with port 0 the chosen port replaces it in `listen`. Idempotent. */
  async enable(): Promise<void> {
    if (this.server) return;
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenAddress.port, this.listenAddress.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((cause: unknown) => {
      throw new FaultProxyError('listen-failed', `proxy "${this.name}" cannot listen on ${this.listen}: ${(cause as Error).message}`, {
        problems: [{ path: 'listen', reason: (cause as NodeJS.ErrnoException).code ?? 'listen failed' }],
        cause,
      });
    });
    const address = server.address();
    if (address && typeof address === 'object') this.listenAddress = { host: this.listenAddress.host, port: address.port };
    this.server = server;
  }

  /** Stops listening and drops every live connection (Toxiproxy's "down"). Idempotent. */
  async disable(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const connection of [...this.connections]) connection.destroy();
    this.connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Changes listen/upstream; either change restarts the proxy and drops connections. */
  async reconfigure(listen: string | undefined, upstream: string | undefined): Promise<void> {
    const nextListen = listen === undefined ? this.listenAddress : parseHostPort(listen, 'listen');
    const nextUpstream = upstream === undefined ? this.upstreamAddress : parseHostPort(upstream, 'upstream');
    const changed =
      formatHostPort(nextListen) !== this.listen || formatHostPort(nextUpstream) !== this.upstream;
    if (!changed) return;
    const wasEnabled = this.enabled;
    await this.disable();
    this.listenAddress = nextListen;
    this.upstreamAddress = nextUpstream;
    if (wasEnabled) await this.enable();
  }

  addToxic(toxic: ToxicState): void {
    this.toxics = [...this.toxics, toxic];
    for (const connection of this.connections) {
      const stage = this.activate(toxic, connection);
      if (stage) connection.link(toxic.stream).add(stage);
    }
  }

  removeToxic(name: string): void {
    this.toxics = this.toxics.filter((t) => t.name !== name);
    this.removeToxicFromLinks(name);
  }

  /** Replaces a toxic in place (same position), re-applying it to live connections. */
  replaceToxic(toxic: ToxicState): void {
    this.removeToxicFromLinks(toxic.name);
    this.toxics = this.toxics.map((t) => (t.name === toxic.name ? toxic : t));
    for (const connection of this.connections) {
      const stage = this.activate(toxic, connection);
      if (stage) connection.link(toxic.stream).add(stage);
    }
  }

  removeAllToxics(): void {
    for (const toxic of this.toxics) this.removeToxicFromLinks(toxic.name);
    this.toxics = [];
  }

  private removeToxicFromLinks(name: string): void {
    for (const connection of this.connections) {
      connection.link('upstream').remove(name);
      connection.link('downstream').remove(name);
    }
  }

  private accept(client: Socket): void {
    if (!this.server) return void client.destroy();
    const connection = new Connection(client, this.upstreamAddress, () => this.clock.now(), (c) => this.connections.delete(c));
    this.connections.add(connection);
    const stages: Record<Stream, ActiveStage[]> = { upstream: [], downstream: [] };
    for (const toxic of this.toxics) {
      const stage = this.activate(toxic, connection);
      if (stage) stages[toxic.stream].push(stage);
    }
    connection.start(stages);
  }

  /** Rolls toxicity once per toxic per connection, as Toxiproxy does. */
  private activate(toxic: ToxicState, connection: Connection): ActiveStage | undefined {
    if (!(this.clock.random() < toxic.toxicity)) return undefined;
    const runtime = new StageRuntime(this.clock, { close: () => connection.close(), reset: () => connection.reset() });
    return { name: toxic.name, stage: toxic.definition.create(toxic.attributes, runtime), runtime };
  }
}

export function toxicView(t: ToxicView): ToxicView {
  return { attributes: { ...t.attributes }, name: t.name, type: t.type, stream: t.stream, toxicity: t.toxicity };
}
