import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { GauntletError } from '../errors.js';
import type { Delivery, DeliveryErrorKind, DeliveryOutcome } from '../model/delivery.js';

export interface WebhookSenderOptions {
  /** Connector base URL, e.g. `http://127.0.0.1:4100`. */
  baseUrl: string;
  /** Webhook path from the manifest, e.g. `/webhooks`. */
  path: string;
  /** Default bound for a whole exchange (connect, headers, body). */
  timeoutMs: number;
  /** Response body kept up to this many bytes; more ends the exchange (`response-too-large`). */
  maxResponseBytes?: number;
  /** Response header block cap, enforced by node's HTTP parser (`headers-too-large`). */
  maxHeaderBytes?: number;
  /** Keep-alive socket pool size. */
  maxSockets?: number;
}

export interface SendOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RawRequest {
  body: Buffer | string;
  /** Sent verbatim; `content-length` is added unless given. */
  headers: Record<string, string>;
  method?: string;
  /** Defaults to the sender's webhook path. */
  path?: string;
}

const KIB = 1024;
/** Sentinel: the attempt failed on a stale pooled socket before any answer. */
const RETRY = Symbol('retry');

/** `64 KiB`, `1 MiB`, or bytes when not a whole number of either. */
function capText(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

/** node error codes → outcome kinds. Anything the HTTP parser rejects is the connector speaking non-HTTP. */
function kindOf(err: NodeJS.ErrnoException): DeliveryErrorKind {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return 'connection-refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return 'connection-reset';
  if (code === 'HPE_HEADER_OVERFLOW') return 'headers-too-large';
  if (code.startsWith('HPE_')) return 'protocol-error';
  if (code === 'ABORT_ERR') return 'aborted';
  return 'other';
}

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/**
 * Posts deliveries to a connector's webhook endpoint over node:http with a bounded keep-alive pool.
 * The connector is untrusted: every exchange ends by its deadline, the body and headers are capped,
 * and misbehaviour (refused, reset, garbage, giant answers) comes back as `DeliveryOutcome.error`;
 * `send` never rejects.
 *
 * @example
 * const sender = new WebhookSender({ baseUrl: 'http://127.0.0.1:4100', path: '/webhooks', timeoutMs: 5000 });
 * const outcome = await sender.send(buildDelivery({ scheme, secret, body: event, label: 'valid' }));
 * sender.close();
 */
export class WebhookSender {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;
  private readonly path: string;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly maxHeaderBytes: number;
  /**
   * One abort listener per signal, fanning out to in-flight exchanges: a run signal shared by
   * dozens of concurrent sends would otherwise trip node's listener-leak warning.
   */
  private readonly watchers = new WeakMap<AbortSignal, Set<() => void>>();

  constructor(o: WebhookSenderOptions) {
    let url: URL;
    try {
      url = new URL(o.baseUrl);
    } catch (cause) {
      throw new GauntletError('GAUNTLET_ERR_INTERNAL', `WebhookSender: baseUrl ${JSON.stringify(o.baseUrl)} is not a URL`, {
        problems: [{ path: 'baseUrl', reason: 'expected http://host:port' }],
        cause,
      });
    }
    if (url.protocol !== 'http:') {
      throw new GauntletError('GAUNTLET_ERR_INTERNAL', `WebhookSender: only http: is supported (got ${url.protocol})`, {
        problems: [{ path: 'baseUrl', reason: 'connectors are reached over plain HTTP on loopback' }],
      });
    }
    if (!(o.timeoutMs > 0)) {
      throw new GauntletError('GAUNTLET_ERR_INTERNAL', 'WebhookSender: timeoutMs must be > 0', { problems: [{ path: 'timeoutMs', reason: 'must be > 0' }] });
    }
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = url.port ? Number(url.port) : 80;
    const base = url.pathname.replace(/\/+$/, '');
    this.path = base + (o.path.startsWith('/') ? o.path : `/${o.path}`);
    this.timeoutMs = o.timeoutMs;
    this.maxResponseBytes = o.maxResponseBytes ?? 64 * KIB;
    this.maxHeaderBytes = o.maxHeaderBytes ?? 16 * KIB;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: o.maxSockets ?? 32, maxFreeSockets: o.maxSockets ?? 32 });
  }

  /** POSTs the delivery's exact bytes and headers. */
  send(delivery: Delivery, opts: SendOptions = {}): Promise<DeliveryOutcome> {
    return this.exchange('POST', this.path, delivery.headers, delivery.body, opts);
  }

  /** Arbitrary bytes with arbitrary headers (wrong content type, invalid UTF-8, other methods). */
  sendRaw(req: RawRequest, opts: SendOptions = {}): Promise<DeliveryOutcome> {
    const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
    return this.exchange(req.method ?? 'POST', req.path ?? this.path, req.headers, body, opts);
  }

  /** Destroys pooled sockets. Sends after close still work (on fresh sockets). */
  close(): void {
    this.agent.destroy();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private watch(signal: AbortSignal, onAbort: () => void): () => void {
    let set = this.watchers.get(signal);
    if (!set) {
      const fresh = new Set<() => void>();
      set = fresh;
      this.watchers.set(signal, fresh);
      signal.addEventListener('abort', () => {
        for (const f of [...fresh]) f();
        fresh.clear();
      }, { once: true });
    }
    set.add(onAbort);
    const current = set;
    return () => void current.delete(onAbort);
  }

  private exchange(method: string, path: string, headers: Record<string, string>, body: Buffer, opts: SendOptions): Promise<DeliveryOutcome> {
    const started = performance.now();
    const deadline = started + (opts.timeoutMs ?? this.timeoutMs);
    return this.once(method, path, headers, body, started, deadline, opts.signal).then((outcome) =>
      // A pooled socket the server closed while idle fails before any byte of the answer: the
      // request almost surely never reached the connector, so one retry on a fresh socket is
      // allowed. (Were it a duplicate after all, a conforming connector absorbs duplicates.)
      outcome === RETRY && performance.now() < deadline
        ? (this.once(method, path, headers, body, started, deadline, opts.signal, false) as Promise<DeliveryOutcome>)
        : outcome === RETRY
          ? { status: null, headers: {}, body: '', bodyTruncated: false, durationMs: performance.now() - started, error: { kind: 'connection-reset' as const, message: 'connection reset on a reused socket' } }
          : outcome,
    );
  }

  private once(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: Buffer,
    started: number,
    deadline: number,
    signal: AbortSignal | undefined,
    mayRetry = true,
  ): Promise<DeliveryOutcome | typeof RETRY> {
    return new Promise((resolve) => {
      let status: number | null = null;
      let resHeaders: Record<string, string> = {};
      const chunks: Buffer[] = [];
      let kept = 0;
      let truncated = false;
      let done = false;
      let req: http.ClientRequest | undefined;
      let unwatch: (() => void) | undefined;

      const finish = (error?: { kind: DeliveryErrorKind; message: string }, retryable = false): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        unwatch?.();
        if (retryable && mayRetry) {
          req?.destroy();
          return resolve(RETRY);
        }
        const o: DeliveryOutcome = {
          status,
          headers: resHeaders,
          body: kept === 0 ? '' : Buffer.concat(chunks, kept).toString('utf8'),
          bodyTruncated: truncated,
          durationMs: performance.now() - started,
        };
        if (error) o.error = error;
        // Any early end leaves the socket mid-exchange: destroy it so the pool never reuses it.
        if (error) req?.destroy();
        resolve(o);
      };
      const onAbort = (): void => finish({ kind: 'aborted', message: 'delivery aborted by the run' });
      const remaining = Math.max(0, deadline - performance.now());
      const timer = setTimeout(
        () => finish({ kind: 'timeout', message: `no complete response within ${Math.round(deadline - started)} ms${status === null ? ' (no status line)' : ` (status ${status} received, body unfinished)`}` }),
        remaining,
      );
      if (signal?.aborted) return onAbort();
      if (signal) unwatch = this.watch(signal, onAbort);

      const hdrs: Record<string, string | number> = { ...headers };
      if (!Object.keys(hdrs).some((k) => k.toLowerCase() === 'content-length')) hdrs['content-length'] = body.length;
      try {
        req = http.request({ agent: this.agent, host: this.host, port: this.port, method, path, headers: hdrs, maxHeaderSize: this.maxHeaderBytes });
      } catch (err) {
        // Invalid header names/values are a harness bug in the case, not connector behaviour.
        return finish({ kind: 'other', message: `request not sendable: ${(err as Error).message}` });
      }
      req.on('error', (err: NodeJS.ErrnoException) => {
        const kind = kindOf(err);
        finish({ kind, message: `${err.code ?? 'error'}: ${err.message}` }, kind === 'connection-reset' && req!.reusedSocket && status === null);
      });
      req.on('response', (res) => {
        status = res.statusCode ?? null;
        resHeaders = flatHeaders(res.headers);
        res.on('data', (chunk: Buffer) => {
          if (done) return;
          const room = this.maxResponseBytes - kept;
          if (chunk.length > room) {
            if (room > 0) {
              chunks.push(chunk.subarray(0, room));
              kept += room;
            }
            truncated = true;
            return finish({ kind: 'response-too-large', message: `response body exceeded the ${capText(this.maxResponseBytes)} cap` });
          }
          chunks.push(chunk);
          kept += chunk.length;
        });
        res.on('end', () => finish());
        res.on('aborted', () => finish({ kind: 'connection-reset', message: 'connection closed mid-response' }));
        res.on('error', (err: NodeJS.ErrnoException) => finish({ kind: kindOf(err) === 'other' ? 'connection-reset' : kindOf(err), message: `${err.code ?? 'error'}: ${err.message}` }));
      });
      req.end(body);
    });
  }
}
