/**
 * One mock call from arrival to ledger entry, shared by the hub and the acquirer:
 * read the body, pick an injected fault, run the route's work (auth, idempotency,
 * effect) under it, and record exactly one ledger entry for the call.
 */
import type { Ledger, LedgerEntry, LedgerTarget } from '../../harness/model/ledger.js';
import type { FaultSpec } from '../../harness/sandbox/types.js';
import { answerWithFault, type FaultBook } from '../faults.js';
import { findObjectIds } from './object-ids.js';
import { IdempotencyStore, readIdempotencyKey, type Claim } from './idempotency.js';
import { fingerprint, ledgerBody, readRequestBody, type ParsedBody } from './request-body.js';

/** Ledger fields the route's work decides. */
export interface WorkEntry {
  committed: boolean;
  idempotentReplay?: boolean;
  clientId?: string;
  tokenId?: string;
  scope?: string;
}

export interface CallContext {
  request: Request;
  method: string;
  path: string;
  params: Record<string, string>;
  body: ParsedBody;
}

export interface CallSpec {
  target: LedgerTarget;
  ledger: Ledger;
  faults: FaultBook;
  method: string;
  /** Route template as the ledger shows it: `/v1/payments/{id}`. */
  route: string;
  /** Fault applied when no injected rule matches (msw-style `acquirer.refund(behaviour)`). */
  fault?: FaultSpec;
  /** Honor Idempotency-Key (scoped by `idempotencyScope`). */
  idempotency?: { store: IdempotencyStore; scope: (ctx: CallContext) => string };
  /** Fields known before the work runs (e.g. the token id a request carries). */
  baseFields?: (ctx: CallContext) => Partial<LedgerEntry>;
  /** Redact the body before the ledger sees it (e.g. client secrets). */
  redactBody?: (ctx: CallContext) => string | undefined;
  /** Checks before the idempotency claim (auth). A Response ends the call there. */
  guard?: (ctx: CallContext) => { response?: Response; entry: Partial<WorkEntry> };
  /** The effect. Runs after the claim and the `pause` of a delay fault. */
  perform: (ctx: CallContext, entry: Partial<WorkEntry>) => Promise<{ response: Response; committed: boolean }> | { response: Response; committed: boolean };
  /** Called for a call whose work succeeded (2xx or committed). */
  onSuccess?: (entry: Partial<WorkEntry>) => void;
}

export async function runCall(spec: CallSpec, request: Request, params: Record<string, string>): Promise<Response> {
  const path = pathOf(request.url);
  const method = spec.method;
  const body: ParsedBody =
    method === 'GET' || method === 'HEAD' ? { raw: '', params: undefined, invalid: false } : await readRequestBody(request);
  const ctx: CallContext = { request, method, path, params, body };
  const { key, error: keyError } = spec.idempotency ? readIdempotencyKey(request) : { key: undefined };
  const base: Partial<LedgerEntry> = {
    ...spec.baseFields?.(ctx),
    idempotencyKey: key,
    requestBody: spec.redactBody ? spec.redactBody(ctx) : ledgerBody(body.raw),
  };
  const objectIds = findObjectIds(path, body.params ?? (body.raw ? body.raw : undefined));

  // A faulted call's entry learns later whether the client gave up on it (clause 9 evidence).
  let recorded: LedgerEntry | undefined;
  let abandonedAfterMs: number | undefined;
  return answerWithFault<Partial<WorkEntry>>({
    fault: spec.faults.take(method, path) ?? spec.fault,
    signal: () => request.signal,
    onAbandoned: (afterMs) => {
      abandonedAfterMs = afterMs;
      if (recorded) recorded.abandonedAfterMs = afterMs;
    },
    record: (entry, status, fault) => {
      recorded = spec.ledger.record({
        target: spec.target,
        method,
        path,
        route: spec.route,
        objectIds,
        ...base,
        ...entry,
        status,
        committed: entry?.committed ?? false,
        fault,
        ...(abandonedAfterMs !== undefined ? { abandonedAfterMs } : {}),
      });
      if (entry && ((status !== null && status >= 200 && status < 300) || entry.committed)) spec.onSuccess?.(entry);
    },
    work: async (pause) => {
      const guarded = spec.guard?.(ctx) ?? { entry: {} };
      const entry: Partial<WorkEntry> = { ...guarded.entry };
      if (guarded.response) return { response: guarded.response, entry: { ...entry, committed: false } };
      if (keyError) return { response: keyError, entry: { ...entry, committed: false } };

      let claim: Claim | undefined;
      if (spec.idempotency && key !== undefined) {
        claim = spec.idempotency.store.claim(spec.idempotency.scope(ctx), key, fingerprint(method, path, body));
        if (claim.kind === 'replay') return { response: claim.response, entry: { ...entry, committed: false, idempotentReplay: true } };
        if (claim.kind === 'conflict') return { response: claim.response, entry: { ...entry, committed: false } };
      }
      try {
        await pause();
        const done = await spec.perform(ctx, entry);
        if (claim?.kind === 'fresh') await claim.complete(done.response);
        return { response: done.response, entry: { ...entry, committed: done.committed, idempotentReplay: claim ? false : undefined } };
      } catch (err) {
        if (claim?.kind === 'fresh') claim.release();
        throw err;
      }
    },
  });
}

/** Path of an absolute URL without parsing the whole URL. */
export function pathOf(url: string): string {
  const scheme = url.indexOf('://');
  const start = scheme === -1 ? 0 : url.indexOf('/', scheme + 3);
  if (start === -1) return '/';
  const q = url.indexOf('?', start);
  return q === -1 ? url.slice(start) : url.slice(start, q);
}

/** Ledger entry for a request no mock route answered (the server answers 500). */
export async function recordUnhandled(ledger: Ledger, target: LedgerTarget, request: Request, path: string): Promise<void> {
  const raw = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text().catch(() => '');
  ledger.record({
    target,
    method: request.method,
    path,
    route: undefined,
    status: 500,
    committed: false,
    objectIds: findObjectIds(path, raw || undefined),
    fault: undefined,
    requestBody: ledgerBody(raw),
  });
}

/** Ledger entry for a request the server refused before any route saw it (413). */
export function recordRefused(ledger: Ledger, target: LedgerTarget, method: string, path: string, status: number): void {
  ledger.record({ target, method, path, route: undefined, status, committed: false, objectIds: findObjectIds(path, undefined), fault: undefined });
}
