/**
 * Serves msw `http.*` request handlers over a real node:http server on loopback.
 *
 * Why not msw's own `getResponse`: it builds a full web `Request`, clones it, and
 * compiles a path regex per handler per request, which reaches ~0.09x the
 * throughput of a bare node:http server. Chaos scenarios hammer the mocks, so this
 * server precompiles a segment router from each handler's `info.method`/`info.path`,
 * hands the resolver a lazily-built `Request`, and writes string bodies directly.
 * Handlers whose path is a RegExp/predicate, or whose resolver is a generator, take
 * a slow path through msw's own `handler.run()`, so every handler still works.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { HttpHandler } from 'msw';
import { GauntletError } from '../harness/errors.js';

export interface ServeHandlersOptions {
  /** Only loopback is allowed: the mocks must never be reachable from outside. */
  host?: '127.0.0.1';
  /** 0 or undefined = ephemeral. */
  port?: number;
  /**
   * Called for every request no handler answered. Return a Response to answer it
   * yourself; otherwise the server answers 500 naming the method and path.
   */
  onUnhandled: (request: Request, info: { method: string; path: string }) => Response | void | Promise<Response | void>;
  /** Requests with a larger body get 413 and the connection is closed. */
  maxBodyBytes: number;
  /** Called for each request refused with 413 (no handler runs for it). */
  onTooLarge?: (info: { method: string; path: string }) => void;
}

export interface ServedHandlers {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  /** Prepend runtime handlers; they take priority, the most recent call first (like msw's `server.use`). */
  use(...handlers: HttpHandler[]): void;
  /** Drop every runtime handler added with `use()`. */
  resetHandlers(): void;
  /** Stop listening, abort in-flight resolvers and destroy every socket. Idempotent, bounded. */
  close(): Promise<void>;
}

/** msw keeps these protected; the router drives resolvers and once-state directly. */
interface HandlerInternals {
  resolver: (info: unknown) => unknown;
  options?: { once?: boolean };
  isUsed: boolean;
  info: { header: string };
}

interface CompiledRoute {
  handler: HttpHandler;
  internals: HandlerInternals;
  /** Uppercase method, or undefined = any method (`http.all`). */
  method: string | undefined;
  methodRe: RegExp | undefined;
  /** Literal segment, `null` = `:param` (name in paramNames), undefined never. */
  segments: Array<string | null>;
  paramNames: Array<string | undefined>;
  /** Ends with `*`: matches any remaining segments. */
  wildcard: boolean;
  /** RegExp/predicate path, or generator resolver: delegate to msw's `handler.run()`. */
  slow: boolean;
}

const CLOSE_BOUND_MS = 2000;
const stateSymbolCache = new WeakMap<object, symbol | null>();

/** Start serving. Resolves once listening. */
export async function serveHandlers(initial: HttpHandler[], opts: ServeHandlersOptions): Promise<ServedHandlers> {
  if (!Number.isInteger(opts.maxBodyBytes) || opts.maxBodyBytes < 0) {
    throw new GauntletError('GAUNTLET_ERR_SANDBOX_START', `serveHandlers: maxBodyBytes must be a non-negative integer, got ${String(opts.maxBodyBytes)}`);
  }
  const host = opts.host ?? '127.0.0.1';
  const base = initial.map(compileRoute);
  let runtime: CompiledRoute[] = [];
  let routes = base;
  let requestSeq = 0;
  let closed = false;
  const sockets = new Set<Socket>();
  const inflight = new Set<AbortController>();

  const server = createServer({ keepAlive: true }, (req, res) => {
    void handle(req, res).catch((err: unknown) => failResponse(res, 500, 'mock_internal_error', `[gauntlet mocks] internal error: ${describeError(err)}`));
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A client sending garbage must not crash the harness.
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  const url = await new Promise<string>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new GauntletError('GAUNTLET_ERR_SANDBOX_START', `mock server could not listen on ${host}:${opts.port ?? 0}: ${describeError(err)}`, { cause: err })),
    );
    server.listen(opts.port ?? 0, host, () => {
      const addr = server.address() as AddressInfo;
      resolve(`http://${host}:${addr.port}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);

    // Most mock calls are GETs without a body: skip the promise round-trip for them.
    const body = hasNoBody(req) ? EMPTY : await readBody(req, res, opts.maxBodyBytes);
    if (body === GONE) return;
    if (body === TOO_LARGE) {
      opts.onTooLarge?.({ method, path });
      return;
    }

    const lazy = new LazyRequest(req, res, url + rawUrl, method, body, inflight);
    const request = lazy as unknown as Request;
    const segments = splitPath(path);
    const requestId = String(++requestSeq);

    for (const route of routes) {
      if (route.internals.isUsed && route.internals.options?.once) continue;
      let response: Response | undefined;
      if (route.slow) {
        response = await runSlow(route.handler, lazy, requestId, url);
      } else {
        if (!matchMethod(route, method)) continue;
        const params = matchSegments(route, segments);
        if (!params) continue;
        response = await runResolver(route.internals, request, params, requestId);
      }
      if (response === undefined) continue;
      await writeResponse(res, response);
      return;
    }

    const custom = await opts.onUnhandled(request, { method, path });
    if (custom instanceof Response) {
      await writeResponse(res, custom);
      return;
    }
    failResponse(res, 500, 'unhandled_request', `[gauntlet mocks] unhandled request: ${method} ${path} matches no mock route. Add a handler for it or fix the caller's URL.`);
  }

  return {
    url,
    use(...handlers: HttpHandler[]) {
      runtime = [...handlers.map(compileRoute), ...runtime];
      routes = [...runtime, ...base];
    },
    resetHandlers() {
      runtime = [];
      routes = base;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const c of inflight) c.abort(new Error('mock server closed'));
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      server.closeAllConnections?.();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, CLOSE_BOUND_MS)))]);
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------- routing

function compileRoute(handler: HttpHandler): CompiledRoute {
  const { method, path } = handler.info as { method: string | RegExp; path: unknown };
  const internals = handler as unknown as HandlerInternals;
  const isGenerator = /Generator/.test((Object.getPrototypeOf(internals.resolver) as { constructor?: { name?: string } } | null)?.constructor?.name ?? '');
  const route: CompiledRoute = {
    handler,
    internals,
    method: undefined,
    methodRe: undefined,
    segments: [],
    paramNames: [],
    wildcard: false,
    slow: isGenerator || typeof path !== 'string',
  };
  if (typeof method === 'string') route.method = method.toUpperCase();
  else route.methodRe = method;
  if (typeof path !== 'string') return route;

  let p = path;
  // Absolute handler URLs: the mock server is the only origin, so match on the path.
  const scheme = p.indexOf('://');
  if (scheme !== -1) {
    const slash = p.indexOf('/', scheme + 3);
    p = slash === -1 ? '/' : p.slice(slash);
  }
  const q = p.indexOf('?');
  if (q !== -1) p = p.slice(0, q);
  const parts = splitPath(p);
  if (parts.length > 0 && parts[parts.length - 1] === '*') {
    route.wildcard = true;
    parts.pop();
  }
  for (const part of parts) {
    if (part.startsWith(':')) {
      route.segments.push(null);
      route.paramNames.push(part.slice(1).replace(/[?*+]$/, ''));
    } else if (part === '*' || part.includes('*')) {
      // Mid-path wildcards are rare: let msw's own matcher handle them.
      route.slow = true;
      return route;
    } else {
      route.segments.push(part);
      route.paramNames.push(undefined);
    }
  }
  return route;
}

function splitPath(path: string): string[] {
  const out: string[] = [];
  let start = 1;
  for (let i = 1; i <= path.length; i++) {
    if (i === path.length || path.charCodeAt(i) === 47 /* / */) {
      if (i > start) out.push(path.slice(start, i));
      start = i + 1;
    }
  }
  return out;
}

function matchMethod(route: CompiledRoute, method: string): boolean {
  if (route.method !== undefined) return route.method === method;
  return route.methodRe ? route.methodRe.test(method) : true;
}

function matchSegments(route: CompiledRoute, segments: string[]): Record<string, string> | undefined {
  const n = route.segments.length;
  if (route.wildcard ? segments.length < n : segments.length !== n) return undefined;
  let params: Record<string, string> | undefined;
  for (let i = 0; i < n; i++) {
    const want = route.segments[i];
    const got = segments[i] as string;
    if (want === null) {
      params ??= {};
      params[route.paramNames[i] as string] = safeDecode(got);
    } else if (want !== got) {
      return undefined;
    }
  }
  return params ?? EMPTY_PARAMS;
}

const EMPTY_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

function safeDecode(s: string): string {
  if (s.indexOf('%') === -1) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------- resolving

async function runResolver(handler: HandlerInternals, request: Request, params: Record<string, string>, requestId: string): Promise<Response | undefined> {
  let result: unknown;
  try {
    result = await handler.resolver({
      request,
      params,
      requestId,
      get cookies() {
        return parseCookies(request.headers.get('cookie'));
      },
    });
  } catch (thrown) {
    // msw semantics: a thrown Response is the response.
    if (thrown instanceof Response) result = thrown;
    else return errorResponse(`[gauntlet mocks] handler ${handler.info.header} threw: ${describeError(thrown)}`);
  }
  if (result === undefined || result === null) return undefined;
  if (!(result instanceof Response)) {
    return errorResponse(`[gauntlet mocks] handler ${handler.info.header} returned a non-Response value; return HttpResponse.json(...) or similar.`);
  }
  handler.isUsed = true;
  return result;
}

async function runSlow(handler: HttpHandler, lazy: LazyRequest, requestId: string, baseUrl: string): Promise<Response | undefined> {
  const result = await handler.run({ request: lazy.toRealRequest(), requestId, resolutionContext: { baseUrl } });
  return result?.response ?? undefined;
}

function errorResponse(message: string): Response {
  return new Response(JSON.stringify({ error: 'mock_handler_error', message }), { status: 500, headers: { 'content-type': 'application/json' } });
}

function parseCookies(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

// ---------------------------------------------------------------- request

const TOO_LARGE = Symbol('too-large');
/** The client went away before sending the whole body: nothing to answer. */
const GONE = Symbol('gone');
const EMPTY = Buffer.alloc(0);

async function readBody(req: IncomingMessage, res: ServerResponse, max: number): Promise<Buffer | typeof TOO_LARGE | typeof GONE> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > max) {
    rejectTooLarge(req, res, max);
    return TOO_LARGE;
  }
  if (hasNoBody(req)) return EMPTY;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) {
        done = true;
        rejectTooLarge(req, res, max);
        resolve(TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    const gone = () => {
      if (done) return;
      done = true;
      resolve(GONE);
    };
    req.on('error', gone);
    req.on('close', gone);
  });
}

function hasNoBody(req: IncomingMessage): boolean {
  const declared = req.headers['content-length'];
  return declared === '0' || (declared === undefined && req.headers['transfer-encoding'] === undefined);
}

function rejectTooLarge(req: IncomingMessage, res: ServerResponse, max: number): void {
  // Do not read the rest: close the connection after answering.
  const text = JSON.stringify({ error: 'payload_too_large', message: `[gauntlet mocks] request body exceeds ${max} bytes` });
  res.writeHead(413, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: 'close' });
  res.end(text, () => req.socket.destroySoon?.());
  req.pause();
}

/**
 * Just enough of a web `Request` for msw resolvers, built on demand. Anything not
 * implemented here is delegated to a real `Request` built the first time it is needed.
 */
class LazyRequest {
  private headersCache: Headers | undefined;
  private controller: AbortController | undefined;
  private real: Request | undefined;
  bodyUsed = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    readonly url: string,
    readonly method: string,
    private readonly bodyBuf: Buffer,
    private readonly inflight: Set<AbortController>,
  ) {}

  /**
   * `get`/`has` answer straight from node's parsed headers (the common case in
   * resolvers); any other use builds a real `Headers` once.
   */
  get headers(): Headers {
    if (!this.headersCache) this.headersCache = lazyHeaders(this.req) as unknown as Headers;
    return this.headersCache;
  }

  /** Aborts when the client goes away or the server closes: lets hung resolvers end. */
  get signal(): AbortSignal {
    if (!this.controller) {
      const c = new AbortController();
      this.controller = c;
      this.inflight.add(c);
      const onClose = () => {
        this.inflight.delete(c);
        if (!this.res.writableFinished) c.abort(new Error('client closed the connection'));
      };
      if (this.res.closed) onClose();
      else this.res.once('close', onClose);
    }
    return this.controller.signal;
  }

  async text(): Promise<string> {
    this.bodyUsed = true;
    return this.bodyBuf.toString('utf8');
  }

  async json(): Promise<unknown> {
    this.bodyUsed = true;
    return JSON.parse(this.bodyBuf.toString('utf8')) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    this.bodyUsed = true;
    return this.bodyBuf.buffer.slice(this.bodyBuf.byteOffset, this.bodyBuf.byteOffset + this.bodyBuf.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array> {
    this.bodyUsed = true;
    return new Uint8Array(this.bodyBuf);
  }

  async blob(): Promise<Blob> {
    this.bodyUsed = true;
    return new Blob([new Uint8Array(this.bodyBuf)], { type: this.headers.get('content-type') ?? '' });
  }

  formData(): Promise<FormData> {
    return this.toRealRequest().formData();
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.toRealRequest().body;
  }

  clone(): LazyRequest {
    return new LazyRequest(this.req, this.res, this.url, this.method, this.bodyBuf, this.inflight);
  }

  get cache(): RequestCache {
    return 'default';
  }
  get credentials(): RequestCredentials {
    return 'same-origin';
  }
  get mode(): RequestMode {
    return 'cors';
  }
  get redirect(): RequestRedirect {
    return 'follow';
  }
  get keepalive(): boolean {
    return false;
  }

  toRealRequest(): Request {
    if (!this.real) {
      const hasBody = this.method !== 'GET' && this.method !== 'HEAD' && this.bodyBuf.length > 0;
      this.real = new Request(this.url, {
        method: this.method,
        headers: buildHeaders(this.req),
        body: hasBody ? new Uint8Array(this.bodyBuf) : undefined,
        signal: this.signal,
      });
    }
    return this.real;
  }
}

function buildHeaders(req: IncomingMessage): Headers {
  const h = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      h.append(raw[i] as string, raw[i + 1] as string);
    } catch {
      // A header value the fetch spec rejects: skip it rather than fail the call.
    }
  }
  return h;
}

/** A Headers look-alike whose `get`/`has` skip building a real Headers. */
function lazyHeaders(req: IncomingMessage): object {
  let real: Headers | undefined;
  const build = (): Headers => (real ??= buildHeaders(req));
  return new Proxy(
    {},
    {
      get(_t, prop) {
        if (prop === 'get' && !real) {
          return (name: string) => {
            const v = req.headers[name.toLowerCase()];
            if (v === undefined) return null;
            return Array.isArray(v) ? v.join(', ') : v;
          };
        }
        if (prop === 'has' && !real) return (name: string) => req.headers[name.toLowerCase()] !== undefined;
        const h = build();
        const value = Reflect.get(h, prop, h) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(h) : value;
      },
      getPrototypeOf: () => Headers.prototype,
    },
  );
}

// ---------------------------------------------------------------- response

const kTextBody = Symbol.for('gauntlet.mocks.textBody');

/**
 * A `Response` whose string body is kept as a string until someone asks for a stream.
 * A web Response eagerly wraps a string body in a ReadableStream, which profiling
 * showed costs more than a whole bare node:http request; the mock server writes
 * this body directly. Reading it (`text`, `json`, `arrayBuffer`, `body`, `clone`)
 * behaves like any Response, so msw's own `getResponse` can serve it too.
 *
 * @example
 * http.get('/v1/health', () => new TextBodyResponse('{"status":"ok"}', { headers: { 'Content-Type': 'application/json' } }))
 */
export class TextBodyResponse extends Response {
  private [kTextBody]: string;
  /** @internal */
  used = false;

  constructor(text: string, init: ResponseInit = {}) {
    super(null, init);
    this[kTextBody] = text;
  }

  private consume(): string {
    if (this.used) throw new TypeError('Body is unusable: Body has already been read');
    this.used = true;
    return this[kTextBody];
  }

  /** @internal used by the `body` accessor below. */
  streamBody(): ReadableStream<Uint8Array> {
    const bytes = new TextEncoder().encode(this[kTextBody]);
    return new ReadableStream({
      start: (c) => {
        c.enqueue(bytes);
        c.close();
      },
    });
  }

  override async text(): Promise<string> {
    return this.consume();
  }

  override async json(): Promise<any> {
    return JSON.parse(this.consume()) as unknown;
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = new TextEncoder().encode(this.consume());
    return bytes.buffer as ArrayBuffer;
  }

  override async blob(): Promise<Blob> {
    return new Blob([this.consume()], { type: this.headers.get('content-type') ?? '' });
  }

  override clone(): TextBodyResponse {
    if (this.used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new TextBodyResponse(this[kTextBody], { status: this.status, statusText: this.statusText, headers: this.headers });
  }
}

// `body`/`bodyUsed` are accessors on Response.prototype; shadow them once on the
// subclass prototype (per-instance defineProperty measurably slowed every response).
Object.defineProperty(TextBodyResponse.prototype, 'body', {
  get(this: TextBodyResponse) {
    return this.streamBody();
  },
  configurable: true,
});
Object.defineProperty(TextBodyResponse.prototype, 'bodyUsed', {
  get(this: TextBodyResponse) {
    return this.used;
  },
  configurable: true,
});

function textBodyOf(response: Response): string | undefined {
  if (!(kTextBody in response)) return undefined;
  const r = response as unknown as { [kTextBody]: string; used: boolean };
  return r.used ? undefined : r[kTextBody];
}

/** Write a web Response to node's response. `Response.error()` resets the connection. */
async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  if (response.type === 'error') {
    res.socket?.destroy();
    res.destroy();
    return;
  }
  if (res.destroyed) return;
  const headers: string[] = [];
  let declaredLength = -1;
  response.headers.forEach((value, key) => {
    if (key === 'set-cookie') return;
    if (key === 'content-length') declaredLength = Number(value);
    headers.push(key, value);
  });
  for (const c of response.headers.getSetCookie()) headers.push('set-cookie', c);

  const fast = textBodyOf(response) ?? stringSource(response);
  if (fast !== undefined) {
    const len = typeof fast === 'string' ? Buffer.byteLength(fast) : fast.byteLength;
    if (declaredLength > len) {
      // Declared more than we have: send what exists, then cut the connection (a truncated response).
      res.writeHead(response.status, response.statusText, headers);
      res.write(fast, () => res.destroy());
      return;
    }
    if (declaredLength === -1) headers.push('content-length', String(len));
    res.writeHead(response.status, response.statusText, headers);
    res.end(fast);
    return;
  }

  res.writeHead(response.status, response.statusText, headers);
  if (!response.body) {
    if (declaredLength > 0) res.destroy();
    else res.end();
    return;
  }
  const reader = response.body.getReader();
  const onClose = () => void reader.cancel().catch(() => undefined);
  res.once('close', onClose);
  let sent = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      sent += value.byteLength;
      res.write(value);
    }
  } catch {
    res.destroy();
    return;
  } finally {
    res.off('close', onClose);
  }
  if (declaredLength > sent) res.destroy();
  else res.end();
}

/**
 * Fast path: undici keeps a string/bytes body's source on its internal state
 * (msw's own interceptors read the same field). Falls back to streaming if absent.
 */
function stringSource(response: Response): string | Uint8Array | undefined {
  if (response.bodyUsed) return undefined;
  const proto = Object.getPrototypeOf(response) as object;
  let sym = stateSymbolCache.get(proto);
  if (sym === undefined) {
    sym = findStateSymbol(response);
    stateSymbolCache.set(proto, sym);
  }
  if (sym === null) return undefined;
  const state = (response as unknown as Record<symbol, { body?: { source?: unknown } | null } | undefined>)[sym];
  if (!state) return undefined;
  if (state.body === null || state.body === undefined) return '';
  const source = state.body.source;
  if (typeof source === 'string' || source instanceof Uint8Array) return source;
  return undefined;
}

function findStateSymbol(response: Response): symbol | null {
  let obj: object | null = response;
  while (obj) {
    for (const s of Object.getOwnPropertySymbols(obj)) if (s.description === 'state') return s;
    obj = Object.getPrototypeOf(obj) as object | null;
  }
  return null;
}

function failResponse(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify({ error: code, message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
