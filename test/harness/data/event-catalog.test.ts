import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_CATALOG, EVENT_TYPES, fieldSchema, renderEventSchemaFiles, schemaFor, validateEvent, type JsonSchema } from '../../../harness/data/event-catalog.js';
import { SyntheticData } from '../../../harness/data/synthetic.js';
import { EVENT_SCHEMA_DIR } from '../../../harness/data/write-event-schemas.js';

const STATUS_TABLE: Record<string, string[]> = {
  'payment.authorized': ['authorized'],
  'payment.captured': ['captured'],
  'payment.failed': ['failed'],
  'refund.requested': ['requested', 'pending'],
  'refund.succeeded': ['succeeded'],
  'refund.canceled': ['canceled'],
  'payout.requested': ['requested'],
  'dispute.created': ['needs_response'],
};

function clone<T>(v: T): T {
  return structuredClone(v);
}

function removeAt(obj: Record<string, unknown>, pointer: string): void {
  const keys = pointer.split('/').slice(1);
  let node = obj as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  delete node[keys[keys.length - 1]!];
}

describe('event catalog', () => {
  it('matches contract section 4 (types and statuses)', () => {
    expect(Object.keys(EVENT_CATALOG).sort()).toEqual(Object.keys(STATUS_TABLE).sort());
    expect([...EVENT_TYPES].sort()).toEqual(Object.keys(STATUS_TABLE).sort());
    for (const t of EVENT_TYPES) {
      expect(EVENT_CATALOG[t].statuses).toEqual(STATUS_TABLE[t]);
      expect((fieldSchema(t, '/data/object/status') as { enum: string[] }).enum).toEqual(STATUS_TABLE[t]);
    }
  });

  it('published schema files are exactly the catalog (regenerate: npx tsx harness/data/write-event-schemas.ts)', () => {
    const files = renderEventSchemaFiles();
    const onDisk = readdirSync(EVENT_SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(onDisk).toEqual([...files.keys()].sort());
    for (const [name, content] of files) expect(readFileSync(join(EVENT_SCHEMA_DIR, name), 'utf8'), name).toBe(content);
  });

  it.each(EVENT_TYPES)('%s: every critical field is required by its schema and marked', (type) => {
    const spec = EVENT_CATALOG[type];
    expect(spec.schema['x-critical']).toEqual(spec.critical);
    for (const c of ['/id', '/type', '/api_version', '/data/object/id', '/data/object/amount', '/data/object/currency', '/data/object/status']) expect(spec.critical).toContain(c);
    for (const pointer of spec.critical) {
      const keys = pointer.split('/').slice(1);
      const parent = fieldSchema(type, `/${keys.slice(0, -1).join('/')}`.replace(/\/$/, '')) as JsonSchema;
      expect(parent, pointer).toBeDefined();
      expect(parent['required'] as string[], pointer).toContain(keys[keys.length - 1]);
    }
  });

  it.each(EVENT_TYPES)('%s: removing any critical field makes the event invalid at that path', (type) => {
    const ev = new SyntheticData(1).event(type);
    expect(validateEvent(ev)).toEqual({ valid: true, type });
    for (const pointer of EVENT_CATALOG[type].critical) {
      if (pointer === '/type') continue; // without a type the event is of unknown type (below)
      const broken = clone(ev) as unknown as Record<string, unknown>;
      removeAt(broken, pointer);
      const r = validateEvent(broken);
      expect(r.valid, pointer).toBe(false);
      if (!r.valid) expect(r.errors.map((e) => e.path)).toContain(pointer);
    }
  });

  it('tolerates additive fields at every level', () => {
    const data = new SyntheticData(2);
    const ev = data.event('refund.requested', { extra: { livemode: false, request: { id: 'req_1' } } }) as unknown as Record<string, any>;
    ev['data']['previous_attributes'] = {};
    ev['data']['object']['new_field'] = { nested: [1, 2, 3] };
    ev['data']['object']['payment_method']['card']['exp_month'] = 12;
    expect(validateEvent(ev).valid).toBe(true);
  });

  it('fails closed on drift in critical fields', () => {
    const data = new SyntheticData(3);
    const base = data.event('payment.captured');
    const cases: Array<[string, (e: any) => void, string]> = [
      ['unknown api_version', (e) => (e.api_version = '2099-01-01'), '/api_version'],
      ['unknown status', (e) => (e.data.object.status = 'captured_partially'), '/data/object/status'],
      ['amount as string', (e) => (e.data.object.amount = '1999'), '/data/object/amount'],
      ['amount zero', (e) => (e.data.object.amount = 0), '/data/object/amount'],
      ['fractional amount', (e) => (e.data.object.amount = 19.99), '/data/object/amount'],
      ['unknown currency', (e) => (e.data.object.currency = 'XBT'), '/data/object/currency'],
      ['lower-case currency', (e) => (e.data.object.currency = 'eur'), '/data/object/currency'],
      ['wrong id prefix', (e) => (e.data.object.id = 're_123'), '/data/object/id'],
      ['event id as number', (e) => (e.id = 12), '/id'],
      ['status of another type', (e) => (e.data.object.status = 'authorized'), '/data/object/status'],
    ];
    for (const [label, mutate, path] of cases) {
      const ev = clone(base);
      mutate(ev);
      const r = validateEvent(ev);
      expect(r.valid, label).toBe(false);
      if (!r.valid) expect(r.errors.map((e) => e.path), label).toContain(path);
    }
  });

  it('reports unknown types and non-objects without throwing', () => {
    expect(validateEvent({ type: 'charge.succeeded' })).toMatchObject({ valid: false, unknownType: true, type: 'charge.succeeded' });
    expect(validateEvent({})).toMatchObject({ valid: false, unknownType: true });
    expect(validateEvent([1])).toMatchObject({ valid: false, unknownType: false });
    expect(validateEvent(null)).toMatchObject({ valid: false });
    expect(validateEvent({ type: '__proto__' })).toMatchObject({ valid: false, unknownType: true });
    expect(schemaFor('nope')).toBeUndefined();
    expect(schemaFor('toString')).toBeUndefined();
    expect(fieldSchema('payment.captured', '/data/object/nope')).toBeUndefined();
  });
});
