/**
 * Whatever it is given, the loader returns a well-formed Manifest or throws a
 * GauntletError with a GAUNTLET_ERR_MANIFEST_* code: never a TypeError, never a
 * polluted prototype. Inputs: arbitrary JSON values, arbitrary text, and valid
 * manifests damaged by deleting, renaming and replacing fields.
 */
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { GauntletError } from '../../../harness/errors.js';
import { jsonErrorOffset, parseManifestText, validateManifest } from '../../../harness/manifest/load.js';
import { DEFAULT_TIER, TIERS, type Manifest } from '../../../harness/manifest/types.js';
import { VALID_YAML, validData } from './fixtures.js';

const SOURCE = path.resolve('/project/acme/connector.yaml');
const RUNS = 1000;

function outcome(fn: () => Manifest): Manifest | GauntletError {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof GauntletError)) throw new Error(`loader threw a non-GauntletError: ${String(e)}`, { cause: e });
    return e;
  }
}

/** Checks the outcome is acceptable and, for a Manifest, that it is really normalised. */
function assertWellFormed(r: Manifest | GauntletError): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  if (r instanceof GauntletError) {
    expect(r.code).toMatch(/^GAUNTLET_ERR_MANIFEST_/);
    if (r.code === 'GAUNTLET_ERR_MANIFEST_INVALID') {
      expect(r.problems.length).toBeGreaterThan(0);
      for (const p of r.problems) {
        expect(typeof p.path).toBe('string');
        expect(p.reason.length).toBeGreaterThan(0);
      }
    }
    return;
  }
  expect(r.apiVersion).toBe('gauntlet/v1');
  expect(TIERS.indexOf(r.tier)).toBeGreaterThanOrEqual(TIERS.indexOf(DEFAULT_TIER[r.type]));
  expect(path.isAbsolute(r.run.cwd)).toBe(true);
  expect([r.run.command, r.run.image, r.run.dockerfile, r.run.url].filter((x) => x !== undefined)).toHaveLength(1);
  expect(r.run.startTimeoutMs).toBeGreaterThanOrEqual(100);
  expect(r.run.startTimeoutMs).toBeLessThanOrEqual(600_000);
  expect(r.sla.ackMs).toBeGreaterThanOrEqual(1);
  expect(r.webhooks.events.length).toBeGreaterThan(0);
  for (const [event, rules] of Object.entries(r.effects)) {
    expect(r.webhooks.events).toContain(event);
    expect(Array.isArray(rules)).toBe(true);
    for (const rule of rules) {
      expect(['hub', 'acquirer']).toContain(rule.target);
      expect(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).toContain(rule.method);
      expect(rule.path.startsWith('/')).toBe(true);
      if (rule.min !== undefined && rule.max !== undefined) expect(rule.min).toBeLessThanOrEqual(rule.max);
    }
  }
}

type Seg = string | number;
function allPaths(value: unknown, at: Seg[] = []): Seg[][] {
  const out: Seg[][] = at.length ? [at] : [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...allPaths(v, [...at, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...allPaths(v, [...at, k]));
  return out;
}
const PATHS = allPaths(validData());

const weirdString = fc.oneof(
  fc.constantFrom('', ' ', '\u0000', '${', '$${X}', '${NOPE}', '__proto__', 'constructor', '../../..', '/etc', 'http://', 'hub', 'a:b', 'x.y', '{id}', 'acquirer DELETE /{a}/{a}', '\u2028', '😀', 'POST /v1/x?y=1'),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  // Long values past every maxLength; constants, since generating 9,000 random characters per run is slow.
  fc.constantFrom('x'.repeat(9000), `\${${'A'.repeat(9000)}}`, `/${'a/'.repeat(3000)}`),
);
const absurdNumber = fc.oneof(
  fc.constantFrom(-1, 0, -0, 1, 0.5, 99, 100, 600_000, 600_001, 65_535, 65_536, 36_000_000, 2 ** 53, -(2 ** 53), 1e308, Number.MAX_VALUE, Number.POSITIVE_INFINITY, Number.NaN),
  fc.integer(),
  fc.double(),
);
const weirdValue = fc.oneof(weirdString, absurdNumber, fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 3 }), fc.array(weirdString, { maxLength: 3 }), fc.dictionary(weirdString, weirdString, { maxKeys: 3 }));

const mutation = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.constantFrom(...PATHS) }),
  fc.record({ op: fc.constant('replace' as const), at: fc.constantFrom(...PATHS), value: weirdValue }),
  fc.record({ op: fc.constant('rename' as const), at: fc.constantFrom(...PATHS), name: fc.oneof(weirdString, fc.constantFrom('__proto__', 'helthPath', 'Run', 'effects', 'max')) }),
  fc.record({ op: fc.constant('add' as const), at: fc.constantFrom(...PATHS), name: fc.oneof(weirdString, fc.constant('__proto__')), value: weirdValue }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function apply(data: Record<string, any>, m: Mutation): void {
  let parent: any = data;
  for (const seg of m.at.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object' || !Object.hasOwn(parent, seg)) return;
    parent = parent[seg];
  }
  const last = m.at[m.at.length - 1]!;
  if (parent === null || typeof parent !== 'object' || !Object.hasOwn(parent, last)) return;
  const define = (obj: any, key: Seg, value: unknown) => Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  switch (m.op) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      break;
    case 'replace':
      define(parent, last, m.value);
      break;
    case 'rename':
      if (!Array.isArray(parent)) {
        const v = parent[last];
        delete parent[last];
        define(parent, m.name, v);
      }
      break;
    case 'add': {
      const target = parent[last];
      if (target && typeof target === 'object' && !Array.isArray(target)) define(target, m.name, m.value);
      break;
    }
  }
}

describe('loader never fails badly (property)', () => {
  it('arbitrary JSON text', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        assertWellFormed(outcome(() => parseManifestText(JSON.stringify(value) ?? 'null', 'json', SOURCE)));
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated valid manifests, validated directly and through YAML', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.nat({ max: 3 }), (mutations, channel) => {
        const data = validData();
        for (const m of mutations) apply(data, m);
        assertWellFormed(outcome(() => validateManifest(data, SOURCE)));
        // The YAML round trip costs ~5x a validation; a quarter of the runs is enough for it.
        if (channel !== 0) return;
        let text: string | undefined;
        try {
          text = stringify(data);
        } catch {
          text = undefined; // some values (NaN keys, etc.) have no YAML form: nothing to test there
        }
        if (text !== undefined) assertWellFormed(outcome(() => parseManifestText(text, 'yaml', SOURCE)));
      }),
      { numRuns: RUNS },
    );
  });

  it('arbitrary and damaged YAML text', () => {
    const damaged = fc
      .tuple(fc.nat({ max: VALID_YAML.length }), fc.nat({ max: 20 }), fc.string({ maxLength: 8 }))
      .map(([at, cut, insert]) => VALID_YAML.slice(0, at) + insert + VALID_YAML.slice(Math.min(VALID_YAML.length, at + cut)));
    fc.assert(
      fc.property(fc.oneof(damaged, fc.string({ maxLength: 200 }), fc.constantFrom('[', '- a\n- b', '!!binary aGk=', '? [a]\n: b', '&a [*a]', 'a: !!js/function "x"')), (text) => {
        assertWellFormed(outcome(() => parseManifestText(text, 'yaml', SOURCE)));
      }),
      { numRuns: RUNS },
    );
  });

  it('survives deep nesting and does not overflow', () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    assertWellFormed(outcome(() => parseManifestText(deep, 'json', SOURCE)));
    assertWellFormed(outcome(() => parseManifestText(`run: ${deep}\n`, 'yaml', SOURCE)));
    const nested = JSON.parse(`{"apiVersion":"gauntlet/v1","owner":${'{"a":'.repeat(500)}1${'}'.repeat(500)}}`);
    assertWellFormed(outcome(() => validateManifest(nested, SOURCE)));
  });
});

describe('jsonErrorOffset agrees with JSON.parse (property)', () => {
  const validity = (text: string) => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  };
  it('finds an error exactly when JSON.parse fails, inside the text', () => {
    const texts = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v, null, 2)),
      fc.tuple(fc.jsonValue().map((v) => JSON.stringify(v)), fc.nat(), fc.string({ maxLength: 3 })).map(([t, at, ins]) => t.slice(0, at % (t.length + 1)) + ins + t.slice(at % (t.length + 1))),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(
      fc.property(texts, (text) => {
        const offset = jsonErrorOffset(text);
        expect(offset === undefined).toBe(validity(text));
        if (offset !== undefined) expect(offset).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: RUNS },
    );
  });
});
