// Outbound HTTP to the hub and the acquirer: OAuth token cache, per-attempt timeouts,
// bounded retries with jittered exponential backoff honoring Retry-After, and one
// Idempotency-Key reused by every attempt of the same logical call (clause 6.9).

import { describeError } from './log.mjs';

export const DEFAULTS = {
  attemptTimeoutMs: 3000, // below the manifest's sla.outboundTimeoutMs (5000)
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 4000,
  maxRetryAfterMs: 30_000,
  maxResponseBytes: 64 * 1024,
};

export class PermanentFailure extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'PermanentFailure';
    this.status = status;
  }
}

export class Cancelled extends Error {
  constructor() {
    super('cancelled before the call');
    this.name = 'Cancelled';
  }
}

export class AuthUnavailable extends Error {
  constructor(message) {
    super(message);
    this.name = 'AuthUnavailable';
  }
}

/** The hub refused a token it had just issued: revoked or under-scoped. Retrying now cannot help. */
export class AuthRejected extends AuthUnavailable {
  constructor(message) {
    super(message);
    this.name = 'AuthRejected';
  }
}

/** Sleep that a shutdown can cut short. */
export function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Full-jitter exponential backoff: random in [0, min(max, base·2^n)]. */
export function backoffMs(attempt, base = DEFAULTS.baseDelayMs, max = DEFAULTS.maxDelayMs) {
  const ceiling = Math.min(max, base * 2 ** attempt);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value, now = Date.now()) {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Reads at most `cap` bytes of a response body, then stops. */
async function readCapped(res, cap) {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > cap) break;
      parts.push(value);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return Buffer.concat(parts).toString('utf8');
}

/**
 * Client-credentials token cache. One token covers every scope the connector uses;
 * refreshed shortly before expiry and single-flighted, and after a rejected token
 * request it backs off exponentially so a revoked client never causes a storm.
 */
export class TokenCache {
  constructor({ hubUrl, clientId, clientSecret, scopes, log, fetchImpl = fetch, now = Date.now, opts = DEFAULTS }) {
    Object.assign(this, { hubUrl, clientId, clientSecret, scopes, log, fetchImpl, now, opts });
    this.token = undefined;
    this.expiresAt = 0;
    this.pending = undefined;
    this.failures = 0;
    this.blockedUntil = 0;
  }

  async get() {
    const now = this.now();
    if (this.token && now < this.expiresAt) return this.token;
    if (now < this.blockedUntil) throw new AuthUnavailable('token endpoint backing off');
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forget a token the hub rejected (only if it is still the current one). */
  invalidate(token) {
    if (this.token === token) {
      this.token = undefined;
      this.expiresAt = 0;
    }
  }

  async fetchToken() {
    const body = new URLSearchParams({ grant_type: 'client_credentials', scope: this.scopes.join(' ') });
    const basic = Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64');
    let res;
    try {
      res = await this.fetchImpl(`${this.hubUrl}/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(this.opts.attemptTimeoutMs),
      });
    } catch (err) {
      this.block();
      throw new AuthUnavailable(`token request failed: ${describeError(err)}`);
    }
    const text = await readCapped(res, this.opts.maxResponseBytes).catch(() => '');
    if (!res.ok) {
      this.block();
      this.log.warn('token request rejected', { status: res.status, outcome: 'auth-failed' });
      throw new AuthUnavailable(`token request answered ${res.status}`);
    }
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed.access_token !== 'string' || parsed.access_token === '') {
      this.block();
      throw new AuthUnavailable('token response malformed');
    }
    const ttlSec = Number.isFinite(parsed.expires_in) && parsed.expires_in > 0 ? parsed.expires_in : 300;
    // Refresh ahead of expiry: 20% of the lifetime, at most 30 s early.
    const marginMs = Math.min(30_000, ttlSec * 200);
    this.token = parsed.access_token;
    this.expiresAt = this.now() + ttlSec * 1000 - marginMs;
    this.failures = 0;
    this.blockedUntil = 0;
    return this.token;
  }

  block() {
    this.failures += 1;
    this.blockedUntil = this.now() + backoffMs(this.failures, 500, 60_000);
  }
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * One logical call with bounded retries. `beforeAttempt` (may be async) runs right before
 * every attempt (the refund path uses it to re-check cancellation) and may throw `Cancelled`.
 * Returns `{ status, text }` for a 2xx; throws `PermanentFailure`, `AuthUnavailable`,
 * `Cancelled`, or the last transient error once attempts are exhausted.
 */
export async function callWithRetry({ url, method, body, idempotencyKey, tokens, beforeAttempt, log, logFields, fetchImpl = fetch, signal, opts = DEFAULTS }) {
  let refreshedAfter401 = false;
  let lastError;
  for (let attempt = 0; attempt < opts.maxAttempts; attempt += 1) {
    if (signal?.aborted) throw new Cancelled();
    let delayMs;
    try {
      await beforeAttempt?.();
      const headers = { 'content-type': 'application/json', accept: 'application/json' };
      // Same key on every attempt: a retry after a timeout that actually committed is replayed, not repeated.
      if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
      let token;
      if (tokens) {
        token = await tokens.get();
        headers.authorization = `Bearer ${token}`;
      }
      const res = await fetchImpl(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(opts.attemptTimeoutMs),
      });
      const text = await readCapped(res, opts.maxResponseBytes);
      if (res.ok) return { status: res.status, text };
      if (res.status === 401 && tokens) {
        tokens.invalidate(token);
        if (!refreshedAfter401) {
          // One immediate refresh covers an expired or rotated token; a second 401 means revoked.
          refreshedAfter401 = true;
          attempt -= 1;
          continue;
        }
        throw new AuthRejected('hub rejected a fresh token');
      }
      if (!RETRYABLE_STATUS.has(res.status)) throw new PermanentFailure(`answered ${res.status}`, res.status);
      lastError = new Error(`answered ${res.status}`);
      const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
      if (retryAfter !== undefined && retryAfter > opts.maxRetryAfterMs) throw new PermanentFailure(`Retry-After beyond ${opts.maxRetryAfterMs} ms`, res.status);
      delayMs = retryAfter ?? backoffMs(attempt, opts.baseDelayMs, opts.maxDelayMs);
      log.warn('outbound retryable status', { ...logFields, status: res.status, attempt: attempt + 1, delay_ms: delayMs });
    } catch (err) {
      if (err instanceof PermanentFailure || err instanceof Cancelled || err instanceof AuthRejected) throw err;
      if (err instanceof AuthUnavailable && attempt + 1 >= opts.maxAttempts) throw err;
      lastError = err;
      delayMs = backoffMs(attempt, opts.baseDelayMs, opts.maxDelayMs);
      log.warn('outbound attempt failed', { ...logFields, error: describeError(err), attempt: attempt + 1, delay_ms: delayMs });
    }
    if (attempt + 1 < opts.maxAttempts) await sleep(delayMs, signal);
  }
  throw lastError ?? new Error('attempts exhausted');
}
