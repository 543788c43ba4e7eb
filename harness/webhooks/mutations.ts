import { GauntletError } from '../errors.js';
import { SIGNATURE_SCHEMES, type SignatureScheme } from '../manifest/types.js';
import type { Delivery } from '../model/delivery.js';
import {
  caseFlippedToken,
  flipByte,
  flippablePositions,
  headersFor,
  signedAt,
  splitToken,
  stripeHeader,
  tokenFor,
  truncatedToken,
  withHeader,
  type Forged,
  type MutationContext,
} from './forge.js';
import { writeJson } from './json-writer.js';
import { schemeSpec } from './sign.js';

export type { Forged, MutationContext } from './forge.js';

export type Expectation = 'reject' | 'accept';

/**
 * One way to turn a valid signed delivery into an invalid (or still valid) one.
 * `apply` is pure; it returns `undefined` when the mutation does not fit this body
 * (e.g. a JSON re-serialisation of a non-JSON body).
 */
export interface Mutation {
  /** Stable id, used in reports and replays: never derived from a function name. */
  id: string;
  label: string;
  schemes: readonly SignatureScheme[];
  expect: Expectation;
  /**
   * For rejects: accepting it is the lower-severity "future timestamp" finding of oracle 6.1
   * (some official libraries only check the past).
   */
  futureTimestamp?: boolean;
  /** Real-world cases (cases/real-world.md) this mutation reproduces. */
  rw?: readonly string[];
  apply(ctx: MutationContext): Forged | undefined;
}

const ALL = SIGNATURE_SCHEMES;
const TIMED: readonly SignatureScheme[] = ['standard-webhooks', 'stripe', 'hmac-sha256'];
const MULTI: readonly SignatureScheme[] = ['standard-webhooks', 'stripe'];

function sigHeader(ctx: MutationContext): string {
  return schemeSpec(ctx.scheme).signatureHeader;
}

/** Valid headers with the signature header replaced by `value`. */
function withSignature(ctx: MutationContext, value: string | undefined): Forged {
  const ok = signedAt(ctx);
  return { body: ctx.body, headers: withHeader(ok.headers, sigHeader(ctx), value) };
}

/** Tokens in the scheme's header; stripe gets its `t=` from `timestamp`. */
function withTokens(ctx: MutationContext, tokens: string[]): Forged {
  return { body: ctx.body, headers: headersFor(ctx, tokens) };
}

/** The good signature under another version tag (`v2,`, `v0=`, `sha1=`). */
function retagged(ctx: MutationContext, tags: { sw: string; stripe: string; github: string }): Forged | undefined {
  const { sig } = splitToken(ctx.scheme, tokenFor(ctx));
  switch (ctx.scheme) {
    case 'standard-webhooks':
      return withSignature(ctx, `${tags.sw},${sig}`);
    case 'stripe':
      return withSignature(ctx, stripeHeader([['t', String(ctx.nowSec)], [tags.stripe, sig]]));
    case 'github':
      return withSignature(ctx, `${tags.github}=${sig}`);
    default:
      return undefined;
  }
}

/** Signed correctly over the timestamp text `ts`: only the timestamp check can reject it. */
function atTimestamp(ts: (now: number) => number | string) {
  return (ctx: MutationContext): Forged => signedAt(ctx, ts(ctx.nowSec));
}

/** Keeps the original signature, swaps in other body bytes. */
function withBody(ctx: MutationContext, body: Buffer | undefined): Forged | undefined {
  if (!body || body.equals(ctx.body)) return undefined;
  return { body, headers: signedAt(ctx).headers };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Changes one business value: `amount` if present, else the first number, else the first string. */
function changedValue(body: Buffer): Buffer | undefined {
  const text = body.toString('utf8');
  const amount = /("amount"\s*:\s*)(\d+)/.exec(text);
  if (amount) {
    const next = String(Number(amount[2]) + 1);
    return Buffer.from(text.slice(0, amount.index) + amount[1] + next + text.slice(amount.index + amount[0].length), 'utf8');
  }
  const num = /(:\s*)(\d+)/.exec(text);
  if (num) return Buffer.from(text.slice(0, num.index) + num[1] + String(Number(num[2]) + 1) + text.slice(num.index + num[0].length), 'utf8');
  const str = /(:\s*")([^"\\])/.exec(text);
  if (str) {
    const c = str[2] === 'x' ? 'y' : 'x';
    return Buffer.from(text.slice(0, str.index) + str[1] + c + text.slice(str.index + str[0].length), 'utf8');
  }
  return undefined;
}

function reserialized(body: Buffer, how: 'toggle' | 'reordered'): Buffer | undefined {
  const value = parseJson(body);
  if (value === undefined || value === null || typeof value !== 'object') return undefined;
  const minified = JSON.stringify(value);
  if (how === 'reordered') return Buffer.from(writeJson(value, { keyOrder: (k) => [...k].reverse() }), 'utf8');
  // Whatever the original spelling, produce the other canonical one: the connector must not normalise.
  return Buffer.from(body.toString('utf8') === minified ? writeJson(value, { indent: '  ', trailing: '\n' }) : minified, 'utf8');
}

function mutation(m: Mutation): Mutation {
  return m;
}

/** The fixed catalogue. Property tests in test/harness/webhooks hold every entry to its `expect`. */
export const MUTATIONS: readonly Mutation[] = [
  // ---- baselines --------------------------------------------------------------------------
  mutation({ id: 'valid', label: 'correctly signed, fresh timestamp', schemes: ALL, expect: 'accept', rw: ['RW-06'], apply: (ctx) => signedAt(ctx) }),

  // ---- header shape -----------------------------------------------------------------------
  mutation({ id: 'sig-missing', label: 'signature header missing', schemes: ALL, expect: 'reject', rw: ['RW-03'], apply: (ctx) => withSignature(ctx, undefined) }),
  mutation({ id: 'sig-empty-header', label: 'signature header present but empty', schemes: ALL, expect: 'reject', apply: (ctx) => withSignature(ctx, '') }),
  mutation({
    id: 'sig-empty-value',
    label: 'signature entry with an empty value (`v1,` / `v1=` / `sha256=`)',
    schemes: ['standard-webhooks', 'stripe', 'github'],
    expect: 'reject',
    rw: ['RW-04'],
    apply: (ctx) => {
      if (ctx.scheme === 'standard-webhooks') return withSignature(ctx, 'v1,');
      if (ctx.scheme === 'stripe') return withSignature(ctx, stripeHeader([['t', String(ctx.nowSec)], ['v1', '']]));
      return withSignature(ctx, 'sha256=');
    },
  }),
  mutation({ id: 'stripe-timestamp-only', label: 'Stripe header `t=<now>` without any v1', schemes: ['stripe'], expect: 'reject', rw: ['RW-04'], apply: (ctx) => withSignature(ctx, `t=${ctx.nowSec}`) }),
  mutation({
    id: 'stripe-no-timestamp',
    label: 'Stripe header with a good `v1=` but no `t=`',
    schemes: ['stripe'],
    expect: 'reject',
    apply: (ctx) => withSignature(ctx, `v1=${tokenFor(ctx)}`),
  }),
  mutation({ id: 'sig-truncated', label: 'signature truncated to half its length', schemes: ALL, expect: 'reject', apply: (ctx) => withTokens(ctx, [truncatedToken(ctx, 22)]) }),
  mutation({
    id: 'sig-truncated-last-char',
    label: 'signature missing its last significant character',
    schemes: ALL,
    expect: 'reject',
    apply: (ctx) => withTokens(ctx, [truncatedToken(ctx, Number.MAX_SAFE_INTEGER)]),
  }),
  mutation({ id: 'sig-version-v2', label: 'good signature under a wrong version tag (`v2,` / `v2=` / `sha1=`)', schemes: MULTI.concat('github'), expect: 'reject', apply: (ctx) => retagged(ctx, { sw: 'v2', stripe: 'v2', github: 'sha1' }) }),
  mutation({ id: 'sig-version-v0-only', label: 'only a `v0` entry carrying the good signature', schemes: MULTI, expect: 'reject', rw: ['RW-10'], apply: (ctx) => retagged(ctx, { sw: 'v0', stripe: 'v0', github: 'sha1' }) }),
  mutation({ id: 'sig-tag-uppercase', label: 'version tag in upper case (`V1,` / `V1=` / `SHA256=`)', schemes: MULTI.concat('github'), expect: 'reject', apply: (ctx) => retagged(ctx, { sw: 'V1', stripe: 'V1', github: 'SHA256' }) }),
  mutation({
    id: 'sig-case-flipped',
    label: 'base64 signature with letter case flipped',
    schemes: ['standard-webhooks'],
    expect: 'reject',
    apply: (ctx) => withTokens(ctx, [caseFlippedToken(ctx, flippablePositions(ctx))]),
  }),
  mutation({ id: 'sig-other-secret', label: 'signed with another secret', schemes: ALL, expect: 'reject', rw: ['RW-10'], apply: (ctx) => withTokens(ctx, [tokenFor(ctx, { key: 'other' })]) }),
  mutation({ id: 'sig-empty-secret', label: 'signed with an empty key (HMAC key "")', schemes: ALL, expect: 'reject', rw: ['RW-03', 'RW-04'], apply: (ctx) => withTokens(ctx, [tokenFor(ctx, { key: 'empty' })]) }),

  // ---- rotation (RW-10) -------------------------------------------------------------------
  mutation({ id: 'rotation-good-first', label: 'two signatures, the good one first', schemes: MULTI, expect: 'accept', rw: ['RW-10'], apply: (ctx) => withTokens(ctx, [tokenFor(ctx), tokenFor(ctx, { key: 'other' })]) }),
  mutation({ id: 'rotation-good-last', label: 'two signatures, the good one last', schemes: MULTI, expect: 'accept', rw: ['RW-10'], apply: (ctx) => withTokens(ctx, [tokenFor(ctx, { key: 'other' }), tokenFor(ctx)]) }),
  mutation({
    id: 'rotation-none-good',
    label: 'two signatures, neither with the current secret',
    schemes: MULTI,
    expect: 'reject',
    rw: ['RW-10'],
    apply: (ctx) => withTokens(ctx, [tokenFor(ctx, { key: 'other' }), tokenFor(ctx, { key: 'empty' })]),
  }),

  // ---- body (signature over other bytes) -------------------------------------------------
  mutation({ id: 'body-flipped-byte', label: 'one body byte flipped, old signature', schemes: ALL, expect: 'reject', apply: (ctx) => withBody(ctx, flipByte(ctx.body, Math.floor(ctx.body.length / 2))) }),
  mutation({ id: 'body-appended', label: 'a newline appended to the body, old signature', schemes: ALL, expect: 'reject', apply: (ctx) => withBody(ctx, Buffer.concat([ctx.body, Buffer.from('\n')])) }),
  mutation({ id: 'body-value-changed', label: 'amount changed, old signature', schemes: ALL, expect: 'reject', apply: (ctx) => withBody(ctx, changedValue(ctx.body)) }),
  mutation({
    id: 'body-reserialized',
    label: 'body re-serialised (minified or pretty-printed), signature over the original bytes',
    schemes: ALL,
    expect: 'reject',
    rw: ['RW-01'],
    apply: (ctx) => withBody(ctx, reserialized(ctx.body, 'toggle')),
  }),
  mutation({ id: 'body-keys-reordered', label: 'keys reordered, signature over the original bytes', schemes: ALL, expect: 'reject', rw: ['RW-01'], apply: (ctx) => withBody(ctx, reserialized(ctx.body, 'reordered')) }),
  mutation({
    id: 'sw-id-changed',
    label: '`webhook-id` changed after signing',
    schemes: ['standard-webhooks'],
    expect: 'reject',
    apply: (ctx) => {
      const ok = signedAt(ctx);
      return { body: ctx.body, headers: withHeader(ok.headers, 'webhook-id', `${ctx.deliveryId}x`) };
    },
  }),

  // ---- timestamps (RW-05, RW-06) ----------------------------------------------------------
  mutation({
    id: 'ts-changed-after-signing',
    label: 'timestamp moved 1 s after signing (signature over the old one)',
    schemes: TIMED,
    expect: 'reject',
    apply: (ctx) => {
      const tokens = [tokenFor(ctx, { timestamp: ctx.nowSec })];
      return { body: ctx.body, headers: headersFor(ctx, tokens, { timestamp: ctx.nowSec - 1 }) };
    },
  }),
  mutation({
    id: 'ts-header-missing',
    label: 'timestamp header missing',
    schemes: ['standard-webhooks', 'hmac-sha256'],
    expect: 'reject',
    apply: (ctx) => {
      const ok = signedAt(ctx);
      return { body: ctx.body, headers: withHeader(ok.headers, schemeSpec(ctx.scheme).timestampHeader!, undefined) };
    },
  }),
  mutation({ id: 'ts-stale-301', label: 'stale timestamp (now-301s)', schemes: TIMED, expect: 'reject', rw: ['RW-05'], apply: atTimestamp((n) => n - 301) }),
  mutation({ id: 'ts-future-301', label: 'future timestamp (now+301s)', schemes: TIMED, expect: 'reject', futureTimestamp: true, rw: ['RW-05'], apply: atTimestamp((n) => n + 301) }),
  mutation({ id: 'ts-within-299', label: 'timestamp within tolerance (now-299s)', schemes: TIMED, expect: 'accept', rw: ['RW-05'], apply: atTimestamp((n) => n - 299) }),
  mutation({ id: 'ts-future-within-299', label: 'timestamp slightly ahead (now+299s, clock skew)', schemes: TIMED, expect: 'accept', apply: atTimestamp((n) => n + 299) }),
  mutation({ id: 'ts-two-hours-old', label: 'timestamp two hours old (now-7200s)', schemes: TIMED, expect: 'reject', rw: ['RW-06'], apply: atTimestamp((n) => n - 7200) }),
  mutation({
    id: 'ts-milliseconds',
    label: 'timestamp in milliseconds (13 digits)',
    schemes: TIMED,
    expect: 'reject',
    // Read as seconds it lies ~55,000 years ahead: past-only checkers accept it, as for +301 s.
    futureTimestamp: true,
    rw: ['RW-06'],
    apply: atTimestamp((n) => n * 1000),
  }),
  mutation({ id: 'ts-non-numeric', label: 'non-numeric timestamp `1700000000abc`', schemes: TIMED, expect: 'reject', rw: ['RW-06'], apply: atTimestamp(() => '1700000000abc') }),
  mutation({ id: 'ts-non-numeric-fresh', label: 'fresh timestamp with a suffix (`<now>abc`), signed over that text', schemes: TIMED, expect: 'reject', rw: ['RW-06'], apply: atTimestamp((n) => `${n}abc`) }),
  mutation({
    id: 'ts-non-numeric-signed-over-number',
    label: 'timestamp header `<now>abc`, signature over `<now>` (parseInt-style readers accept it)',
    schemes: TIMED,
    expect: 'reject',
    rw: ['RW-06'],
    apply: (ctx) => {
      const tokens = [tokenFor(ctx, { timestamp: ctx.nowSec })];
      return { body: ctx.body, headers: headersFor(ctx, tokens, { timestamp: `${ctx.nowSec}abc` }) };
    },
  }),
];

const BY_ID = new Map(MUTATIONS.map((m) => [m.id, m]));
if (BY_ID.size !== MUTATIONS.length) throw new Error('duplicate mutation id in MUTATIONS');

export function mutationById(id: string): Mutation {
  const m = BY_ID.get(id);
  if (!m) {
    throw new GauntletError('GAUNTLET_ERR_SCENARIO_UNKNOWN', `unknown webhook mutation ${JSON.stringify(id)}`, {
      problems: [{ path: 'mutation', reason: `one of ${[...BY_ID.keys()].join(', ')}` }],
    });
  }
  return m;
}

export function mutationsFor(scheme: SignatureScheme): Mutation[] {
  return MUTATIONS.filter((m) => m.schemes.includes(scheme));
}

/**
 * A mutated delivery ready to send, labelled for reports; `undefined` when the mutation does not fit.
 *
 * @example
 * const ctx = mutationContext({ scheme, secret, body: event, nowSec });
 * for (const m of mutationsFor(scheme)) {
 *   const d = applyMutation(m, ctx, { eventId: event.id });
 *   if (d) expectVerdict(await sender.send(d), m.expect, m.futureTimestamp);
 * }
 */
export function applyMutation(m: Mutation, ctx: MutationContext, meta: { eventId?: string; eventType?: string } = {}): Delivery | undefined {
  if (!m.schemes.includes(ctx.scheme)) return undefined;
  const f = m.apply(ctx);
  if (!f) return undefined;
  const d: Delivery = { deliveryId: ctx.deliveryId, body: f.body, headers: f.headers, label: m.label };
  const eventType = meta.eventType ?? ctx.eventType;
  if (meta.eventId !== undefined) d.eventId = meta.eventId;
  if (eventType !== undefined) d.eventType = eventType;
  return d;
}
