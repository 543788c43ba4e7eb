/**
 * Schema-drift generators (contract clause 7), derived from the event catalog: for each event
 * type, its JSON Schema says which fields exist, their types and enums, and `critical` lists
 * the fields a connector must not guess about. Critical drift (unknown enum values, type
 * changes, missing, renamed or null fields, an unknown `api_version`) must never produce an
 * effect; additive drift (unknown fields anywhere) must be tolerated. Each generated drift is
 * a small pure value; `applyDrift` returns a drifted deep copy and never touches the input.
 */
import fc from 'fast-check';
import { GauntletError } from '../errors.js';
import { API_VERSION, EVENT_CATALOG, fieldSchema, isEventType, type EventType, type JsonSchema } from './event-catalog.js';

export type CriticalDriftKind = 'unknown-enum' | 'type-change' | 'missing' | 'renamed' | 'null' | 'unknown-api-version';
export type DriftKind = CriticalDriftKind | 'additive';

export const CRITICAL_DRIFT_KINDS: readonly CriticalDriftKind[] = ['unknown-enum', 'type-change', 'missing', 'renamed', 'null', 'unknown-api-version'];

export type Drift =
  | { kind: 'unknown-enum'; pointer: string; value: string }
  | { kind: 'type-change'; pointer: string; value: unknown; to: string }
  | { kind: 'missing'; pointer: string }
  | { kind: 'renamed'; pointer: string; newKey: string }
  | { kind: 'null'; pointer: string }
  | { kind: 'unknown-api-version'; pointer: '/api_version'; value: string }
  | { kind: 'additive'; fields: Array<{ at: string; key: string; value: unknown }> };

/** Human label of a drift, for reports: `amount renamed to amount_v2`. */
export function describeDrift(d: Drift): string {
  const f = (p: string) => p.slice(1).replace(/\//g, '.');
  switch (d.kind) {
    case 'unknown-enum':
      return `${f(d.pointer)} set to unknown value ${JSON.stringify(d.value)}`;
    case 'type-change':
      return `${f(d.pointer)} changed to ${d.to} ${short(JSON.stringify(d.value))}`;
    case 'missing':
      return `${f(d.pointer)} missing`;
    case 'renamed':
      return `${f(d.pointer)} renamed to ${d.newKey}`;
    case 'null':
      return `${f(d.pointer)} null`;
    case 'unknown-api-version':
      return `unknown api_version ${JSON.stringify(d.value)}`;
    case 'additive':
      return `additive fields ${d.fields.map((x) => `${x.at ? f(x.at) + '.' : ''}${x.key}`).join(', ')}`;
  }
}

function short(s: string | undefined, max = 40): string {
  const t = s ?? 'undefined';
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

function specOf(type: string) {
  if (!isEventType(type)) {
    throw new GauntletError('GAUNTLET_ERR_CATALOG_INVALID', `drift: ${JSON.stringify(type)} is not a catalog event type`, { problems: [{ path: 'type', reason: 'use one of the event catalog types' }] });
  }
  return EVENT_CATALOG[type];
}

/** The JSON types a schema node allows (`const`/`enum` nodes take their values' types). */
function allowedTypes(node: JsonSchema | undefined): Set<string> {
  const out = new Set<string>();
  if (!node) return out;
  const t = node['type'];
  if (typeof t === 'string') out.add(t === 'integer' ? 'number' : t);
  if (Array.isArray(t)) for (const x of t) out.add(x === 'integer' ? 'number' : String(x));
  const values = 'const' in node ? [node['const']] : Array.isArray(node['enum']) ? (node['enum'] as unknown[]) : [];
  for (const v of values) out.add(v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  return out;
}

/** Values of every JSON type but the field's own (and never null: that is its own drift kind). */
function otherTypeValueArb(node: JsonSchema | undefined): fc.Arbitrary<{ value: unknown; to: string }> {
  const own = allowedTypes(node);
  const choices: Array<fc.Arbitrary<{ value: unknown; to: string }>> = [];
  if (!own.has('string')) choices.push(fc.constantFrom('1999', 'EUR', 'true', '').map((value) => ({ value, to: 'a string' })));
  if (!own.has('number')) choices.push(fc.constantFrom(0, 1, 978, -1, 1.5).map((value) => ({ value, to: 'a number' })));
  if (!own.has('boolean')) choices.push(fc.boolean().map((value) => ({ value, to: 'a boolean' })));
  if (!own.has('object')) choices.push(fc.constantFrom({}, { value: 1 }).map((value) => ({ value, to: 'an object' })));
  if (!own.has('array')) choices.push(fc.constantFrom([], [1]).map((value) => ({ value, to: 'an array' })));
  if (own.has('number') && !own.has('string')) {
    // The most tempting confusion first: a numeric string where an integer belongs.
    choices.unshift(fc.integer({ min: 1, max: 10_000_000 }).map((n) => ({ value: String(n), to: 'a numeric string' })));
  }
  return fc.oneof(...choices);
}

/** Strings outside an enum or const, near misses first (case, whitespace, a sibling's value). */
function unknownEnumArb(node: JsonSchema | undefined): fc.Arbitrary<string> | undefined {
  const known = 'const' in (node ?? {}) ? [node!['const']] : Array.isArray(node?.['enum']) ? (node!['enum'] as unknown[]) : undefined;
  if (!known || !known.every((v) => typeof v === 'string')) return undefined;
  const set = new Set(known as string[]);
  const first = known[0] as string;
  const near = [first.toUpperCase(), first.toLowerCase(), ` ${first}`, `${first}_v2`, 'teleported', 'XTS', 'unknown'].filter((v) => !set.has(v));
  return fc.oneof(fc.constantFrom(...near), fc.stringMatching(/^[a-z][a-z_]{2,15}$/).filter((v) => !set.has(v)));
}

/** Critical-field pointers of `type` a drift kind applies to. */
export function criticalPointers(type: string): string[] {
  return [...specOf(type).critical];
}

/**
 * Critical drift of one event type: one change to one critical field (from the catalog), every
 * result violating the type's schema.
 *
 * @example
 * fc.sample(criticalDriftArb('refund.requested'), 3) // [{ kind: 'missing', pointer: '/data/object/amount' }, …]
 */
export function criticalDriftArb(type: string, kinds: readonly CriticalDriftKind[] = CRITICAL_DRIFT_KINDS): fc.Arbitrary<Drift> {
  const pointers = criticalPointers(type).filter((p) => p !== '/type');
  const arbs: Array<fc.Arbitrary<Drift>> = [];
  for (const pointer of pointers) {
    const node = fieldSchema(type, pointer);
    const key = pointer.split('/').pop()!;
    if (kinds.includes('missing')) arbs.push(fc.constant({ kind: 'missing' as const, pointer }));
    if (kinds.includes('null')) arbs.push(fc.constant({ kind: 'null' as const, pointer }));
    if (kinds.includes('renamed')) {
      arbs.push(fc.constantFrom(`${key}_v2`, `${key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())}Value`, `new_${key}`, key.toUpperCase()).map((newKey) => ({ kind: 'renamed' as const, pointer, newKey })));
    }
    if (kinds.includes('type-change')) arbs.push(otherTypeValueArb(node).map(({ value, to }) => ({ kind: 'type-change' as const, pointer, value, to })));
    if (kinds.includes('unknown-enum') && pointer !== '/api_version') {
      const e = unknownEnumArb(node);
      if (e) arbs.push(e.map((value) => ({ kind: 'unknown-enum' as const, pointer, value })));
    }
  }
  if (kinds.includes('unknown-api-version')) {
    arbs.push(
      fc
        .oneof(fc.constantFrom('2099-01-01', '2025-12-31', '2026-01-02', `${API_VERSION}-beta`, '2026-1-1'), fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)))
        .filter((v) => v !== API_VERSION)
        .map((value) => ({ kind: 'unknown-api-version' as const, pointer: '/api_version' as const, value })),
    );
  }
  if (arbs.length === 0) throw new GauntletError('GAUNTLET_ERR_CATALOG_INVALID', `drift: no critical drift of kinds ${kinds.join(', ')} applies to ${type}`);
  return fc.oneof(...arbs);
}

/** Object nodes of the type's schema (pointers), where additive fields may go. */
function objectPointers(schema: JsonSchema, at = ''): string[] {
  const out: string[] = [];
  if (schema['type'] === 'object') out.push(at);
  const props = schema['properties'] as Record<string, JsonSchema> | undefined;
  for (const [k, v] of Object.entries(props ?? {})) {
    if (k === 'metadata') continue; // free-form already: fields there prove nothing
    out.push(...objectPointers(v, `${at}/${k}`));
  }
  return out;
}

/** Unknown fields added to object nodes of the envelope; the result still satisfies the schema. */
export function additiveDriftArb(type: string): fc.Arbitrary<Drift> {
  const spec = specOf(type);
  const nodes = objectPointers(spec.schema);
  const known = (at: string) => new Set(Object.keys((fieldSchema(type, at)?.['properties'] as Record<string, unknown> | undefined) ?? {}));
  const field = fc
    .record({
      at: fc.constantFrom(...nodes),
      key: fc.stringMatching(/^[a-z][a-z0-9_]{1,15}$/).map((k) => `x_${k}`),
      value: fc.jsonValue({ maxDepth: 2 }),
    })
    .filter((f) => !known(f.at).has(f.key));
  return fc.uniqueArray(field, { minLength: 1, maxLength: 4, selector: (f) => `${f.at}/${f.key}` }).map((fields) => ({ kind: 'additive' as const, fields }));
}

function parentAndKey(root: unknown, pointer: string): { parent: Record<string, unknown> | undefined; key: string } {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const key = parts.pop()!;
  let node: unknown = root;
  for (const p of parts) {
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[p] : undefined;
  }
  return { parent: node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>) : undefined, key };
}

/** A drifted deep copy of `event` (JSON values only); the input is not modified. */
export function applyDrift<T>(event: T, d: Drift): T {
  const copy = JSON.parse(JSON.stringify(event)) as T;
  if (d.kind === 'additive') {
    for (const f of d.fields) {
      const node = f.at === '' ? (copy as unknown) : (() => {
        const { parent, key } = parentAndKey(copy, f.at);
        return parent?.[key];
      })();
      if (node !== null && typeof node === 'object' && !Array.isArray(node)) (node as Record<string, unknown>)[f.key] = f.value;
    }
    return copy;
  }
  const { parent, key } = parentAndKey(copy, d.pointer);
  if (!parent) return copy;
  switch (d.kind) {
    case 'missing':
      delete parent[key];
      break;
    case 'null':
      parent[key] = null;
      break;
    case 'renamed':
      parent[d.newKey] = parent[key];
      delete parent[key];
      break;
    case 'type-change':
    case 'unknown-enum':
    case 'unknown-api-version':
      parent[key] = d.value;
      break;
  }
  return copy;
}

/** Any drift of `type`: critical or additive. */
export function driftArb(type: EventType | string): fc.Arbitrary<Drift> {
  return fc.oneof(criticalDriftArb(type), additiveDriftArb(type));
}
