/**
 * The mock payment hub (contract section 5) as msw request handlers: OAuth2
 * client-credential tokens, scoped bearer auth, Stripe-like idempotency, and
 * deterministic objects for any well-formed id. Every call lands in the ledger.
 *
 * @example
 * const hub = createHub({ ledger, secrets, scopesAllowed: manifest.scopes });
 * const served = await serveHandlers(hub.handlers, { onUnhandled, maxBodyBytes: 1 << 20 });
 * hub.control.revokeAllTokens();
 */
import { jsonResponse } from './hub/json-response.js';
import { http, type HttpHandler } from 'msw';
import { GauntletError } from '../harness/errors.js';
import type { Ledger, LedgerEntry } from '../harness/model/ledger.js';
import type { FaultRule, HubControl, RunSecrets } from '../harness/sandbox/types.js';
import { FaultBook } from './faults.js';
import { runCall, type CallContext, type CallSpec, type WorkEntry } from './hub/call.js';
import { errorJson, IdempotencyStore } from './hub/idempotency.js';
import { createIdFactory, isWellFormedId, synthesizeCustomer, synthesizePayment } from './hub/objects.js';
import { ledgerBody } from './hub/request-body.js';
import { readClientCredentials, secretEquals, TokenStore, type TokenCheck } from './hub/tokens.js';

export const DEFAULT_TOKEN_TTL_SECONDS = 300;
const REALM = 'gauntlet-hub';

export interface HubOptions {
  ledger: Ledger;
  secrets: RunSecrets;
  /** Scopes the manifest requested; a token may only carry these. */
  scopesAllowed: string[];
  now?: () => number;
  tokenTtlSeconds?: number;
  /** Makes created object ids reproducible. */
  seed?: number;
}

export interface Hub {
  handlers: HttpHandler[];
  control: HubControl;
}

export function createHub(opts: HubOptions): Hub {
  const now = opts.now ?? Date.now;
  const ledger = opts.ledger;
  const faults = new FaultBook();
  const tokens = new TokenStore(now);
  const idempotency = new IdempotencyStore();
  const newId = createIdFactory(opts.seed);
  const allowed = new Set(opts.scopesAllowed);
  const used = new Set<string>();
  let ttl = opts.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  let webhooks = true;

  const nowSec = () => Math.floor(now() / 1000);

  /** Bearer-auth guard for a /v1 route needing `scope`. */
  const requireScope =
    (scope: string) =>
    (ctx: CallContext): { response?: Response; entry: Partial<WorkEntry> } => {
      const check = tokens.check(ctx.request.headers.get('authorization'));
      if (!check.ok) return { response: unauthorized(check), entry: { scope, tokenId: check.token?.id, clientId: check.token?.clientId } };
      const entry = { scope, tokenId: check.token.id, clientId: check.token.clientId };
      if (!check.token.scopes.includes(scope)) {
        const response = errorJson(403, 'insufficient_scope', `This call requires the scope ${scope}; the token has: ${check.token.scopes.join(' ') || '(none)'}.`, {
          'WWW-Authenticate': `Bearer realm="${REALM}", error="insufficient_scope", scope="${scope}"`,
        });
        return { response, entry };
      }
      return { entry };
    };

  const common = {
    target: 'hub' as const,
    ledger,
    faults,
    baseFields: (ctx: CallContext): Partial<LedgerEntry> => {
      const t = tokens.find(ctx.request.headers.get('authorization'));
      return t ? { tokenId: t.id, clientId: t.clientId } : {};
    },
  };
  // Least privilege (clause 8) counts scopes a /v1 call needed and got through with; the
  // token route also fills `scope` (the scopes it was asked for), which must not count.
  const recordUsedScope = (entry: Partial<WorkEntry>) => {
    if (entry.scope && entry.tokenId) used.add(entry.scope);
  };
  const idem = {
    store: idempotency,
    scope: (ctx: CallContext) => `${tokens.find(ctx.request.headers.get('authorization'))?.clientId ?? 'anonymous'} ${ctx.method} ${ctx.path}`,
  };

  const route = (spec: Omit<CallSpec, 'target' | 'ledger' | 'faults'>, path: string): HttpHandler => {
    const full: CallSpec = { ...common, ...spec, ...(spec.guard ? { onSuccess: recordUsedScope } : {}) };
    const resolver = ({ request, params }: { request: Request; params: Record<string, string | readonly string[] | undefined> }) =>
      runCall(full, request, params as Record<string, string>);
    return spec.method === 'GET' ? http.get(path, resolver) : http.post(path, resolver);
  };

  const token = route(
    {
      method: 'POST',
      route: '/oauth/token',
      redactBody: (ctx) => redactClientSecret(ctx),
      perform: (ctx, entry) => {
        const p = ctx.body.params;
        const creds = readClientCredentials(ctx.request.headers.get('authorization'), p);
        if (!creds) {
          return { response: oauthError(401, 'invalid_client', 'Send client credentials with HTTP Basic or client_id/client_secret form fields.'), committed: false };
        }
        if (!secretEquals(creds.clientId, opts.secrets.clientId) || !secretEquals(creds.clientSecret, opts.secrets.clientSecret)) {
          return { response: oauthError(401, 'invalid_client', 'Client authentication failed.'), committed: false };
        }
        entry.clientId = creds.clientId;
        if (tokens.isClientRevoked(creds.clientId)) {
          return { response: oauthError(401, 'invalid_client', 'This client has been revoked.'), committed: false };
        }
        if (p?.['grant_type'] !== 'client_credentials') {
          return { response: oauthError(400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported.'), committed: false };
        }
        const requested = typeof p['scope'] === 'string' ? p['scope'].split(' ').filter((s) => s.length > 0) : [...allowed];
        entry.scope = requested.join(' ');
        const extra = requested.filter((s) => !allowed.has(s));
        if (extra.length > 0) {
          return { response: oauthError(400, 'invalid_scope', `Scopes not granted to this connector: ${extra.join(' ')}.`), committed: false };
        }
        const issued = tokens.issue(creds.clientId, requested, ttl);
        entry.tokenId = issued.id;
        const response = jsonResponse(
          { access_token: issued.token, token_type: 'Bearer', expires_in: ttl, scope: requested.join(' ') },
          { headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' } },
        );
        return { response, committed: false };
      },
    },
    '/oauth/token',
  );

  const health = route({ method: 'GET', route: '/v1/health', perform: () => ({ response: jsonResponse({ status: 'ok' }), committed: false }) }, '/v1/health');

  const getPayment = route(
    {
      method: 'GET',
      route: '/v1/payments/{id}',
      guard: requireScope('payments:read'),
      perform: (ctx) => {
        const id = ctx.params['id'] ?? '';
        if (!isWellFormedId(id, 'pay')) return { response: notFound('payment', id), committed: false };
        return { response: jsonResponse(synthesizePayment(id, now())), committed: false };
      },
    },
    '/v1/payments/:id',
  );

  const getCustomer = route(
    {
      method: 'GET',
      route: '/v1/customers/{id}',
      guard: requireScope('customers:read'),
      perform: (ctx) => {
        const id = ctx.params['id'] ?? '';
        if (!isWellFormedId(id, 'cus')) return { response: notFound('customer', id), committed: false };
        return { response: jsonResponse(synthesizeCustomer(id, now())), committed: false };
      },
    },
    '/v1/customers/:id',
  );

  const riskAssessment = route(
    {
      method: 'POST',
      route: '/v1/payments/{id}/risk_assessments',
      guard: requireScope('risk:write'),
      idempotency: idem,
      perform: (ctx) => {
        const id = ctx.params['id'] ?? '';
        if (!isWellFormedId(id, 'pay')) return { response: notFound('payment', id), committed: false };
        const p = ctx.body.params;
        if (!p) return { response: invalidBody('Send a JSON object {score, decision}.'), committed: false };
        const score = typeof p['score'] === 'string' && p['score'].trim() !== '' ? Number(p['score']) : p['score'];
        const decision = p['decision'];
        if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 1000) {
          return { response: invalidBody('score must be a finite number between 0 and 1000.', 'score'), committed: false };
        }
        if (typeof decision !== 'string' || decision.length === 0 || decision.length > 64) {
          return { response: invalidBody('decision must be a non-empty string (at most 64 characters).', 'decision'), committed: false };
        }
        const body = { id: newId('ra'), object: 'risk_assessment', payment: id, score, decision, created: nowSec() };
        return { response: jsonResponse(body, { status: 201 }), committed: true };
      },
    },
    '/v1/payments/:id/risk_assessments',
  );

  const moneyRoute = (kind: 'refund' | 'payout', path: string, scope: string, prefix: string) =>
    route(
      {
        method: 'POST',
        route: path,
        guard: requireScope(scope),
        idempotency: idem,
        perform: (ctx) => {
          const p = ctx.body.params;
          if (!p) return { response: invalidBody(`Send the ${kind} parameters as a JSON object or form fields.`), committed: false };
          const amount = toAmount(p['amount']);
          if (p['amount'] !== undefined && amount === undefined) {
            return { response: invalidBody('amount must be a positive integer in minor units.', 'amount'), committed: false };
          }
          const currency = p['currency'];
          if (currency !== undefined && (typeof currency !== 'string' || !/^[A-Za-z]{3}$/.test(currency))) {
            return { response: invalidBody('currency must be a 3-letter ISO 4217 code.', 'currency'), committed: false };
          }
          const body = {
            ...pickStrings(p, ['payment', 'refund', 'payout', 'destination', 'reason', 'customer']),
            id: newId(prefix),
            object: kind,
            amount: amount ?? null,
            currency: typeof currency === 'string' ? currency.toUpperCase() : null,
            status: 'pending',
            created: nowSec(),
          };
          return { response: jsonResponse(body, { status: 201 }), committed: true };
        },
      },
      path,
    );

  const exportsRoute = route(
    {
      method: 'POST',
      route: '/v1/exports',
      guard: requireScope('exports:write'),
      idempotency: idem,
      perform: () => ({
        response: jsonResponse({ id: newId('exp'), object: 'export', status: 'pending', created: nowSec() }, { status: 201 }),
        committed: true,
      }),
    },
    '/v1/exports',
  );

  const handlers = [
    token,
    health,
    getPayment,
    riskAssessment,
    moneyRoute('refund', '/v1/refunds', 'refunds:write', 're'),
    moneyRoute('payout', '/v1/payouts', 'payouts:write', 'po'),
    getCustomer,
    exportsRoute,
  ];

  const control: HubControl = {
    revokeClient: (clientId) => tokens.revokeClient(clientId),
    restoreClient: (clientId) => tokens.restoreClient(clientId),
    revokeAllTokens: () => tokens.revokeAll(),
    setTokenTtlSeconds: (seconds) => {
      if (!Number.isFinite(seconds) || seconds < 0) {
        throw new GauntletError('GAUNTLET_ERR_CATALOG_INVALID', `hub token TTL must be >= 0 seconds, got ${seconds}`, {
          problems: [{ path: 'tokenTtlSeconds', reason: 'must be a finite number >= 0' }],
        });
      }
      ttl = seconds;
    },
    setWebhooksEnabled: (enabled) => {
      webhooks = enabled;
    },
    webhooksEnabled: () => webhooks,
    usedScopes: () => [...used].sort(),
    issuedTokens: () => tokens.all(),
    injectFault: (rule: FaultRule) => faults.inject(rule),
    clearFaults: () => faults.clear(),
  };
  return { handlers, control };
}

function unauthorized(check: Exclude<TokenCheck, { ok: true }>): Response {
  if (check.reason === 'missing') {
    return errorJson(401, 'missing_token', 'This call needs a bearer token from POST /oauth/token.', { 'WWW-Authenticate': `Bearer realm="${REALM}"` });
  }
  const why: Record<Exclude<typeof check.reason, 'missing'>, string> = {
    malformed: 'The Authorization header is not a Bearer token.',
    unknown: 'The access token is not known to this hub.',
    expired: 'The access token expired.',
    revoked: 'The access token was revoked.',
  };
  return errorJson(401, 'invalid_token', why[check.reason], {
    'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token", error_description="${why[check.reason]}"`,
  });
}

function oauthError(status: number, error: string, description: string): Response {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  if (status === 401) headers['WWW-Authenticate'] = `Basic realm="${REALM}"`;
  return jsonResponse({ error, error_description: description }, { status, headers });
}

function notFound(kind: string, id: string): Response {
  return errorJson(404, 'resource_missing', `No such ${kind}: ${JSON.stringify(id.slice(0, 80))}.`);
}

function invalidBody(message: string, param?: string): Response {
  return jsonResponse({ error: { code: 'parameter_invalid', message, ...(param ? { param } : {}) } }, { status: 422 });
}

function toAmount(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

function pickStrings(p: Record<string, unknown>, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = p[k];
    if (typeof v === 'string' && v.length <= 255) out[k] = v;
  }
  return out;
}

/** The token request minus the client secret: the ledger must never hold it. */
function redactClientSecret(ctx: CallContext): string | undefined {
  const p = ctx.body.params;
  if (!p || !('client_secret' in p)) return ledgerBody(ctx.body.raw);
  const type = (ctx.request.headers.get('content-type') ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(ctx.body.raw);
    form.set('client_secret', '[REDACTED]');
    return ledgerBody(form.toString());
  }
  return ledgerBody(JSON.stringify({ ...p, client_secret: '[REDACTED]' }));
}
