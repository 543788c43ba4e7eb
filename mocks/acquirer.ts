/**
 * The mocked acquirer (card processor) as msw handler factories: authorizations,
 * captures and refunds with Stripe-like Idempotency-Key semantics, no auth.
 * Every call lands in the ledger; committed money movements are also kept per
 * payment, keyed or not, so a double refund is visible. The acquirer does not
 * know payments' real amounts, so refunding more than was captured is allowed
 * and simply recorded.
 *
 * @example
 * const acq = createAcquirer({ ledger });
 * const served = await serveHandlers(acq.handlers, { onUnhandled, maxBodyBytes: 1 << 20 });
 * served.use(acq.routes.refund({ kind: 'reset' }, { once: true })); // next refund resets
 */
import { jsonResponse } from './hub/json-response.js';
import { createHash } from 'node:crypto';
import { http, type HttpHandler, type RequestHandlerOptions } from 'msw';
import { Ledger } from '../harness/model/ledger.js';
import type { AcquirerControl, FaultRule, FaultSpec } from '../harness/sandbox/types.js';
import { FaultBook, validateFaultSpec } from './faults.js';
import { runCall, type CallContext, type CallSpec } from './hub/call.js';
import { errorJson, IdempotencyStore } from './hub/idempotency.js';
import { createIdFactory } from './hub/objects.js';

export interface AcquirerOptions {
  ledger: Ledger;
  now?: () => number;
  /** Makes created object ids reproducible. */
  seed?: number;
}

export type Movement = ReturnType<AcquirerControl['movements']>[number];

/** Handler factories: `behaviour` is a fault applied to every call the handler answers. */
export interface AcquirerRoutes {
  authorize(behaviour?: FaultSpec, options?: RequestHandlerOptions): HttpHandler;
  capture(behaviour?: FaultSpec, options?: RequestHandlerOptions): HttpHandler;
  refund(behaviour?: FaultSpec, options?: RequestHandlerOptions): HttpHandler;
  health(behaviour?: FaultSpec, options?: RequestHandlerOptions): HttpHandler;
}

export interface Acquirer {
  handlers: HttpHandler[];
  control: AcquirerControl;
  /** Factories bound to this acquirer's state, for `served.use(...)` overrides. */
  routes: AcquirerRoutes;
}

const MOVEMENT_ROUTES = {
  authorization: { path: '/v1/authorizations', prefix: 'auth', status: 'authorized' },
  capture: { path: '/v1/captures', prefix: 'cap', status: 'captured' },
  refund: { path: '/v1/refunds', prefix: 'ar', status: 'succeeded' },
} as const;

export function createAcquirer(opts: AcquirerOptions): Acquirer {
  const now = opts.now ?? Date.now;
  const faults = new FaultBook();
  const idempotency = new IdempotencyStore();
  const newId = createIdFactory(opts.seed);
  const movements: Movement[] = [];

  const base = {
    target: 'acquirer' as const,
    ledger: opts.ledger,
    faults,
    // No auth here, but whether the connector sent credentials (perhaps the hub's
    // token) is evidence: keep an opaque fingerprint, never the header itself.
    baseFields: (ctx: CallContext) => {
      const auth = ctx.request.headers.get('authorization');
      return auth ? { tokenId: `authz_${createHash('sha256').update(auth).digest('hex').slice(0, 12)}` } : {};
    },
  };

  const movementRoute = (kind: Movement['kind']) => {
    const meta = MOVEMENT_ROUTES[kind];
    return (behaviour?: FaultSpec, options?: RequestHandlerOptions): HttpHandler => {
      if (behaviour) validateFaultSpec(behaviour, 'behaviour');
      const spec: CallSpec = {
        ...base,
        method: 'POST',
        route: meta.path,
        fault: behaviour,
        idempotency: { store: idempotency, scope: (ctx) => `${ctx.method} ${ctx.path}` },
        perform: (ctx) => {
          const p = ctx.body.params;
          if (!p) return { response: invalid('Send a JSON object {payment, amount, currency}.'), committed: false };
          const payment = p['payment'];
          const amount = p['amount'];
          const currency = p['currency'];
          if (typeof payment !== 'string' || payment.length === 0 || payment.length > 255) return { response: invalid('payment must be a payment id string.', 'payment'), committed: false };
          if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) return { response: invalid('amount must be a positive integer in minor units.', 'amount'), committed: false };
          if (typeof currency !== 'string' || !/^[A-Za-z]{3}$/.test(currency)) return { response: invalid('currency must be a 3-letter ISO 4217 code.', 'currency'), committed: false };
          const key = ctx.request.headers.get('idempotency-key') ?? undefined;
          movements.push({ kind, paymentId: payment, amount, ...(key !== undefined ? { idempotencyKey: key } : {}) });
          const body = { id: newId(meta.prefix), object: kind, payment, amount, currency: currency.toUpperCase(), status: meta.status, created: Math.floor(now() / 1000) };
          return { response: jsonResponse(body, { status: 201 }), committed: true };
        },
      };
      return http.post(meta.path, ({ request, params }) => runCall(spec, request, params as Record<string, string>), options);
    };
  };

  const routes: AcquirerRoutes = {
    authorize: movementRoute('authorization'),
    capture: movementRoute('capture'),
    refund: movementRoute('refund'),
    health: (behaviour, options) => {
      if (behaviour) validateFaultSpec(behaviour, 'behaviour');
      const spec: CallSpec = {
        ...base,
        method: 'GET',
        route: '/v1/health',
        fault: behaviour,
        perform: () => ({ response: jsonResponse({ status: 'ok' }), committed: false }),
      };
      return http.get('/v1/health', ({ request, params }) => runCall(spec, request, params as Record<string, string>), options);
    },
  };

  const control: AcquirerControl = {
    injectFault: (rule: FaultRule) => faults.inject(rule),
    clearFaults: () => faults.clear(),
    movements: (paymentId) => movements.filter((m) => paymentId === undefined || m.paymentId === paymentId).map((m) => ({ ...m })),
  };

  return { handlers: [routes.authorize(), routes.capture(), routes.refund(), routes.health()], control, routes };
}

function invalid(message: string, param?: string): Response {
  return errorJson(422, 'parameter_invalid', message, undefined, param);
}

/**
 * Stand-alone factories in the msw style, for tests that only need an acquirer-shaped
 * server: `serveHandlers([acquirer.refund({ kind: 'hang' })], …)`. They share one
 * private state and ledger; a run uses `createAcquirer` so calls reach the run's ledger.
 */
export const acquirer: AcquirerRoutes = createAcquirer({ ledger: new Ledger() }).routes;
