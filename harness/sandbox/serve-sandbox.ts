/**
 * Entry point of the sandbox services container (`--sandbox containers`): hub, acquirer
 * and egress proxy in one process, plus
 *  - a control API (`SANDBOX_PORTS.control`) the host-side harness drives: POST /configure
 *    starts the services with the run's secrets, POST /control applies HubControl /
 *    AcquirerControl calls, GET /events streams ledger entries and state as NDJSON;
 *  - a relay (`SANDBOX_PORTS.relay`) that carries webhook deliveries from the host to a
 *    connector on the internal network, which has no route to the host.
 * Only the host knows the control token, so a connector sharing the internal network
 * cannot drive either. The ledger itself is kept on the host (attribution needs the
 * events the host sent); this process only forwards what the mocks record.
 *
 * Run: `GAUNTLET_CONTROL_TOKEN=... node dist/harness/sandbox/serve-sandbox.js`
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { HttpHandler } from 'msw';
import { Ledger, type LedgerTarget } from '../model/ledger.js';
import { createAcquirer } from '../../mocks/acquirer.js';
import { startEgressProxy, type EgressProxy } from '../../mocks/egress-proxy.js';
import { createHub } from '../../mocks/hub.js';
import { recordRefused, recordUnhandled } from '../../mocks/hub/call.js';
import { serveHandlers, type ServedHandlers } from '../../mocks/serve-handlers.js';
import type { AcquirerControl, HubControl } from './types.js';
import {
  CONTROL_TOKEN_ENV,
  CONTROL_TOKEN_HEADER,
  RELAY_PREAMBLE_MAX,
  SANDBOX_ALIASES,
  SANDBOX_PORTS,
  parseRelayPreamble,
  type ControlCommand,
  type LedgerPartial,
  type SandboxConfig,
  type SandboxEvent,
} from './containers/protocol.js';

type SandboxPorts = Record<keyof typeof SANDBOX_PORTS, number>;

const MAX_CONTROL_BODY = 256 * 1024;
const MAX_BACKLOG_LINES = 200_000;
const RELAY_CONNECT_TIMEOUT_MS = 5_000;

/** Fields a mock may set on an entry after recording it; the host's own fields stay the host's. */
const HOST_FIELDS = new Set(['seq', 'at', 'causedBy', 'scenarioId']);

/**
 * A ledger that forwards every record to the host; local numbering only keeps the mocks'
 * contract. Mocks may complete an entry later (`recorded.abandonedAfterMs = ...`), so the
 * returned entry forwards such writes too.
 */
class ForwardingLedger extends Ledger {
  private count = 0;

  constructor(
    private readonly forward: (n: number, partial: LedgerPartial) => void,
    private readonly update: (n: number, field: string, value: unknown) => void,
  ) {
    super();
  }

  override record(partial: LedgerPartial) {
    const entry = super.record(partial);
    const n = ++this.count;
    this.forward(n, partial);
    const update = this.update;
    return new Proxy(entry, {
      set(target, field, value) {
        (target as unknown as Record<string | symbol, unknown>)[field] = value;
        if (typeof field === 'string' && !HOST_FIELDS.has(field)) update(n, field, value);
        return true;
      },
    });
  }
}

interface Services {
  hub: HubControl;
  acquirer: AcquirerControl;
  close(): Promise<void>;
}

export interface ServeSandboxOptions {
  controlToken: string;
  /** Listen address for every port (0.0.0.0 inside the container; 127.0.0.1 in tests). */
  host?: string;
  ports?: Partial<SandboxPorts>;
  /** `hub:8081`-style names the egress proxy allows for the manifest's `hub`/`acquirer`. */
  names?: { hub: string; acquirer: string };
}

export interface ServedSandbox {
  ports: SandboxPorts;
  close(): Promise<void>;
}

export async function serveSandbox(opts: ServeSandboxOptions): Promise<ServedSandbox> {
  const host = opts.host ?? '0.0.0.0';
  const ports: SandboxPorts = { ...SANDBOX_PORTS, ...opts.ports };
  const names = opts.names ?? { hub: `${SANDBOX_ALIASES.hub}:${ports.hub}`, acquirer: `${SANDBOX_ALIASES.acquirer}:${ports.acquirer}` };
  const token = Buffer.from(opts.controlToken);
  const authorised = (value: string | string[] | undefined) => {
    const v = Buffer.from(typeof value === 'string' ? value : '');
    return v.length === token.length && timingSafeEqual(v, token);
  };

  // ---- event stream: buffered until the host subscribes (one subscriber at a time) ----
  const backlog: string[] = [];
  let subscriber: ServerResponse | undefined;
  let recorded = 0;
  const emit = (ev: SandboxEvent) => {
    const line = `${JSON.stringify(ev)}\n`;
    if (subscriber && !subscriber.destroyed) subscriber.write(line);
    else if (backlog.length < MAX_BACKLOG_LINES) backlog.push(line);
  };

  let services: Services | undefined;
  let sentTokens = 0;
  let sentScopes = '';
  let sentMovements = 0;
  const emitDeltas = () => {
    if (!services) return;
    const tokens = services.hub.issuedTokens();
    if (tokens.length > sentTokens) {
      emit({ k: 'tokens', v: tokens.slice(sentTokens) });
      sentTokens = tokens.length;
    }
    const scopes = services.hub.usedScopes();
    const key = scopes.join(' ');
    if (key !== sentScopes) {
      emit({ k: 'scopes', v: scopes });
      sentScopes = key;
    }
    const moves = services.acquirer.movements();
    if (moves.length > sentMovements) {
      emit({ k: 'movements', v: moves.slice(sentMovements) });
      sentMovements = moves.length;
    }
  };
  const ledger = new ForwardingLedger(
    (n, partial) => {
      emitDeltas();
      recorded = n;
      emit({ k: 'entry', n, t: Date.now(), e: partial });
    },
    (n, f, v) => emit({ k: 'update', n, f, v }),
  );

  const listeners: Server[] = [];
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };

  // ---- relay: host -> connector on the internal network -------------------------------
  const relayTargets = new Set<string>();
  /** Harness-side loopback services exposed to the internal network: target -> local port. */
  const exposed = new Map<string, number>();
  const relay = createTcpServer((client) => {
    track(client);
    client.on('error', () => client.destroy());
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => client.destroy(), RELAY_CONNECT_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const nl = buffered.indexOf(0x0a);
      if (nl === -1) {
        if (buffered.length > RELAY_PREAMBLE_MAX) client.destroy();
        return;
      }
      client.off('data', onData);
      client.pause();
      clearTimeout(timer);
      const parsed = parseRelayPreamble(buffered.subarray(0, nl).toString('latin1'));
      if (!parsed || !authorised(parsed.token) || !relayTargets.has(parsed.target)) {
        client.destroy();
        return;
      }
      const [h, p] = parsed.target.split(':') as [string, string];
      const upstream = connect({ host: h, port: Number(p) });
      track(upstream);
      const rest = buffered.subarray(nl + 1);
      upstream.once('connect', () => {
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    };
    client.on('data', onData);
  });

  // ---- control API -------------------------------------------------------------------
  const control = createHttpServer((req, res) => {
    void handleControl(req, res).catch((err: unknown) => sendJson(res, 500, { error: String(err instanceof Error ? err.message : err) }));
  });
  control.on('connection', track);

  async function handleControl(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    if (url === '/healthz') return sendJson(res, 200, { ok: true, configured: services !== undefined });
    if (!authorised(req.headers[CONTROL_TOKEN_HEADER])) return sendJson(res, 401, { error: 'control token required' });
    if (req.method === 'GET' && url === '/events') {
      if (subscriber && !subscriber.destroyed) subscriber.end();
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
      res.flushHeaders();
      subscriber = res;
      for (const line of backlog.splice(0)) res.write(line);
      res.on('close', () => {
        if (subscriber === res) subscriber = undefined;
      });
      return;
    }
    if (req.method === 'GET' && url === '/seq') {
      emitDeltas();
      return sendJson(res, 200, { seq: recorded });
    }
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
    const body = JSON.parse(await readBody(req)) as unknown;
    if (url === '/configure') {
      if (services) return sendJson(res, 409, { error: 'already configured' });
      services = await startServices(body as SandboxConfig);
      emit({ k: 'ready' });
      return sendJson(res, 200, { ok: true });
    }
    if (url === '/control') {
      const cmd = body as ControlCommand;
      if (cmd.target === 'relay' && cmd.op === 'expose') {
        const to = String(cmd.args[0]);
        const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(to);
        if (!m) return sendJson(res, 400, { error: 'expose needs ipv4:port' });
        if (exposed.size >= 64) return sendJson(res, 429, { error: 'too many exposed ports' });
        const existing = exposed.get(to);
        if (existing !== undefined) return sendJson(res, 200, { port: existing });
        const port = await forwardTcpAny(host, new URL(`http://${to}`));
        exposed.set(to, port);
        return sendJson(res, 200, { port });
      }
      if (cmd.target === 'relay') {
        const target = String(cmd.args[0]);
        if (!/^[a-z0-9][a-z0-9.-]{0,62}:\d{1,5}$/.test(target)) return sendJson(res, 400, { error: 'bad relay target' });
        if (cmd.op === 'allow') relayTargets.add(target);
        else relayTargets.delete(target);
        return sendJson(res, 200, { ok: true });
      }
      if (!services) return sendJson(res, 409, { error: 'not configured' });
      const obj = (cmd.target === 'hub' ? services.hub : services.acquirer) as unknown as Record<string, (...a: unknown[]) => unknown>;
      const allowed = cmd.target === 'hub' ? HUB_OPS : ACQUIRER_OPS;
      if (!allowed.has(cmd.op) || typeof obj[cmd.op] !== 'function') return sendJson(res, 400, { error: `unknown op ${cmd.target}.${cmd.op}` });
      obj[cmd.op]!(...(cmd.args as unknown[]));
      return sendJson(res, 200, { ok: true });
    }
    return sendJson(res, 404, { error: 'not found' });
  }

  async function startServices(config: SandboxConfig): Promise<Services> {
    const hub = createHub({ ledger, secrets: config.secrets, scopesAllowed: config.scopes, seed: config.seed });
    const acq = createAcquirer({ ledger, seed: config.seed });
    const closers: Array<() => Promise<void>> = [];
    const serve = async (handlers: HttpHandler[], target: LedgerTarget): Promise<ServedHandlers> => {
      const served = await serveHandlers(handlers, {
        maxBodyBytes: config.maxBodyBytes,
        onUnhandled: (request, info) => recordUnhandled(ledger, target, request, info.path),
        onTooLarge: (info) => recordRefused(ledger, target, info.method, info.path, 413),
      });
      closers.push(() => served.close());
      return served;
    };
    const hubServed = await serve(hub.handlers, 'hub');
    const acqServed = await serve(acq.handlers, 'acquirer');
    // The mocks listen on loopback only (by design); expose them on the container's networks.
    closers.push(await forwardTcp(host, ports.hub, new URL(hubServed.url)));
    closers.push(await forwardTcp(host, ports.acquirer, new URL(acqServed.url)));
    const proxy: EgressProxy = await startEgressProxy({ ledger, allow: config.egress, names });
    closers.push(() => proxy.close());
    closers.push(await forwardTcp(host, ports.egress, new URL(proxy.url)));
    return {
      hub: hub.control,
      acquirer: acq.control,
      close: async () => {
        for (const c of closers.reverse()) await c().catch(() => undefined);
      },
    };
  }

  /** Like forwardTcp on an ephemeral port; returns the port (closed with the process). */
  async function forwardTcpAny(listenHost: string, to: URL): Promise<number> {
    const server = createTcpServer((client) => {
      track(client);
      const upstream = connect({ host: to.hostname, port: Number(to.port) });
      track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await listen(server, listenHost, 0);
    listeners.push(server);
    return (server.address() as { port: number }).port;
  }

  async function forwardTcp(listenHost: string, listenPort: number, to: URL): Promise<() => Promise<void>> {
    const server = createTcpServer((client) => {
      track(client);
      const upstream = connect({ host: to.hostname, port: Number(to.port) });
      track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await listen(server, listenHost, listenPort);
    return () => new Promise<void>((r) => server.close(() => r()));
  }

  await listen(relay, host, ports.relay);
  listeners.push(relay);
  await listen(control, host, ports.control);
  listeners.push(control);

  return {
    ports,
    async close() {
      subscriber?.end();
      await services?.close();
      for (const s of sockets) s.destroy();
      await Promise.all(listeners.map((l) => new Promise<void>((r) => l.close(() => r()))));
    },
  };
}

const HUB_OPS = new Set(['revokeClient', 'restoreClient', 'revokeAllTokens', 'setTokenTtlSeconds', 'setWebhooksEnabled', 'injectFault', 'clearFaults']);
const ACQUIRER_OPS = new Set(['injectFault', 'clearFaults']);

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_CONTROL_BODY) {
        reject(new Error('control body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8') || '{}'));
    req.on('error', reject);
  });
}

// Run as the container's command (not when imported by tests).
if (process.argv[1] && /serve-sandbox\.(js|ts)$/.test(process.argv[1])) {
  const controlToken = process.env[CONTROL_TOKEN_ENV];
  if (!controlToken || controlToken.length < 16) {
    process.stderr.write(`serve-sandbox: ${CONTROL_TOKEN_ENV} (>= 16 chars) is required\n`);
    process.exit(2);
  }
  const served = await serveSandbox({ controlToken });
  process.stdout.write(`gauntlet sandbox services listening: control ${served.ports.control}, relay ${served.ports.relay}\n`);
  const shutdown = () => void served.close().finally(() => process.exit(0));
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
