/**
 * Injected faults (contract clause 9), shared by the hub and the acquirer.
 *
 * Where the fault strikes matters for the oracle, so each kind says whether the
 * route's work (and so its committed effect) happens:
 *  - before the work, no effect: `hang`, `status`, `reset`, `malformed` (like a proxy
 *    or load balancer failing in front of the service);
 *  - around the work, effect committed: `delay` (the work waits `ms` first: a slow server),
 *    `truncated` and `slow-body` (the answer is damaged in transit), and
 *    `commit-then-hang` (the effect happens, the answer never comes).
 * Everything is built from msw primitives: `delay()`, `HttpResponse.error()`, and
 * responses whose declared length or body stream misbehaves.
 */
import { jsonResponse } from './hub/json-response.js';
import { delay, HttpResponse } from 'msw';
import { GauntletError } from '../harness/errors.js';
import type { FaultRule, FaultSpec } from '../harness/sandbox/types.js';

/** The longest delay/slow-body a rule may ask for: a run must stay bounded. */
export const MAX_FAULT_MS = 10 * 60_000;
/** Pieces a `slow-body` answer is dribbled in. */
const SLOW_BODY_PIECES = 8;

/** Short text for the ledger's `fault` field, e.g. `status:503`, `delay:200ms`. */
export function faultLabel(spec: FaultSpec): string {
  switch (spec.kind) {
    case 'delay':
    case 'slow-body':
      return `${spec.kind}:${spec.ms}ms`;
    case 'status':
      return `status:${spec.status}`;
    default:
      return spec.kind;
  }
}

/** Throws a coded error naming the field when a spec cannot be honoured. */
export function validateFaultSpec(spec: FaultSpec, field = 'fault'): void {
  const bad = (path: string, reason: string): never => {
    throw new GauntletError('GAUNTLET_ERR_CATALOG_INVALID', `invalid fault rule: ${path} ${reason}`, { problems: [{ path, reason }] });
  };
  switch (spec.kind) {
    case 'hang':
    case 'reset':
    case 'malformed':
    case 'truncated':
    case 'commit-then-hang':
      return;
    case 'delay':
    case 'slow-body':
      if (!Number.isFinite(spec.ms) || spec.ms < 0 || spec.ms > MAX_FAULT_MS) bad(`${field}.ms`, `must be between 0 and ${MAX_FAULT_MS}`);
      return;
    case 'status':
      if (!Number.isInteger(spec.status) || spec.status < 200 || spec.status > 599) bad(`${field}.status`, 'must be an integer HTTP status 200-599');
      if (spec.retryAfterSec !== undefined && (!Number.isInteger(spec.retryAfterSec) || spec.retryAfterSec < 0))
        bad(`${field}.retryAfterSec`, 'must be a non-negative integer');
      return;
    default:
      bad(`${field}.kind`, `is unknown: ${JSON.stringify((spec as { kind: unknown }).kind)}`);
  }
}

interface CompiledRule {
  method: string;
  segments: Array<string | null>;
  fault: FaultSpec;
  remaining: number;
}

/** Parse `POST /v1/refunds`, `* /v1/payments/{id}`: `{x}`, `:x` or `*` match one segment. */
export function parseRoutePattern(route: string): { method: string; segments: Array<string | null> } {
  const m = /^\s*(\*|[A-Za-z]+)\s+(\/\S*)\s*$/.exec(route);
  if (!m) {
    throw new GauntletError('GAUNTLET_ERR_CATALOG_INVALID', `invalid fault rule: route ${JSON.stringify(route)} must look like "POST /v1/refunds"`, {
      problems: [{ path: 'route', reason: 'expected "<METHOD|*> /path"' }],
    });
  }
  const segments = (m[2] as string)
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => (/^\{[^}]*\}$/.test(s) || s.startsWith(':') || s === '*' ? null : s));
  return { method: (m[1] as string).toUpperCase(), segments };
}

/** The fault rules active on one mock service. */
export class FaultBook {
  private rules: CompiledRule[] = [];

  inject(rule: FaultRule): void {
    validateFaultSpec(rule.fault);
    if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) {
      throw new GauntletError('GAUNTLET_ERR_CATALOG_INVALID', 'invalid fault rule: times must be a positive integer', {
        problems: [{ path: 'times', reason: 'must be a positive integer' }],
      });
    }
    const { method, segments } = parseRoutePattern(rule.route);
    this.rules.push({ method, segments, fault: rule.fault, remaining: rule.times ?? Infinity });
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this call, consuming one use of the first matching rule. */
  take(method: string, path: string): FaultSpec | undefined {
    if (this.rules.length === 0) return undefined;
    const parts = path.split('/').filter((s) => s.length > 0);
    for (const rule of this.rules) {
      if (rule.remaining <= 0) continue;
      if (rule.method !== '*' && rule.method !== method) continue;
      if (rule.segments.length !== parts.length) continue;
      if (!rule.segments.every((s, i) => s === null || s === parts[i])) continue;
      rule.remaining--;
      if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
      return rule.fault;
    }
    return undefined;
  }
}

/** What a route's normal work produced. */
export interface WorkResult<E> {
  response: Response;
  /** Route-specific ledger fields (committed, clientId, …). */
  entry: E;
}

export interface FaultedCall<E> {
  fault: FaultSpec | undefined;
  /** Aborts when the client or the server goes away: ends hangs. A function: only built when needed. */
  signal: () => AbortSignal;
  /**
   * The route's work. `pause` runs after the route has claimed its idempotency key
   * and before it commits, so a `delay` fault makes a slow, in-flight request.
   */
  work: (pause: () => Promise<void>) => Promise<WorkResult<E>>;
  /** Record the call; `entry` is undefined when the work never ran. */
  record: (entry: E | undefined, status: number | null, fault: string | undefined) => void;
  /** Faulted calls only: the client went away before the answer was complete, `afterMs` after arrival. */
  onAbandoned?: (afterMs: number) => void;
}

/** Run a route's work under an optional fault and return what the client gets. */
export async function answerWithFault<E>(call: FaultedCall<E>): Promise<Response> {
  const { fault, signal, record } = call;
  const noPause = async () => undefined;
  if (!fault) {
    const r = await call.work(noPause);
    record(r.entry, r.response.status, undefined);
    return r.response;
  }
  const label = faultLabel(fault);
  if (call.onAbandoned) watchAbandonment(signal(), call.onAbandoned);
  switch (fault.kind) {
    case 'hang':
      record(undefined, null, label);
      return hang(signal());
    case 'reset':
      record(undefined, null, label);
      return HttpResponse.error();
    case 'status': {
      record(undefined, fault.status, label);
      const headers: Record<string, string> = {};
      if (fault.retryAfterSec !== undefined) headers['Retry-After'] = String(fault.retryAfterSec);
      if (fault.body !== undefined) return HttpResponse.text(fault.body, { status: fault.status, headers });
      return jsonResponse(
        { error: { type: 'injected_fault', message: `The sandbox answered ${fault.status} on purpose (chaos scenario).` } },
        { status: fault.status, headers },
      );
    }
    case 'malformed':
      record(undefined, 200, label);
      return new HttpResponse('{"id": "obj_1", "object": "refund", "amount": 10', {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      });
    case 'delay': {
      const r = await call.work(() => delay(fault.ms));
      record(r.entry, r.response.status, label);
      return r.response;
    }
    case 'truncated': {
      const r = await call.work(noPause);
      record(r.entry, r.response.status, label);
      return truncate(r.response);
    }
    case 'slow-body': {
      const r = await call.work(noPause);
      record(r.entry, r.response.status, label);
      return dribble(r.response, fault.ms);
    }
    case 'commit-then-hang': {
      const r = await call.work(noPause);
      record(r.entry, null, label);
      return hang(signal());
    }
  }
}

/** Reports when the client closes a faulted call early: how long it waited is the evidence. */
function watchAbandonment(signal: AbortSignal, onAbandoned: (afterMs: number) => void): void {
  if (signal.aborted) return;
  const started = performance.now();
  signal.addEventListener('abort', () => onAbandoned(Math.round(performance.now() - started)), { once: true });
}

/**
 * Never answers until the client or server goes away (msw's `delay('infinite')`,
 * raced with the request's abort so closing the server releases the resolver).
 */
export async function hang(signal: AbortSignal): Promise<Response> {
  if (!signal.aborted) {
    await Promise.race([delay('infinite'), new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))]);
  }
  return HttpResponse.error();
}

/** Half the body, declaring the full length: the server then cuts the connection. */
async function truncate(response: Response): Promise<Response> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const headers = new Headers(response.headers);
  const declared = Math.max(bytes.byteLength, 2);
  headers.set('Content-Length', String(declared));
  return new HttpResponse(bytes.slice(0, Math.floor(bytes.byteLength / 2)), { status: response.status, headers });
}

/** Headers at once, then the body in pieces spread over `ms`. */
async function dribble(response: Response, ms: number): Promise<Response> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const headers = new Headers(response.headers);
  headers.set('Content-Length', String(bytes.byteLength));
  const size = Math.max(1, Math.ceil(bytes.byteLength / SLOW_BODY_PIECES));
  const gap = ms / SLOW_BODY_PIECES;
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset >= bytes.byteLength) {
        controller.close();
        return;
      }
      await delay(gap);
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
  return new HttpResponse(stream, { status: response.status, headers });
}
