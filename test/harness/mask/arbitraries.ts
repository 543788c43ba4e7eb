/** Shared fast-check arbitraries for the mask tests: planted sensitive values inside JSON documents. */
import fc from 'fast-check';
import { TEST_CARDS, luhnCheckDigit } from '../../../harness/data/test-cards.js';

export type PlantKind = 'card' | 'email' | 'secret' | 'card-number';

export interface Plant {
  kind: PlantKind;
  /** The exact sensitive text (for `card-number`, the decimal digits of a JSON number). */
  value: string;
}

const digits = (min: number, max: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((a) => a.join(''));

/** Luhn-valid 13–19 digit numbers: published test cards and random ones (any first digit 1–9). */
export const panArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...TEST_CARDS.map((c) => c.pan)),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 13, max: 19 }), digits(18, 18)).map(([first, len, rest]) => {
    const payload = `${first}${rest.slice(0, len - 2)}`;
    return payload + luhnCheckDigit(payload);
  }),
);

/** A card as people write it: unbroken, in fours with spaces, or in fours with dashes. */
export const cardTextArb: fc.Arbitrary<string> = fc.tuple(panArb, fc.constantFrom('', ' ', '-')).map(([pan, sep]) => (sep ? pan.replace(/(\d{4})(?=\d)/g, `$1${sep}`) : pan));

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/);
/** Realistic addresses plus fast-check's RFC-shaped ones. */
export const emailArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,15}$/), fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-z]{2,6}$/)).map(([local, labels, tld]) => `${local}@${labels.join('.')}.${tld}`),
  fc.emailAddress(),
);

const b64 = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a).toString('base64'));
const alnum = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9]{${min},${max}}$`));
/** Secrets as they leak: webhook secrets, API keys, bearer tokens and JWTs. */
export const secretArb: fc.Arbitrary<string> = fc.oneof(
  b64(32).map((k) => `whsec_${k}`),
  fc.tuple(fc.constantFrom('sk_live_', 'sk_test_', 'rk_live_'), alnum(24, 40)).map(([p, s]) => p + s),
  fc.stringMatching(/^[A-Za-z0-9._~+/-]{20,48}$/).map((t) => `Bearer ${t}`),
  fc.tuple(alnum(10, 20), alnum(10, 30), alnum(10, 30)).map(([a, b, c]) => `eyJ${a}.eyJ${b}.${c}`),
);

export const plantArb: fc.Arbitrary<Plant> = fc.oneof(
  cardTextArb.map((value) => ({ kind: 'card' as const, value })),
  emailArb.map((value) => ({ kind: 'email' as const, value })),
  secretArb.map((value) => ({ kind: 'secret' as const, value })),
  fc.constantFrom(...TEST_CARDS.filter((c) => c.pan.length <= 16 && Number.isSafeInteger(Number(c.pan))).map((c) => c.pan)).map((value) => ({ kind: 'card-number' as const, value })),
);

const PLANT = Symbol('plant');
type TreeNode = { t: 'leaf'; v: typeof PLANT | string | number | boolean | null } | { t: 'arr'; v: TreeNode[] } | { t: 'obj'; v: Array<[typeof PLANT | string, TreeNode]> };

const leafArb: fc.Arbitrary<TreeNode> = fc
  .oneof(fc.constant(PLANT), fc.constant(PLANT), fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }))
  .map((v) => ({ t: 'leaf' as const, v }));
const keyArb = fc.oneof(fc.constant(PLANT), fc.string({ maxLength: 8 }));
/** Trees up to 4 levels deep: leaves, arrays and objects whose keys may be plants too. */
const treeArb: fc.Arbitrary<TreeNode> = treeArb4(4);
function treeArb4(n: number): fc.Arbitrary<TreeNode> {
  return n <= 1 ? leafArb : fc.oneof(leafArb, fc.array(treeArb4(n - 1), { maxLength: 4 }).map((v) => ({ t: 'arr' as const, v })), fc.array(fc.tuple(keyArb, treeArb4(n - 1)), { maxLength: 4 }).map((v) => ({ t: 'obj' as const, v })));
}

export interface PlantedDoc {
  doc: unknown;
  plants: Plant[];
}

/**
 * A JSON document with planted values at any depth, as whole values, embedded in text
 * (`prefix + value + suffix`) and as object keys. Plants are reused in turn, so equal
 * values appear in several places.
 */
export const plantedDocArb: fc.Arbitrary<PlantedDoc> = fc
  .record({
    tree: treeArb,
    plants: fc.array(plantArb, { minLength: 1, maxLength: 5 }),
    glue: fc.array(fc.tuple(fc.boolean(), fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 5 }),
  })
  .map(({ tree, plants, glue }) => {
    let n = 0;
    const used: Plant[] = [];
    const next = (asKey: boolean): string | number => {
      const p = plants[n % plants.length]!;
      const [embed, pre, post] = glue[n % glue.length]!;
      n++;
      used.push(p);
      if (p.kind === 'card-number') return asKey ? p.value : Number(p.value);
      return embed ? `${pre}${p.value}${post}` : p.value;
    };
    const build = (t: TreeNode): unknown => {
      if (t.t === 'leaf') return t.v === PLANT ? next(false) : t.v;
      if (t.t === 'arr') return t.v.map(build);
      const o: Record<string, unknown> = {};
      for (const [k, v] of t.v) Object.defineProperty(o, k === PLANT ? String(next(true)) : k, { value: build(v), enumerable: true, writable: true, configurable: true });
      return o;
    };
    const doc = build(tree);
    // Every document carries at least one plant.
    return used.length > 0 ? { doc, plants: used } : { doc: { root: doc, note: next(false) }, plants: used };
  });

