/**
 * The seeded synthetic dataset every sandbox event is built from.
 *
 * Determinism: one private Faker instance per SyntheticData, seeded once, so the same seed and
 * the same sequence of calls give byte-identical objects and events (a replay reproduces its
 * inputs), and parallel runs never share random state. Safety: emails are only ever
 * `@example.test`, cards come only from the published test ranges, and events carry brand,
 * last4 and a `tok_…` token, never a PAN. Canaries plant values a careful connector never
 * needs, so the leak detectors can look for them later.
 */
import { Faker, allLocales, type LocaleDefinition } from '@faker-js/faker';
import { GauntletError } from '../errors.js';
import type { CardBrand } from './card-brands.js';
import { CURRENCIES, CURRENCY_CODES, type CurrencyCode } from './currencies.js';
import {
  API_VERSION,
  EVENT_CATALOG,
  ID_PREFIXES,
  isEventType,
  type CustomerRef,
  type DisputeObject,
  type EventEnvelope,
  type EventObject,
  type EventObjectMap,
  type EventType,
  type ObjectKind,
  type PaymentObject,
  type PayoutObject,
  type RefundObject,
  type RefundStatus,
} from './event-catalog.js';
import { objectIdsOf } from './object-ids.js';
import { TEST_CARDS, maskPan, type TestCard } from './test-cards.js';

export type SyntheticLocale = Exclude<keyof typeof allLocales, 'base'>;

export interface SyntheticDataOptions {
  /** Faker locale for names, phones and addresses (default `en`). */
  locale?: SyntheticLocale;
  /**
   * Clock for `created` (ms). Default: a virtual clock that starts at 2026-01-01T00:00:00Z and
   * advances one second per event, so output is fully reproducible from the seed.
   */
  now?: () => number;
}

export interface Customer {
  id: string;
  name: string;
  email: string;
  phone: string;
  address: { line1: string; city: string; postal_code: string; country: string };
}

/** What the card vault knows about a token: never the PAN. */
export interface TokenizedCard {
  token: string;
  brand: CardBrand;
  last4: string;
  bin: string;
  /** BIN + last4 with the middle masked: `424242******4242`. */
  masked: string;
  funding: TestCard['funding'];
}

/** An envelope of any type, including types outside the catalog (drift scenarios). */
export interface AnyEventEnvelope {
  id: string;
  type: string;
  api_version: string;
  created: number;
  data: { object: { id: string; [k: string]: unknown } };
  [k: string]: unknown;
}

export interface EventOverrides<T extends EventType = EventType> {
  /** Shallow-merged over the generated object (may break validity on purpose). */
  object?: Partial<EventObjectMap[T]> & Record<string, unknown>;
  id?: string;
  /** Unix seconds. */
  created?: number;
  /** Top-level fields merged last: additive fields, or envelope fields replaced on purpose. */
  extra?: Record<string, unknown>;
}

export type CanaryKind = 'email-note' | 'pan-note' | 'name-note';

export interface CanaryResult<E> {
  event: E;
  /** The exact values planted; a leak detector given these must find them if they leak. */
  planted: string[];
  /** Where in the event they were planted (JSON pointer). */
  pointer: string;
}

const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1);
const ID_LENGTH = 20;
const REFUND_REASONS = ['requested_by_customer', 'duplicate', 'fraudulent'] as const;
const DISPUTE_REASONS = ['fraudulent', 'product_not_received', 'duplicate', 'credit_not_processed', 'general'] as const;
const DEFAULT_STATUS: Record<ObjectKind, string> = { payment: 'captured', refund: 'requested', payout: 'requested', dispute: 'needs_response' };

/**
 * @example
 * const data = new SyntheticData(42, { locale: 'de' });
 * const ev = data.event('refund.requested');          // valid per the catalog schema
 * const { requested, canceled } = data.relatedRefundEvents();
 * const { event, planted } = data.withCanaries(ev, 'pan-note');
 */
export class SyntheticData {
  readonly seed: number;
  readonly locale: SyntheticLocale;
  private readonly faker: Faker;
  private readonly now: () => number;
  private virtualMs = VIRTUAL_EPOCH_MS;
  private readonly issuedIds = new Set<string>();
  private readonly issuedEmails = new Set<string>();
  private readonly customersById = new Map<string, Customer>();
  private readonly vault = new Map<string, TokenizedCard>();
  private readonly plantedSet: string[] = [];

  constructor(seed: number, opts: SyntheticDataOptions = {}) {
    if (!Number.isSafeInteger(seed)) {
      throw new GauntletError('GAUNTLET_ERR_FLAG_INVALID', `seed must be a safe integer, got ${String(seed)}`, { problems: [{ path: 'seed', reason: 'must be an integer' }] });
    }
    const locale = opts.locale ?? 'en';
    const def = (allLocales as Record<string, LocaleDefinition | undefined>)[locale];
    if (!def || (locale as string) === 'base') {
      throw new GauntletError('GAUNTLET_ERR_FLAG_INVALID', `unknown data locale ${JSON.stringify(String(locale))}`, {
        problems: [{ path: 'locale', reason: 'must be a faker locale such as en, de, fr, ja' }],
      });
    }
    this.seed = seed;
    this.locale = locale;
    // Fall back to en then base so every module (e.g. phone formats) exists in small locales.
    this.faker = new Faker({ locale: [def, allLocales.en, allLocales.base] });
    this.faker.seed(seed);
    this.now = opts.now ?? (() => this.virtualMs);
  }

  // ---- objects -------------------------------------------------------------------------

  /** A new customer (registered, so `customerById` and `knownNames` see it). */
  customer(): Customer {
    const f = this.faker;
    const first = this.localised(() => f.person.firstName(), 'Alex');
    const last = this.localised(() => f.person.lastName(), 'Doe');
    const c: Customer = {
      id: this.newId(ID_PREFIXES.customer),
      name: `${first} ${last}`,
      email: this.newEmail(first, last),
      phone: this.localised(() => f.phone.number(), () => `+1 555 ${f.string.numeric(7)}`),
      address: {
        line1: this.localised(() => f.location.streetAddress(), () => `${f.number.int({ min: 1, max: 200 })} Main Street`),
        city: this.localised(() => f.location.city(), 'Springfield'),
        postal_code: this.localised(() => f.location.zipCode(), () => f.string.numeric(5)),
        country: f.location.countryCode('alpha-2'),
      },
    };
    this.customersById.set(c.id, c);
    return c;
  }

  customerById(id: string): Customer | undefined {
    return this.customersById.get(id);
  }

  customers(): Customer[] {
    return [...this.customersById.values()];
  }

  /** A card payment from a fresh customer, paid with a tokenized test card. */
  payment(overrides: Partial<PaymentObject> = {}): PaymentObject {
    const f = this.faker;
    const currency = overrides.currency ?? this.currency();
    const customer = this.customer();
    const card = this.tokenize(f.helpers.arrayElement(TEST_CARDS));
    const p: PaymentObject = {
      id: this.newId(ID_PREFIXES.payment),
      object: 'payment',
      amount: this.amount(currency),
      currency,
      status: 'captured',
      customer: { id: customer.id, email: customer.email },
      payment_method: { type: 'card', card: { brand: card.brand, last4: card.last4, token: card.token } },
      description: this.localised(() => f.commerce.productName(), 'Order'),
    };
    return { ...p, ...overrides };
  }

  /** A refund of `payment` (or of a fresh payment, with `overrides` applied). */
  refund(paymentOrOverrides?: PaymentObject | Partial<RefundObject>): RefundObject {
    const f = this.faker;
    const isPayment = paymentOrOverrides !== undefined && (paymentOrOverrides as { object?: unknown }).object === 'payment';
    const payment = isPayment ? (paymentOrOverrides as PaymentObject) : this.payment();
    const overrides = isPayment ? {} : ((paymentOrOverrides ?? {}) as Partial<RefundObject>);
    // Half the refunds are full, half partial: connectors that assume full refunds show up.
    const amount = f.datatype.boolean() ? payment.amount : f.number.int({ min: 1, max: payment.amount });
    const r: RefundObject = {
      id: this.newId(ID_PREFIXES.refund),
      object: 'refund',
      payment: payment.id,
      amount,
      currency: payment.currency,
      status: 'requested',
      reason: f.helpers.arrayElement(REFUND_REASONS),
      customer: { ...payment.customer },
      payment_method: { type: 'card', card: { ...payment.payment_method.card } },
    };
    return { ...r, ...overrides };
  }

  payout(overrides: Partial<PayoutObject> = {}): PayoutObject {
    const f = this.faker;
    const currency = overrides.currency ?? this.currency();
    const p: PayoutObject = {
      id: this.newId(ID_PREFIXES.payout),
      object: 'payout',
      amount: this.amount(currency),
      currency,
      status: 'requested',
      destination: { type: 'bank_account', bank_name: `${this.localised(() => f.person.lastName(), 'Example')} Bank`, last4: f.string.numeric(4) },
    };
    return { ...p, ...overrides };
  }

  /** A dispute of `payment` (or of a fresh captured payment, with `overrides` applied). */
  dispute(paymentOrOverrides?: PaymentObject | Partial<DisputeObject>): DisputeObject {
    const isPayment = paymentOrOverrides !== undefined && (paymentOrOverrides as { object?: unknown }).object === 'payment';
    const payment = isPayment ? (paymentOrOverrides as PaymentObject) : this.payment();
    const overrides = isPayment ? {} : ((paymentOrOverrides ?? {}) as Partial<DisputeObject>);
    const d: DisputeObject = {
      id: this.newId(ID_PREFIXES.dispute),
      object: 'dispute',
      payment: payment.id,
      amount: payment.amount,
      currency: payment.currency,
      status: 'needs_response',
      reason: this.faker.helpers.arrayElement(DISPUTE_REASONS),
    };
    return { ...d, ...overrides };
  }

  /** What the vault knows about a token issued by this dataset. */
  tokenizedCard(token: string): TokenizedCard | undefined {
    return this.vault.get(token);
  }

  // ---- events --------------------------------------------------------------------------

  /**
   * A fresh envelope of `type` per the catalog. The status defaults to the type's first
   * catalog status (`refund.requested` → `requested`; pass `object: { status: 'pending' }`
   * for the other). A type outside the catalog still yields a well-formed envelope around
   * the object its prefix names (a payment when unknown), for unknown-type scenarios.
   */
  event<T extends EventType>(type: T, overrides?: EventOverrides<T>): EventEnvelope<T>;
  event(type: string, overrides?: EventOverrides): AnyEventEnvelope;
  event(type: string, overrides: EventOverrides = {}): AnyEventEnvelope {
    const kind: ObjectKind = isEventType(type) ? EVENT_CATALOG[type].object : kindFromPrefix(type);
    const status = isEventType(type) ? EVENT_CATALOG[type].statuses[0]! : DEFAULT_STATUS[kind];
    const object = { ...this.objectOf(kind, status), ...(overrides.object ?? {}) } as AnyEventEnvelope['data']['object'];
    return this.envelope(type, object, overrides);
  }

  /**
   * Events of several types about ONE object (same `data.object.id`), in the order given,
   * e.g. `['refund.requested', 'refund.canceled']` for out-of-order scenarios.
   */
  relatedEvents(types: readonly EventType[], base?: EventObject): { object: EventObject; events: EventEnvelope[] } {
    if (types.length === 0) throw new GauntletError('GAUNTLET_ERR_CATALOG_INVALID', 'relatedEvents needs at least one event type');
    const kinds = new Set(types.map((t) => {
      if (!isEventType(t)) throw new GauntletError('GAUNTLET_ERR_CATALOG_INVALID', `relatedEvents: ${JSON.stringify(t)} is not a catalog event type`);
      return EVENT_CATALOG[t].object;
    }));
    if (kinds.size !== 1 || (base && !kinds.has(base.object))) {
      throw new GauntletError('GAUNTLET_ERR_CATALOG_INVALID', `relatedEvents: types ${types.join(', ')} do not share one object kind`);
    }
    const kind = [...kinds][0]!;
    const object = base ?? this.objectOf(kind, DEFAULT_STATUS[kind]);
    const events = types.map((t) => this.about(t, object, EVENT_CATALOG[t].statuses[0]!) as EventEnvelope);
    return { object, events };
  }

  /** A refund.requested / refund.canceled pair on the same refund id. */
  relatedRefundEvents(opts: { requestedStatus?: Extract<RefundStatus, 'requested' | 'pending'> } = {}): {
    refund: RefundObject;
    requested: EventEnvelope<'refund.requested'>;
    canceled: EventEnvelope<'refund.canceled'>;
  } {
    const refund = this.refund();
    return {
      refund,
      requested: this.about('refund.requested', refund, opts.requestedStatus ?? 'requested'),
      canceled: this.about('refund.canceled', refund, 'canceled'),
    };
  }

  /** A refund.requested / refund.succeeded pair on the same refund id. */
  refundLifecycleEvents(): { refund: RefundObject; requested: EventEnvelope<'refund.requested'>; succeeded: EventEnvelope<'refund.succeeded'> } {
    const refund = this.refund();
    return { refund, requested: this.about('refund.requested', refund, 'requested'), succeeded: this.about('refund.succeeded', refund, 'succeeded') };
  }

  /** A payment.authorized / payment.captured pair on the same payment id. */
  paymentLifecycleEvents(): { payment: PaymentObject; authorized: EventEnvelope<'payment.authorized'>; captured: EventEnvelope<'payment.captured'> } {
    const payment = this.payment();
    return { payment, authorized: this.about('payment.authorized', payment, 'authorized'), captured: this.about('payment.captured', payment, 'captured') };
  }

  /** Every object id in the event (`data.object.id` first), for ledger attribution. */
  objectIdsOf(event: unknown): string[] {
    return objectIdsOf(event);
  }

  // ---- canaries ------------------------------------------------------------------------

  /**
   * A copy of `event` with a `data.object.metadata.note` no careful connector needs:
   * a synthetic email, a Luhn-valid test PAN written with spaces, or a customer's full name.
   * The event stays schema-valid (metadata is free-form).
   */
  withCanaries<E extends AnyEventEnvelope | EventEnvelope>(event: E, kind: CanaryKind): CanaryResult<E> {
    const f = this.faker;
    let note: string;
    let planted: string[];
    switch (kind) {
      case 'email-note': {
        const email = this.newEmail(this.localised(() => f.person.firstName(), 'alex'), this.localised(() => f.person.lastName(), 'doe'));
        note = `Please confirm with ${email} before shipping.`;
        planted = [email];
        break;
      }
      case 'pan-note': {
        const card = f.helpers.arrayElement(TEST_CARDS);
        const spaced = groupPan(card.pan);
        note = `Customer read out card ${spaced} on the phone.`;
        planted = [card.pan, spaced];
        break;
      }
      case 'name-note': {
        const c = this.customer();
        note = `Gift for ${c.name}.`;
        planted = [c.name];
        break;
      }
      default:
        throw new GauntletError('GAUNTLET_ERR_CATALOG_INVALID', `unknown canary kind ${JSON.stringify(String(kind))}`);
    }
    const copy = structuredClone(event) as AnyEventEnvelope;
    const data = (isRecord(copy.data) ? copy.data : (copy.data = { object: { id: '' } })) as { object: unknown };
    const object = (isRecord(data.object) ? data.object : (data.object = {})) as Record<string, unknown>;
    object['metadata'] = { ...(isRecord(object['metadata']) ? object['metadata'] : {}), note };
    this.plantedSet.push(...planted);
    return { event: copy as E, planted, pointer: '/data/object/metadata/note' };
  }

  /** Every canary value planted so far (for `scanForLeaks`' `plantedValues`). */
  plantedValues(): string[] {
    return [...this.plantedSet];
  }

  /** Full names of every customer generated so far (for the customer-name detector). */
  knownNames(): string[] {
    return [...this.customersById.values()].map((c) => c.name);
  }

  /** Every email generated so far (customers and canaries). */
  generatedEmails(): string[] {
    return [...this.issuedEmails];
  }

  // ---- internals -----------------------------------------------------------------------

  /** An event about an existing object (its own copy, with `status`). */
  private about<T extends EventType>(type: T, object: EventObject, status: string): EventEnvelope<T> {
    const copy = { ...(structuredClone(object) as unknown as Record<string, unknown>), status };
    return this.envelope(type, copy as unknown as AnyEventEnvelope['data']['object'], {}) as unknown as EventEnvelope<T>;
  }

  private envelope(type: string, object: AnyEventEnvelope['data']['object'], overrides: EventOverrides): AnyEventEnvelope {
    const id = overrides.id ?? this.newId(ID_PREFIXES.event);
    const created = overrides.created ?? Math.floor(this.now() / 1000);
    this.virtualMs += 1000;
    return { id, type, api_version: API_VERSION, created, data: { object }, ...(overrides.extra ?? {}) };
  }

  private objectOf(kind: ObjectKind, status: string): EventObjectMap[EventType] {
    switch (kind) {
      case 'payment':
        return this.payment({ status: status as PaymentObject['status'] });
      case 'refund':
        return this.refund({ status: status as RefundStatus });
      case 'payout':
        return this.payout({ status: status as PayoutObject['status'] });
      case 'dispute':
        return this.dispute({ status: status as DisputeObject['status'] });
    }
  }

  /**
   * Some faker locales lack some data (e.g. postcodes) and throw; the fallback keeps every
   * locale usable. Deterministic: the same locale fails the same way for the same seed.
   */
  private localised(gen: () => string, fallback: string | (() => string)): string {
    try {
      const v = gen();
      if (typeof v === 'string' && v.length > 0) return v;
    } catch {
      // locale data not applicable: fall through
    }
    return typeof fallback === 'function' ? fallback() : fallback;
  }

  private currency(): CurrencyCode {
    return this.faker.helpers.arrayElement(CURRENCY_CODES);
  }

  private amount(currency: CurrencyCode): number {
    const { minAmount, maxAmount } = CURRENCIES[currency];
    return this.faker.number.int({ min: minAmount, max: maxAmount });
  }

  private tokenize(card: TestCard): TokenizedCard {
    const t: TokenizedCard = {
      token: this.newId(ID_PREFIXES.token),
      brand: card.brand,
      last4: card.pan.slice(-4),
      bin: card.pan.slice(0, 6),
      masked: maskPan(card.pan),
      funding: card.funding,
    };
    this.vault.set(t.token, t);
    return t;
  }

  /** Unique within this dataset; random ids from the seeded stream, so replays match. */
  private newId(prefix: string): string {
    for (let attempt = 0; attempt < 8; attempt++) {
      const id = `${prefix}_${this.faker.string.alphanumeric({ length: ID_LENGTH, casing: 'mixed' })}`;
      if (!this.issuedIds.has(id)) {
        this.issuedIds.add(id);
        return id;
      }
    }
    throw new GauntletError('GAUNTLET_ERR_INTERNAL', `could not draw a unique ${prefix}_ id`);
  }

  /** ASCII-only local part (names in ja/zh/ru transliterate to nothing) at example.test only. */
  private newEmail(first: string, last: string): string {
    const slug = [first, last].map(asciiSlug).filter(Boolean).join('.') || 'customer';
    for (let attempt = 0; attempt < 8; attempt++) {
      const email = `${slug}.${this.faker.string.alphanumeric({ length: 5, casing: 'lower' })}@example.test`;
      if (!this.issuedEmails.has(email)) {
        this.issuedEmails.add(email);
        return email;
      }
    }
    throw new GauntletError('GAUNTLET_ERR_INTERNAL', 'could not draw a unique synthetic email');
  }
}

/** Customer-style grouping: 4-6-5 for 15-digit Amex, 4-6-4 for 14-digit Diners, else fours. */
export function groupPan(pan: string): string {
  if (pan.length === 15) return `${pan.slice(0, 4)} ${pan.slice(4, 10)} ${pan.slice(10)}`;
  if (pan.length === 14) return `${pan.slice(0, 4)} ${pan.slice(4, 10)} ${pan.slice(10)}`;
  return pan.replace(/(\d{4})(?=\d)/g, '$1 ');
}

function asciiSlug(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '')
    .toLowerCase()
    .slice(0, 24);
}

function kindFromPrefix(type: string): ObjectKind {
  const prefix = type.split('.')[0];
  return prefix === 'refund' || prefix === 'payout' || prefix === 'dispute' ? prefix : 'payment';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type { CustomerRef };
