import type { Server, Socket } from 'node:net';
import { createApiServer } from './api.js';
import { ProxyCollection, type ProxyInput, type ProxyPatch, type ToxicInput } from './collection.js';
import { FaultProxyError } from './errors.js';
import type { ProxyView, ToxicView } from './proxy.js';

export { FaultProxyError, type FaultProxyFailure } from './errors.js';
export type { ProxyInput, ProxyPatch, ToxicInput } from './collection.js';
export type { ProxyView, ToxicView } from './proxy.js';
export { TOXIC_TYPES, toxicTypeNames } from './toxics/registry.js';
export { TOXIPROXY_API_VERSION } from './api.js';

export interface FaultProxyOptions {
  /** Port of the Toxiproxy-compatible HTTP API: 8474 like Toxiproxy; pass 0 for an ephemeral one. */
  apiPort?: number;
  /** Interface of the API (default 127.0.0.1: never exposed beyond loopback unless asked). */
  apiHost?: string;
  /** Clock for toxic timing (default performance.now). */
  now?: () => number;
  /** Uniform [0,1) source for toxicity rolls, jitter and slice sizes (default Math.random); seed it to replay. */
  random?: () => number;
}

/** A running fault proxy. Also `AsyncDisposable`: `await using fp = await startFaultProxy()`. */
export interface StartedFaultProxy extends AsyncDisposable {
  /** Base URL of the HTTP API, e.g. for `new Toxiproxy(apiUrl)`. */
  readonly apiUrl: string;
  createProxy(input: ProxyInput): Promise<ProxyView>;
  populate(inputs: ProxyInput[]): Promise<ProxyView[]>;
  getProxy(name: string): ProxyView;
  listProxies(): Record<string, ProxyView>;
  updateProxy(name: string, patch: ProxyPatch): Promise<ProxyView>;
  deleteProxy(name: string): Promise<void>;
  addToxic(proxyName: string, toxic: ToxicInput): ToxicView;
  updateToxic(proxyName: string, toxicName: string, patch: Partial<ToxicInput>): ToxicView;
  removeToxic(proxyName: string, toxicName: string): void;
  /** Enables every proxy and removes every toxic. */
  reset(): Promise<void>;
  /** Stops the API and every proxy, destroying all sockets. Idempotent; bounded. */
  close(): Promise<void>;
}

/** The port a proxy listens on, from its `listen` field (e.g. after asking for port 0). */
export function listenPort(proxy: Pick<ProxyView, 'listen'>): number {
  return Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1));
}

/** How long close() waits for the API server to finish before giving up on it. */
const CLOSE_BOUND_MS = 2000;

/**
 * Starts a Toxiproxy-compatible TCP fault proxy with its HTTP API on loopback.
 *
 * @example
 * const fp = await startFaultProxy({ apiPort: 0 });
 * const p = await fp.createProxy({ name: 'acquirer', listen: '127.0.0.1:0', upstream: acquirerHostPort });
 * fp.addToxic('acquirer', { type: 'latency', attributes: { latency: 200, jitter: 0 } });
 * // point the connector at 127.0.0.1:<port of p.listen>; later:
 * await fp.close();
 */
export async function startFaultProxy(options: FaultProxyOptions = {}): Promise<StartedFaultProxy> {
  const apiPort = options.apiPort ?? 8474;
  const apiHost = options.apiHost ?? '127.0.0.1';
  const collection = new ProxyCollection({
    now: options.now ?? (() => performance.now()),
    random: options.random ?? Math.random,
  });
  const server = createApiServer(collection);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await listen(server, apiPort, apiHost);
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : apiPort;
  const hostForUrl = apiHost.includes(':') ? `[${apiHost}]` : apiHost;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await collection.closeAll();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([serverClosed, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_BOUND_MS)))]);
      clearTimeout(timer);
    })();
    return closing;
  };

  return {
    apiUrl: `http://${hostForUrl}:${port}`,
    createProxy: (input) => collection.create(input),
    populate: (inputs) => collection.populate(inputs),
    getProxy: (name) => collection.get(name).view(),
    listProxies: () => collection.list(),
    updateProxy: (name, patch) => collection.update(name, patch),
    deleteProxy: (name) => collection.remove(name),
    addToxic: (proxyName, toxic) => collection.addToxic(proxyName, toxic),
    updateToxic: (proxyName, toxicName, patch) => collection.updateToxic(proxyName, toxicName, patch),
    removeToxic: (proxyName, toxicName) => collection.removeToxic(proxyName, toxicName),
    reset: () => collection.reset(),
    close,
    [Symbol.asyncDispose]: close,
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (cause: NodeJS.ErrnoException): void =>
      reject(
        new FaultProxyError('listen-failed', `API cannot listen on ${host}:${port}: ${cause.message}`, {
          problems: [{ path: 'apiPort', reason: cause.code ?? 'listen failed' }],
          cause,
        }),
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
