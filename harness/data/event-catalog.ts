/**
 * The event catalog (contract section 4): every webhook event type the hub sends, its
 * JSON Schema, and the JSON pointers of its critical fields, i.e. the fields a connector must
 * not guess about. Schema-drift scenarios mutate exactly these; a connector that computes an
 * effect from an event whose critical field is missing, retyped or unknown fails clause 7.
 *
 * The schemas are published in docs/schemas/events/<type>.json; a test keeps them in step
 * (regenerate with `npx tsx harness/data/write-event-schemas.ts`).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { CARD_BRANDS, type CardBrand } from './card-brands.js';
import { CURRENCY_CODES, type CurrencyCode } from './currencies.js';

export const API_VERSION = '2026-01-01';

export type PaymentStatus = 'authorized' | 'captured' | 'failed';
export type RefundStatus = 'requested' | 'pending' | 'succeeded' | 'canceled';
export type PayoutStatus = 'requested';
export type DisputeStatus = 'needs_response';

export interface CustomerRef {
  id: string;
  email: string;
}

export interface CardDetails {
  brand: CardBrand;
  last4: string;
  token: string;
}

export interface PaymentMethod {
  type: 'card';
  card: CardDetails;
}

export interface PaymentObject {
  id: string;
  object: 'payment';
  amount: number;
  currency: CurrencyCode;
  status: PaymentStatus;
  customer: CustomerRef;
  payment_method: PaymentMethod;
  description?: string;
  metadata?: Record<string, unknown>;
}

export interface RefundObject {
  id: string;
  object: 'refund';
  payment: string;
  amount: number;
  currency: CurrencyCode;
  status: RefundStatus;
  reason?: string;
  customer?: CustomerRef;
  payment_method?: PaymentMethod;
  metadata?: Record<string, unknown>;
}

export interface PayoutObject {
  id: string;
  object: 'payout';
  amount: number;
  currency: CurrencyCode;
  status: PayoutStatus;
  destination: { type: 'bank_account'; bank_name: string; last4: string };
  metadata?: Record<string, unknown>;
}

export interface DisputeObject {
  id: string;
  object: 'dispute';
  payment: string;
  amount: number;
  currency: CurrencyCode;
  status: DisputeStatus;
  reason: string;
  metadata?: Record<string, unknown>;
}

/** Event type → the object in `data.object`. */
export interface EventObjectMap {
  'payment.authorized': PaymentObject;
  'payment.captured': PaymentObject;
  'payment.failed': PaymentObject;
  'refund.requested': RefundObject;
  'refund.succeeded': RefundObject;
  'refund.canceled': RefundObject;
  'payout.requested': PayoutObject;
  'dispute.created': DisputeObject;
}

export type EventType = keyof EventObjectMap;
export type EventObject = EventObjectMap[EventType];
export type ObjectKind = EventObject['object'];

/** The envelope of contract section 4; extra top-level fields are legal (additive drift). */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  api_version: typeof API_VERSION;
  created: number;
  data: { object: EventObjectMap[T] };
  [extra: string]: unknown;
}

export type JsonSchema = { [k: string]: unknown };

export interface EventTypeSpec {
  type: EventType;
  object: ObjectKind;
  /** Legal `data.object.status` values for this type. */
  statuses: readonly string[];
  description: string;
  /** JSON pointers (RFC 6901) into the envelope of the fields a connector must not guess about. */
  critical: readonly string[];
  /** Draft-07 JSON Schema of the whole envelope; also published under docs/schemas/events/. */
  schema: JsonSchema;
}

export const EVENT_TYPES = [
  'payment.authorized',
  'payment.captured',
  'payment.failed',
  'refund.requested',
  'refund.succeeded',
  'refund.canceled',
  'payout.requested',
  'dispute.created',
] as const satisfies readonly EventType[];

/** Id prefixes of hub objects (and events); used for attribution and leak-safe id checks. */
export const ID_PREFIXES = { payment: 'pay', refund: 're', payout: 'po', dispute: 'dp', customer: 'cus', event: 'evt', token: 'tok' } as const;

const SCHEMA_BASE_URL = 'https://gauntlet.example.test/schemas/events/';

// ---- schema building blocks (plain data, so the published files read naturally) -----------

const idOf = (prefix: string, description: string): JsonSchema => ({
  type: 'string',
  pattern: `^${prefix}_[A-Za-z0-9]{1,64}$`,
  description,
});
const amount: JsonSchema = { type: 'integer', minimum: 1, description: 'Positive integer in the currency’s minor unit (JPY has none, KWD has three).' };
const currency: JsonSchema = { type: 'string', enum: [...CURRENCY_CODES], description: 'ISO 4217 code.' };
const metadata: JsonSchema = { type: 'object', additionalProperties: true, description: 'Free-form; a connector never needs it.' };
const customerRef: JsonSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['id', 'email'],
  properties: {
    id: idOf('cus', 'Customer id.'),
    email: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$', description: 'Customer email (personal data).' },
  },
};
const paymentMethod: JsonSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['type', 'card'],
  properties: {
    type: { const: 'card' },
    card: {
      type: 'object',
      additionalProperties: true,
      required: ['brand', 'last4', 'token'],
      properties: {
        brand: { type: 'string', enum: [...CARD_BRANDS] },
        last4: { type: 'string', pattern: '^[0-9]{4}$' },
        token: idOf('tok', 'Card token; the PAN never leaves the vault.'),
      },
    },
  },
};

function objectSchema(kind: ObjectKind, statuses: readonly string[]): JsonSchema {
  const common = {
    amount,
    currency,
    status: { type: 'string', enum: [...statuses] },
    metadata,
  };
  switch (kind) {
    case 'payment':
      return {
        type: 'object',
        additionalProperties: true,
        required: ['id', 'object', 'amount', 'currency', 'status', 'customer', 'payment_method'],
        properties: {
          id: idOf('pay', 'Payment id.'),
          object: { const: 'payment' },
          ...common,
          customer: customerRef,
          payment_method: paymentMethod,
          description: { type: 'string' },
        },
      };
    case 'refund':
      return {
        type: 'object',
        additionalProperties: true,
        required: ['id', 'object', 'payment', 'amount', 'currency', 'status'],
        properties: {
          id: idOf('re', 'Refund id.'),
          object: { const: 'refund' },
          payment: idOf('pay', 'The refunded payment.'),
          ...common,
          reason: { type: 'string', minLength: 1 },
          customer: customerRef,
          payment_method: paymentMethod,
        },
      };
    case 'payout':
      return {
        type: 'object',
        additionalProperties: true,
        required: ['id', 'object', 'amount', 'currency', 'status', 'destination'],
        properties: {
          id: idOf('po', 'Payout id.'),
          object: { const: 'payout' },
          ...common,
          destination: {
            type: 'object',
            additionalProperties: true,
            required: ['type', 'last4'],
            properties: {
              type: { const: 'bank_account' },
              bank_name: { type: 'string' },
              last4: { type: 'string', pattern: '^[0-9]{4}$' },
            },
          },
        },
      };
    case 'dispute':
      return {
        type: 'object',
        additionalProperties: true,
        required: ['id', 'object', 'payment', 'amount', 'currency', 'status', 'reason'],
        properties: {
          id: idOf('dp', 'Dispute id.'),
          object: { const: 'dispute' },
          payment: idOf('pay', 'The disputed payment.'),
          ...common,
          reason: { type: 'string', minLength: 1 },
        },
      };
  }
}

const ENVELOPE_CRITICAL = ['/id', '/type', '/api_version', '/data/object/id', '/data/object/amount', '/data/object/currency', '/data/object/status'];

/** Extra critical fields per object kind: the references an effect is computed from. */
const KIND_CRITICAL: Record<ObjectKind, string[]> = {
  payment: [],
  refund: ['/data/object/payment'],
  // A payout without its destination must never be guessed: money would go somewhere.
  payout: ['/data/object/destination'],
  dispute: ['/data/object/payment'],
};

function defineEventType(type: EventType, object: ObjectKind, statuses: readonly string[], description: string): EventTypeSpec {
  const critical = [...ENVELOPE_CRITICAL, ...KIND_CRITICAL[object]];
  const schema: JsonSchema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `${SCHEMA_BASE_URL}${type}.json`,
    title: type,
    description: `${description} Unknown additional fields are legal at every level (additive changes); fields listed in x-critical must be present and valid, or the event is failed closed.`,
    type: 'object',
    additionalProperties: true,
    required: ['id', 'type', 'api_version', 'created', 'data'],
    properties: {
      id: idOf('evt', 'Event id; the idempotency key of a delivery.'),
      type: { const: type },
      api_version: { const: API_VERSION },
      created: { type: 'integer', minimum: 0, description: 'Unix seconds.' },
      data: {
        type: 'object',
        additionalProperties: true,
        required: ['object'],
        properties: { object: objectSchema(object, statuses) },
      },
    },
    'x-critical': critical,
  };
  return { type, object, statuses, description, critical, schema };
}

export const EVENT_CATALOG: Readonly<Record<EventType, EventTypeSpec>> = {
  'payment.authorized': defineEventType('payment.authorized', 'payment', ['authorized'], 'A card payment was authorized (funds held, not captured).'),
  'payment.captured': defineEventType('payment.captured', 'payment', ['captured'], 'A card payment was captured.'),
  'payment.failed': defineEventType('payment.failed', 'payment', ['failed'], 'A card payment failed.'),
  'refund.requested': defineEventType('refund.requested', 'refund', ['requested', 'pending'], 'A refund was requested and awaits execution.'),
  'refund.succeeded': defineEventType('refund.succeeded', 'refund', ['succeeded'], 'A refund was executed.'),
  'refund.canceled': defineEventType('refund.canceled', 'refund', ['canceled'], 'A requested refund was canceled; it cancels refund effects for the same refund id.'),
  'payout.requested': defineEventType('payout.requested', 'payout', ['requested'], 'A payout to a bank account was requested.'),
  'dispute.created': defineEventType('dispute.created', 'dispute', ['needs_response'], 'A cardholder disputed a payment.'),
};

export function isEventType(v: unknown): v is EventType {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(EVENT_CATALOG, v);
}

/** The catalog entry's JSON Schema, or undefined for a type the catalog does not know. */
export function schemaFor(type: string): JsonSchema | undefined {
  return isEventType(type) ? EVENT_CATALOG[type].schema : undefined;
}

/**
 * The schema node that describes the field at `pointer` (e.g. `/data/object/status`), for
 * drift mutators that need a field's type or enum. Undefined when the schema does not describe it.
 */
export function fieldSchema(type: string, pointer: string): JsonSchema | undefined {
  let node: JsonSchema | undefined = schemaFor(type);
  if (pointer === '') return node;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const props = node?.['properties'] as Record<string, JsonSchema> | undefined;
    node = props && Object.prototype.hasOwnProperty.call(props, key) ? props[key] : undefined;
    if (!node) return undefined;
  }
  return node;
}

// ---- validation ---------------------------------------------------------------------------

export interface EventValidationError {
  /** JSON pointer of the offending field (`''` for the root). */
  path: string;
  message: string;
}

export type EventValidation =
  | { valid: true; type: EventType }
  | { valid: false; type?: string; unknownType: boolean; errors: EventValidationError[] };

let ajv: Ajv | undefined;
const validators = new Map<EventType, ValidateFunction>();

function validatorFor(type: EventType): ValidateFunction {
  let v = validators.get(type);
  if (!v) {
    // One Ajv instance, each schema compiled once: validation sits on hot paths (load runs).
    ajv ??= new Ajv({ allErrors: true, strict: true }).addKeyword('x-critical');
    v = ajv.compile(EVENT_CATALOG[type].schema);
    validators.set(type, v);
  }
  return v;
}

/**
 * Validates an envelope against its type's catalog schema.
 * @example
 * const r = validateEvent(JSON.parse(body));
 * if (!r.valid) console.log(r.errors[0]?.path, r.errors[0]?.message);
 */
export function validateEvent(event: unknown): EventValidation {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return { valid: false, unknownType: false, errors: [{ path: '', message: 'must be a JSON object' }] };
  }
  const type = (event as { type?: unknown }).type;
  if (!isEventType(type)) {
    return {
      valid: false,
      ...(typeof type === 'string' ? { type } : {}),
      unknownType: true,
      errors: [{ path: '/type', message: typeof type === 'string' ? `unknown event type ${JSON.stringify(type.slice(0, 80))}` : 'must be a string naming a catalog event type' }],
    };
  }
  const validate = validatorFor(type);
  if (validate(event)) return { valid: true, type };
  return { valid: false, type, unknownType: false, errors: (validate.errors ?? []).map(toError) };
}

function toError(e: ErrorObject): EventValidationError {
  const path = e.keyword === 'required' ? `${e.instancePath}/${String((e.params as { missingProperty?: string }).missingProperty)}` : e.instancePath;
  const allowed = (e.params as { allowedValues?: unknown }).allowedValues ?? (e.params as { allowedValue?: unknown }).allowedValue;
  return { path, message: allowed === undefined ? (e.message ?? e.keyword) : `${e.message ?? e.keyword}: ${JSON.stringify(allowed)}` };
}

// ---- published files ----------------------------------------------------------------------

/** docs/schemas/events/<type>.json: file name → exact content, generated from the catalog. */
export function renderEventSchemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const type of EVENT_TYPES) files.set(`${type}.json`, `${JSON.stringify(EVENT_CATALOG[type].schema, null, 2)}\n`);
  return files;
}
