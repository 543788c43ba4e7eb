/**
 * Preloaded into a Node connector (`NODE_OPTIONS=--import <this file>`): every outbound
 * HTTP request made with `http`/`https` (`ClientRequest`) or the global `fetch` is shown to
 * the harness before it leaves. Allowed destinations pass through untouched; blocked ones
 * get a 403 answered here, so they are never resolved or connected to, and are reported
 * (with a capped body) as egress ledger entries. Built on @mswjs/interceptors.
 *
 * It runs inside the untrusted process, so it observes a cooperative connector, nothing
 * more: code that spawns processes or opens raw sockets is not seen (docs/egress.md).
 * Without the harness's env it does nothing.
 */
import http from 'node:http';
import { connect, type Socket } from 'node:net';
import { destinationOf, ENV_ALLOW_EXTRA, ENV_REPORT_ADDRESS, MAX_LINE_BYTES, MAX_REPORTED_BODY_BYTES, parseDestination, type Decision, type InterceptorMessage } from './protocol.js';

const CHECK_TIMEOUT_MS = 2_000;
const BODY_READ_TIMEOUT_MS = 1_000;

async function install(reportAt: { host: string; port: number }): Promise<void> {
  // Loaded only when the harness asked for interception; the two interceptors alone (no batch, no XHR) keep start-up cheap.
  const [{ ClientRequestInterceptor }, { FetchInterceptor }] = await Promise.all([import('@mswjs/interceptors/ClientRequest'), import('@mswjs/interceptors/fetch')]);
  const own = process.env['PORT'];
  const local = new Set<string>((process.env[ENV_ALLOW_EXTRA] ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0));
  // The connector calling itself is not egress.
  if (own) for (const h of ['127.0.0.1', 'localhost', '[::1]', '::1']) local.add(`${h}:${own}`);
  const decided = new Map<string, boolean>();
  const channel = new Channel(reportAt);

  const original = { request: http.request, get: http.get };
  const interceptors = [new ClientRequestInterceptor(), new FetchInterceptor()];
  for (const i of interceptors) i.apply();
  keepProxyFormRequests(original);
  const onRequest = async ({ request, controller }: { request: Request; controller: { respondWith(r: Response): void } }): Promise<void> => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return;
    }
    const destination = destinationOf(url);
    if (local.has(destination)) return;
    let allow = decided.get(destination);
    if (allow === undefined) {
      allow = await channel.check({ method: request.method, destination, path: url.pathname });
      // Only answers are cached: a lost channel is asked again next time.
      if (channel.healthy) decided.set(destination, allow);
    }
    if (allow) return;
    const body = await readCapped(request);
    channel.send({ op: 'blocked', method: request.method, destination, path: url.pathname, ...(body ? { body } : {}) });
    controller.respondWith(
      new Response(`Blocked by Gauntlet: egress to ${destination} is not in the manifest's egress list.`, {
        status: 403,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'x-gauntlet-egress': 'blocked' },
      }),
    );
  };
  for (const i of interceptors) i.on('request', onRequest);
}

/**
 * Requests an HTTP_PROXY client sends to its proxy (absolute-URI path, or CONNECT) are
 * not URLs the interceptor can parse (it throws on them), and the egress proxy judges and
 * records them itself: they go to Node's own `http.request`/`http.get` untouched.
 */
function keepProxyFormRequests(original: { request: typeof http.request; get: typeof http.get }): void {
  const intercepted = { request: http.request, get: http.get };
  const proxyForm = (args: unknown[]): boolean => {
    for (const a of args) {
      if (typeof a !== 'object' || a === null || a instanceof URL) continue;
      const o = a as { path?: unknown; method?: unknown };
      if (typeof o.method === 'string' && o.method.toUpperCase() === 'CONNECT') return true;
      if (typeof o.path === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(o.path)) return true;
    }
    return false;
  };
  http.request = function request(this: unknown, ...args: unknown[]) {
    return (proxyForm(args) ? original.request : intercepted.request).apply(http, args as Parameters<typeof http.request>);
  } as typeof http.request;
  http.get = function get(this: unknown, ...args: unknown[]) {
    return (proxyForm(args) ? original.get : intercepted.get).apply(http, args as Parameters<typeof http.get>);
  } as typeof http.get;
}

/** One lazily (re)connected socket to the harness; unref'd so it never keeps the connector alive. */
class Channel {
  private socket: Socket | undefined;
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<number, (allow: boolean) => void>();
  healthy = true;

  constructor(private readonly at: { host: string; port: number }) {}

  private open(): Socket {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const s = connect({ host: this.at.host, port: this.at.port });
    s.setEncoding('utf8');
    s.unref();
    s.on('data', (chunk: string) => {
      this.buffer += chunk;
      if (this.buffer.length > MAX_LINE_BYTES) this.buffer = '';
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        try {
          const d = JSON.parse(line) as Decision;
          this.pending.get(d.id)?.(d.allow === true);
          this.pending.delete(d.id);
        } catch {
          /* a garbled line answers nothing; its check times out and fails closed */
        }
      }
    });
    const fail = () => {
      this.healthy = false;
      for (const resolve of this.pending.values()) resolve(false);
      this.pending.clear();
    };
    s.on('error', fail);
    s.on('close', fail);
    s.on('connect', () => {
      this.healthy = true;
    });
    this.socket = s;
    return s;
  }

  send(message: InterceptorMessage): void {
    try {
      this.open().write(`${JSON.stringify(message)}\n`);
    } catch {
      this.healthy = false;
    }
  }

  /** Fails closed: no answer in time means blocked. */
  check(q: { method: string; destination: string; path: string }): Promise<boolean> {
    const id = this.nextId++;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.healthy = false;
        resolve(false);
      }, CHECK_TIMEOUT_MS);
      // Ref'd on purpose: a request waiting for its answer must keep the process alive.
      this.pending.set(id, (allow) => {
        clearTimeout(timer);
        resolve(allow);
      });
      this.send({ op: 'check', id, ...q });
    });
  }
}

/** Up to MAX_REPORTED_BODY_BYTES of the request body, within a bounded time. */
async function readCapped(request: Request): Promise<string | undefined> {
  if (!request.body) return undefined;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    reader = request.clone().body!.getReader();
    const parts: Uint8Array[] = [];
    let size = 0;
    const deadline = Date.now() + BODY_READ_TIMEOUT_MS;
    while (size < MAX_REPORTED_BODY_BYTES && Date.now() < deadline) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const next = await Promise.race([reader.read(), new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), Math.max(1, deadline - Date.now()))))]);
      clearTimeout(timer);
      if (!next || next.done) break;
      parts.push(next.value);
      size += next.value.byteLength;
    }
    return Buffer.concat(parts).subarray(0, MAX_REPORTED_BODY_BYTES).toString('utf8');
  } catch {
    return undefined;
  } finally {
    reader?.cancel().catch(() => {});
  }
}

// Last: `install` needs the class above initialised.
const report = parseDestination(process.env[ENV_REPORT_ADDRESS] ?? '');
// Top-level await: the connector's own code runs only once interception is in place.
if (report) await install(report);
