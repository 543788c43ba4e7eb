/**
 * Malformed-input generators (contract clause 6, RW-09): each case is a body (and content
 * type) plus whether it is signed and what the contract demands of it. Bodies are built from
 * a valid envelope chosen by the caller, so "type confusion" and "prototype keys" cases hit
 * the fields of the event catalog, and sizes scale up to a configurable cap.
 */
import fc from 'fast-check';
import { fieldSchema } from '../data/event-catalog.js';

/** `reject`: 4xx and no effect. `no-effect`: 2xx or 4xx, never an effect. `tolerated`: anything but a 5xx. */
export type MalformedExpectation = 'reject' | 'no-effect' | 'tolerated';

export interface MalformedCase {
  family: string;
  label: string;
  body: Buffer;
  /** `undefined` sends no content-type header at all. */
  contentType: string | undefined;
  signed: boolean;
  expect: MalformedExpectation;
}

/** Default cap of generated body sizes (bytes): a few MB, above common connector caps. */
export const DEFAULT_MALFORMED_CAP_BYTES = 2 * 1024 * 1024;
/** Nesting depths reach this far: well past V8's recursion limits for naive recursive walkers. */
export const MAX_NESTING = 100_000;

/** What a case is built from: a valid event (fresh per case) and its critical field pointers. */
export interface MalformedBase {
  event: Record<string, unknown>;
  type: string;
  critical: readonly string[];
}

type Recipe = (base: MalformedBase) => Omit<MalformedCase, 'signed' | 'contentType'> & { contentType?: string | null };

function json(v: unknown): string {
  return JSON.stringify(v);
}

function setAt(root: Record<string, unknown>, pointer: string, f: (parent: Record<string, unknown>, key: string) => void): void {
  const parts = pointer.split('/').slice(1);
  const key = parts.pop()!;
  let node: unknown = root;
  for (const p of parts) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[p] : undefined;
  if (node !== null && typeof node === 'object' && !Array.isArray(node)) f(node as Record<string, unknown>, key);
}

function copy(ev: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(ev)) as Record<string, unknown>;
}

/** Pointers whose type confusion must fail closed: the critical fields and the containers above them. */
export function confusablePointers(critical: readonly string[]): string[] {
  const out = new Set<string>(['/data', '/data/object', '/created']);
  for (const p of critical) out.add(p);
  return [...out];
}

function otherTypeValues(type: string, pointer: string): unknown[] {
  const node = fieldSchema(type, pointer);
  const t = node?.['type'];
  const all: unknown[] = ['1999', 1999, true, { value: 1 }, [1], -1, 0.5, ''];
  if (t === 'integer') return ['1999', true, { value: 1 }, [1], 0.5, -1];
  if (t === 'string' || 'const' in (node ?? {}) || 'enum' in (node ?? {})) return [1999, true, { value: 'x' }, ['x'], 978];
  if (t === 'object') return ['x', 1, true, [{}], []];
  return all;
}

/** The families, simplest first: fast-check shrinks toward the first. */
export function malformedCaseArb(opts: { capBytes?: number; bases: fc.Arbitrary<MalformedBase> }): fc.Arbitrary<MalformedCase> {
  const cap = Math.max(1024, opts.capBytes ?? DEFAULT_MALFORMED_CAP_BYTES);
  const recipes: Array<fc.Arbitrary<Recipe>> = [
    fc.constantFrom('', ' ', '\n', '\t \r\n ').map((ws): Recipe => () => ({ family: 'empty', label: ws === '' ? 'empty body' : `whitespace-only body ${json(ws)}`, body: Buffer.from(ws), expect: 'reject' })),
    fc.nat().map((cut): Recipe => (b) => {
      const text = json(b.event);
      const at = 1 + (cut % (text.length - 1));
      return { family: 'truncated-json', label: `JSON cut after ${at} of ${text.length} bytes`, body: Buffer.from(text.slice(0, at)), expect: 'reject' };
    }),
    fc.constantFrom('{', '}', '{"id":}', "{'id':'evt_1'}", '{"a":1,}', 'NaN', 'undefined', '{"a":01}', '\u0000', '{"a":"\\x41"}').map((t): Recipe => () => ({ family: 'invalid-json', label: `invalid JSON ${json(t)}`, body: Buffer.from(t), expect: 'reject' })),
    fc.constantFrom('[]', 'null', '0', '"evt"', 'true', '[{}]').map((t): Recipe => () => ({ family: 'not-an-envelope', label: `JSON ${t} instead of an envelope`, body: Buffer.from(t), expect: 'no-effect' })),
    fc.tuple(fc.nat(), fc.nat()).map(([pi, vi]): Recipe => (b) => {
      const pointers = confusablePointers(b.critical);
      const pointer = pointers[pi % pointers.length]!;
      const values = otherTypeValues(b.type, pointer);
      const value = values[vi % values.length];
      const ev = copy(b.event);
      setAt(ev, pointer, (parent, key) => { parent[key] = value; });
      return { family: 'type-confusion', label: `${pointer.slice(1).replace(/\//g, '.')} as ${json(value)}`, body: Buffer.from(json(ev)), expect: 'no-effect' };
    }),
    fc.tuple(fc.nat(), fc.constantFrom('__proto__', 'constructor.prototype', 'prototype')).map(([pi, holder]): Recipe => (b) => {
      // The critical field exists only under a prototype-ish key: a merge or a polluted prototype would "find" it.
      const pointers = b.critical.filter((p) => p.startsWith('/data/object/'));
      const pointer = pointers[pi % pointers.length] ?? '/data/object/amount';
      const ev = copy(b.event);
      let moved: unknown;
      setAt(ev, pointer, (parent, key) => { moved = parent[key]; delete parent[key]; });
      const key = pointer.split('/').pop()!;
      const field = `{${json(key)}:${json(moved)}}`;
      const inner = holder === 'constructor.prototype' ? `{"constructor":{"prototype":${field}}}` : `{${json(holder)}:${field}}`;
      const obj = json((ev.data as { object: unknown }).object);
      const merged = `${inner.slice(0, -1)}${obj.length > 2 ? `,${obj.slice(1)}` : '}'}`;
      const text = json({ ...ev, data: { object: '__OBJ__' } }).replace('"__OBJ__"', () => merged);
      return { family: 'prototype-keys', label: `${key} only under ${holder}`, body: Buffer.from(text), expect: 'no-effect' };
    }),
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 1_000_000 })).map(([pi, other]): Recipe => (b) => {
      const pointers = b.critical.filter((p) => p.startsWith('/data/object/') && p !== '/data/object/id');
      const pointer = pointers[pi % pointers.length] ?? '/data/object/amount';
      const key = pointer.split('/').pop()!;
      const obj = json((b.event.data as { object: unknown }).object);
      const dup = `${obj.slice(0, -1)},${json(key)}:${json(other)}}`;
      const text = json({ ...b.event, data: { object: '__OBJ__' } }).replace('"__OBJ__"', () => dup);
      return { family: 'duplicate-keys', label: `${key} given twice (second ${other})`, body: Buffer.from(text), expect: 'tolerated' };
    }),
    fc.tuple(fc.constantFrom([0xc3, 0x28], [0xff], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]), fc.nat()).map(([bad, at]): Recipe => (b) => {
      const text = Buffer.from(json(b.event));
      // Inside a string value: after the opening quote of the n-th string.
      const quotes: number[] = [];
      for (let i = 0; i < text.length; i++) if (text[i] === 0x22) quotes.push(i);
      const pos = quotes.length ? quotes[(at % Math.max(1, quotes.length >> 1)) * 2]! + 1 : 1;
      const body = Buffer.concat([text.subarray(0, pos), Buffer.from(bad), text.subarray(pos)]);
      return { family: 'invalid-utf8', label: `bytes ${bad.map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ')} inside a string at byte ${pos}`, body, expect: 'reject' };
    }),
    fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml').map((ct): Recipe => (b) => ({ family: 'wrong-content-type', label: `valid event sent as ${ct}`, body: Buffer.from(json(b.event)), expect: 'reject', contentType: ct })),
    fc.constant((b: MalformedBase) => ({ family: 'missing-content-type', label: 'valid event without a content-type header', body: Buffer.from(json(b.event)), expect: 'tolerated' as const, contentType: null })),
    fc.tuple(fc.integer({ min: 2, max: MAX_NESTING }), fc.constantFrom('[', '{"a":')).map(([depth, open]): Recipe => () => {
      const close = open === '[' ? ']' : '}';
      const body = Buffer.concat([Buffer.from(open.repeat(depth)), Buffer.from('1'), Buffer.from(close.repeat(depth))]);
      return { family: 'deep-nesting', label: `${depth} nested ${open === '[' ? 'arrays' : 'objects'}`, body, expect: 'no-effect' };
    }),
    fc.tuple(fc.integer({ min: 1024, max: cap }), fc.boolean()).map(([size, closed]): Recipe => (b) => {
      // An envelope whose object is an unterminated (or huge) string: invalid, and as large as asked.
      const head = Buffer.from(json({ ...b.event, data: { object: '' } }).replace(/""}}$/, '"'));
      const pad = Buffer.alloc(Math.max(0, size - head.length - (closed ? 3 : 0)), 0x78);
      const body = Buffer.concat([head, pad, Buffer.from(closed ? '"}}' : '')]);
      return { family: 'large', label: `${body.length} byte body, data.object ${closed ? 'a huge string' : 'an unterminated string'}`, body, expect: closed ? 'no-effect' : 'reject' };
    }),
  ];
  return fc
    .tuple(fc.oneof({ withCrossShrink: true }, ...recipes), opts.bases, fc.boolean())
    .map(([recipe, base, unsigned]) => {
      const r = recipe(base);
      const contentType = r.contentType === null ? undefined : (r.contentType ?? 'application/json');
      // Unsigned garbage must be refused before parsing, whatever the family expects when signed.
      const c: MalformedCase = { family: r.family, label: `${unsigned ? 'unsigned' : 'signed'} ${r.label}`, body: r.body, contentType, signed: !unsigned, expect: unsigned ? 'reject' : r.expect };
      Object.defineProperty(c, fc.toStringMethod, { value: () => c.label, enumerable: false });
      return c;
    });
}
