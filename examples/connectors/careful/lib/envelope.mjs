// Strict validation of the hub's event envelope (contract sections 4 and 6.6–6.7).
// Critical fields (ids, amount, currency, status, api_version) are never guessed:
// anything unexpected there fails closed. Unknown additional fields are tolerated.

export const API_VERSION = '2026-01-01';
export const CURRENCIES = new Set(['EUR', 'USD', 'GBP', 'JPY', 'KWD']);

/** The event types this connector acts on, with their object shape. */
const OBJECT_RULES = {
  'payment.captured': { object: 'payment', idPrefix: 'pay_', statuses: ['captured'], needsPayment: false },
  'refund.requested': { object: 'refund', idPrefix: 're_', statuses: ['requested', 'pending'], needsPayment: true },
  'refund.canceled': { object: 'refund', idPrefix: 're_', statuses: ['canceled'], needsPayment: true },
};

export const HANDLED_TYPES = Object.keys(OBJECT_RULES);

const MAX_ID_LENGTH = 255;
const ID_BODY = /^[A-Za-z0-9_]+$/;

export class InvalidBody extends Error {
  constructor(reason) {
    super(reason);
    this.name = 'InvalidBody';
    this.reason = reason;
  }
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Decodes and parses the raw body. Bad UTF-8, bad JSON and `__proto__` keys are all
 * `InvalidBody` (→ 400), never an unhandled exception (→ 500).
 */
export function parseJsonBody(buffer) {
  if (buffer.length === 0) throw new InvalidBody('empty body');
  let text;
  try {
    text = fatalUtf8.decode(buffer);
  } catch {
    throw new InvalidBody('body is not valid UTF-8');
  }
  try {
    return JSON.parse(text, (key, value) => {
      // JSON.parse makes "__proto__" an own property, harmless by itself, but any later
      // spread or merge would turn it into prototype pollution: refuse it outright.
      if (key === '__proto__') throw new InvalidBody('__proto__ key');
      return value;
    });
  } catch (err) {
    if (err instanceof InvalidBody) throw err;
    // SyntaxError, or RangeError on absurd nesting depth.
    throw new InvalidBody('body is not valid JSON');
  }
}

const isPlainObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkId(value, prefix, field) {
  if (typeof value !== 'string' || !value.startsWith(prefix) || value.length <= prefix.length || value.length > MAX_ID_LENGTH) {
    return `${field} must be a string starting with ${prefix}`;
  }
  if (!ID_BODY.test(value)) return `${field} has unexpected characters`;
  return undefined;
}

/**
 * Classifies a parsed body:
 * - `{ kind: 'ignore', type }` for event types this connector does not handle (ack, no effect);
 * - `{ kind: 'invalid', reason, event? }` when the envelope or a critical field is wrong (fail closed);
 * - `{ kind: 'ok', event }` with `event.object` the validated data object.
 * `event` on `invalid` carries the ids that were themselves valid, for cancellation bookkeeping.
 */
export function classifyEvent(body) {
  if (!isPlainObject(body)) return { kind: 'invalid', reason: 'envelope must be a JSON object' };
  const idProblem = checkId(body.id, 'evt_', 'id');
  if (idProblem) return { kind: 'invalid', reason: idProblem };
  if (typeof body.type !== 'string' || body.type.length === 0 || body.type.length > 100) {
    return { kind: 'invalid', reason: 'type must be a non-empty string' };
  }
  const rule = Object.hasOwn(OBJECT_RULES, body.type) ? OBJECT_RULES[body.type] : undefined;
  // Unknown types are acknowledged and ignored (clause 6.7, RW-07), checked before the
  // rest so a new hub event type never turns into a rejected delivery.
  if (!rule) return { kind: 'ignore', type: body.type, id: body.id };
  if (body.api_version !== API_VERSION) return { kind: 'invalid', reason: 'unsupported api_version' };
  if (!Number.isSafeInteger(body.created) || body.created <= 0) return { kind: 'invalid', reason: 'created must be a positive integer' };
  if (!isPlainObject(body.data) || !isPlainObject(body.data.object)) return { kind: 'invalid', reason: 'data.object must be an object' };

  const obj = body.data.object;
  const objectIdProblem = checkId(obj.id, rule.idPrefix, 'data.object.id');
  if (objectIdProblem) return { kind: 'invalid', reason: objectIdProblem };
  const partial = { id: body.id, type: body.type, objectId: obj.id, status: obj.status };
  if (obj.object !== rule.object) return { kind: 'invalid', reason: `data.object.object must be ${rule.object}`, event: partial };
  if (typeof obj.status !== 'string' || !rule.statuses.includes(obj.status)) {
    return { kind: 'invalid', reason: 'data.object.status is not a known value for this type', event: partial };
  }
  if (!Number.isSafeInteger(obj.amount) || obj.amount <= 0) return { kind: 'invalid', reason: 'data.object.amount must be a positive integer', event: partial };
  if (typeof obj.currency !== 'string' || !CURRENCIES.has(obj.currency)) return { kind: 'invalid', reason: 'data.object.currency is not supported', event: partial };
  if (rule.needsPayment) {
    const p = checkId(obj.payment, 'pay_', 'data.object.payment');
    if (p) return { kind: 'invalid', reason: p, event: partial };
  }
  // Non-critical fields: tolerated when absent, but a type change still fails closed.
  if (obj.customer !== undefined && obj.customer !== null && !isPlainObject(obj.customer)) {
    return { kind: 'invalid', reason: 'data.object.customer must be an object', event: partial };
  }
  if (obj.payment_method !== undefined && obj.payment_method !== null && !isPlainObject(obj.payment_method)) {
    return { kind: 'invalid', reason: 'data.object.payment_method must be an object', event: partial };
  }
  return {
    kind: 'ok',
    event: {
      id: body.id,
      type: body.type,
      objectId: obj.id,
      status: obj.status,
      amount: obj.amount,
      currency: obj.currency,
      payment: rule.needsPayment ? obj.payment : obj.id,
    },
  };
}
