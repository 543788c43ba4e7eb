import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/** One readiness probe's outcome; `detail` is a short phrase for messages ("connection refused"). */
export interface ProbeResult {
  ok: boolean;
  detail: string;
}

/** How the driver decides a connector is ready: GET a path → 2xx, or a TCP connect. */
export type ReadinessTarget =
  | { kind: 'http'; url: URL }
  | { kind: 'tcp'; host: string; port: number };

export function describeTarget(target: ReadinessTarget): string {
  return target.kind === 'http' ? `GET ${target.url.pathname}${target.url.search}` : `TCP connect to port ${target.port}`;
}

/** Short, stable phrases for the socket errors a misbehaving connector causes. */
export function describeSocketError(err: unknown, timeoutMs: number): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EPIPE':
      return 'connection closed';
    case 'PROBE_TIMEOUT':
      return `no answer within ${timeoutMs} ms`;
    case 'HPE_HEADER_OVERFLOW':
      return 'response headers too large';
    default:
      if (code.startsWith('HPE_')) return `not an HTTP response (${code})`;
      return code ? code.toLowerCase() : err instanceof Error ? err.message.slice(0, 200) : 'unknown error';
  }
}

function timeoutError(): Error {
  return Object.assign(new Error('probe timed out'), { code: 'PROBE_TIMEOUT' });
}

/**
 * One bounded probe. Never throws, never reads a response body (a connector may
 * stream one forever), and always destroys its socket.
 */
export function probe(target: ReadinessTarget, timeoutMs: number): Promise<ProbeResult> {
  return target.kind === 'http' ? probeHttp(target.url, timeoutMs) : probeTcp(target.host, target.port, timeoutMs);
}

export function probeHttp(url: URL, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, {
      method: 'GET',
      agent: false,
      headers: { connection: 'close', accept: '*/*' },
      // Loopback test certificates are self-signed; readiness is not a trust decision.
      ...(url.protocol === 'https:' ? { rejectUnauthorized: false } : {}),
    });
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, detail: describeSocketError(timeoutError(), timeoutMs) }), timeoutMs);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      res.on('error', () => undefined);
      res.destroy();
      finish({ ok: status >= 200 && status < 300, detail: `HTTP ${status}` });
    });
    req.on('error', (err) => finish({ ok: false, detail: describeSocketError(err, timeoutMs) }));
    req.end();
  });
}

export function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const socket = net.connect({ host, port });
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, detail: describeSocketError(timeoutError(), timeoutMs) }), timeoutMs);
    socket.on('connect', () => finish({ ok: true, detail: 'port open' }));
    socket.on('error', (err) => finish({ ok: false, detail: describeSocketError(err, timeoutMs) }));
  });
}

export interface WaitReadyOptions {
  /** Whole budget for becoming ready. */
  timeoutMs: number;
  /** Upper bound of one probe (default 1000 ms). */
  probeTimeoutMs?: number;
  now?: () => number;
  /** Checked before each probe: stop waiting (e.g. the process exited). */
  shouldStop?: () => boolean;
  /** Resolves to wake the wait early (process exit, abort). */
  wake?: Promise<unknown>;
}

export type WaitReadyResult = { ready: true } | { ready: false; stopped: boolean; lastDetail: string };

const MIN_BACKOFF_MS = 20;
const MAX_BACKOFF_MS = 250;

/**
 * Probe until ready, stopped or out of time. The last probe is shortened to the
 * remaining budget, so the wait never overruns `timeoutMs` by more than a timer tick.
 */
export async function waitUntilReady(target: ReadinessTarget, options: WaitReadyOptions): Promise<WaitReadyResult> {
  const now = options.now ?? Date.now;
  const probeCap = options.probeTimeoutMs ?? 1000;
  const deadline = now() + options.timeoutMs;
  let backoff = MIN_BACKOFF_MS;
  let lastDetail = 'not probed yet';
  // The count bound backs up the clock bound, should an injected clock stand still.
  const maxAttempts = Math.ceil(options.timeoutMs / MIN_BACKOFF_MS) + 2;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    if (options.shouldStop?.()) return { ready: false, stopped: true, lastDetail };
    const remaining = deadline - now();
    if (remaining <= 0) break;
    const probeMs = Math.max(1, Math.min(probeCap, remaining));
    const result = await raceWake(probe(target, probeMs), options.wake);
    if (result === WOKEN) return { ready: false, stopped: true, lastDetail };
    if (result.ok) return { ready: true };
    // A probe cut short by the budget says little; keep the cause a full probe found.
    const cutShort = probeMs < probeCap && result.detail.startsWith('no answer within');
    if (!cutShort || attempt === 0) lastDetail = result.detail;
    const pause = Math.min(backoff, deadline - now());
    if (pause <= 0) break;
    if ((await raceWake(sleep(pause), options.wake)) === WOKEN) return { ready: false, stopped: true, lastDetail };
    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
  }
  return { ready: false, stopped: options.shouldStop?.() ?? false, lastDetail };
}

const WOKEN: unique symbol = Symbol('woken');

function raceWake<T>(p: Promise<T>, wake: Promise<unknown> | undefined): Promise<T | typeof WOKEN> {
  return wake ? Promise.race([p, wake.then((): typeof WOKEN => WOKEN)]) : p;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
