import fc from 'fast-check';
import { GauntletError } from '../errors.js';
import type { SignatureScheme } from '../manifest/types.js';
import type { Delivery } from '../model/delivery.js';
import { TRICKY_TEXT } from './equivalent-bytes.js';
import {
  caseFlippedToken,
  flipByte,
  flippablePositions,
  headersFor,
  informativeLength,
  signedAt,
  splitToken,
  stripeHeader,
  tokenFor,
  truncatedToken,
  withHeader,
  type Forged,
  type KeySource,
  type MutationContext,
} from './forge.js';
import { writeJson, type JsonStyle } from './json-writer.js';
import type { Expectation } from './mutations.js';
import { schemeSpec } from './sign.js';

/** One generated delivery with the verdict the contract demands. Prints as its label in counterexamples. */
export interface DeliveryCase {
  /** Family of the case (`truncated`, `stale`, …): stable, for grouping failures. */
  kind: string;
  label: string;
  expect: Expectation;
  /** Accepting it is the lower-severity future-timestamp finding. */
  futureTimestamp?: boolean;
  delivery: Delivery;
  /** The event the bytes encode (equivalent-bytes cases: what the connector must decode). */
  event?: unknown;
}

const DEFAULT_TOLERANCE = 300;

function deliveryCase(c: Omit<DeliveryCase, 'delivery'> & { forged: Forged; ctx: MutationContext }): DeliveryCase {
  const { forged, ctx, ...rest } = c;
  const delivery: Delivery = { deliveryId: ctx.deliveryId, body: forged.body, headers: forged.headers, label: c.label };
  if (ctx.eventType !== undefined) delivery.eventType = ctx.eventType;
  const out: DeliveryCase = { ...rest, delivery };
  // fast-check prints counterexamples with this: the label beats a dump of body bytes.
  Object.defineProperty(out, fc.toStringMethod, { value: () => `${c.kind}: ${c.label}`, enumerable: false });
  return out;
}

/** A small contract envelope, for tests and as a default; scenarios pass the synthetic-data one. */
export function sampleEnvelopeArb(): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      id: fc.stringMatching(/^[a-zA-Z0-9]{8,16}$/),
      type: fc.constantFrom('payment.captured', 'refund.requested', 'refund.succeeded', 'payout.requested'),
      created: fc.integer({ min: 1_700_000_000, max: 1_900_000_000 }),
      amount: fc.integer({ min: 1, max: 10_000_000 }),
      currency: fc.constantFrom('EUR', 'USD', 'GBP', 'JPY', 'KWD'),
      note: fc.string({ unit: 'binary', maxLength: 12 }),
    })
    .map(({ id, type, created, amount, currency, note }) => ({
      id: `evt_${id}`,
      type,
      api_version: '2026-01-01',
      created,
      data: { object: { id: `obj_${id}`, object: type.split('.')[0], amount, currency, status: 'requested', note } },
    }));
}

function secretArb(scheme: SignatureScheme): fc.Arbitrary<string> {
  if (scheme === 'standard-webhooks' || scheme === 'stripe') {
    return fc.uint8Array({ minLength: 24, maxLength: 40 }).map((b) => `whsec_${Buffer.from(b).toString('base64')}`);
  }
  return fc.stringMatching(/^[A-Za-z0-9_\-]{8,40}$/);
}

/** Contexts around random envelopes: the base every mutation arbitrary starts from. */
export function contextArb(
  scheme: SignatureScheme,
  secret: string,
  envelopeArb: fc.Arbitrary<unknown>,
  nowSec: number,
): fc.Arbitrary<MutationContext & { event: unknown }> {
  schemeSpec(scheme);
  return fc
    .record({
      event: envelopeArb,
      deliveryId: fc.stringMatching(/^[A-Za-z0-9_-]{4,24}$/).map((s) => `msg_${s}`),
      otherSecret: secretArb(scheme).filter((s) => s !== secret),
    })
    .map(({ event, deliveryId, otherSecret }) => {
      const type = (event as { type?: unknown } | null)?.type;
      return {
        scheme,
        secret,
        otherSecret,
        deliveryId,
        nowSec,
        body: Buffer.from(JSON.stringify(event), 'utf8'),
        event,
        ...(typeof type === 'string' ? { eventType: type } : {}),
      };
    });
}

/** Correctly signed deliveries with a timestamp anywhere inside the tolerance window. */
export function validDeliveryArb(
  scheme: SignatureScheme,
  secret: string,
  envelopeArb: fc.Arbitrary<unknown>,
  nowSec: number,
  toleranceSec = DEFAULT_TOLERANCE,
): fc.Arbitrary<DeliveryCase> {
  return fc
    .tuple(contextArb(scheme, secret, envelopeArb, nowSec), fc.integer({ min: -(toleranceSec - 1), max: toleranceSec - 1 }))
    .map(([ctx, offset]) =>
      deliveryCase({
        kind: 'valid',
        label: `valid delivery (timestamp now${offset >= 0 ? '+' : ''}${offset}s)`,
        expect: 'accept',
        forged: signedAt(ctx, nowSec + offset),
        ctx,
        event: ctx.event,
      }),
    );
}

type HeaderMutation =
  | { kind: 'missing' }
  | { kind: 'empty' }
  | { kind: 'truncated'; keep: number }
  | { kind: 'other-secret' }
  | { kind: 'empty-secret' }
  | { kind: 'wrong-tag'; tag: string }
  | { kind: 'space-inside'; at: number }
  | { kind: 'case-flip'; picks: number[] }
  | { kind: 'several'; keys: Array<KeySource | 'v0-good'> };

const WRONG_TAGS: Record<SignatureScheme, string[]> = {
  'standard-webhooks': ['v0', 'v2', 'V1', 'v1a', 'v', 'v11'],
  stripe: ['v0', 'v2', 'V1', 'v', 's1', 'v11'],
  github: ['sha1', 'sha512', 'SHA256', 'sha-256', 'sha25'],
  'hmac-sha256': ['sha256', 'v1'],
};

function headerMutationArb(scheme: SignatureScheme): fc.Arbitrary<HeaderMutation> {
  const spec = schemeSpec(scheme);
  const arbs: Array<fc.Arbitrary<HeaderMutation>> = [
    fc.constant({ kind: 'missing' }),
    fc.constant({ kind: 'empty' }),
    fc.nat({ max: 63 }).map((keep) => ({ kind: 'truncated', keep })),
    fc.constant({ kind: 'empty-secret' }),
    fc.constant({ kind: 'other-secret' }),
    fc.constantFrom(...WRONG_TAGS[scheme]).map((tag) => ({ kind: 'wrong-tag', tag })),
    fc.integer({ min: 1, max: 62 }).map((at) => ({ kind: 'space-inside', at })),
  ];
  // Hex is case-insensitive as bytes, so only base64 signatures get case flips.
  if (scheme === 'standard-webhooks') arbs.push(fc.uniqueArray(fc.nat({ max: 43 }), { minLength: 1, maxLength: 43 }).map((picks) => ({ kind: 'case-flip', picks })));
  if (spec.multiSignature) {
    arbs.push(
      fc
        .array(fc.constantFrom<KeySource | 'v0-good'>('other', 'empty', 'v0-good', 'good'), { minLength: 1, maxLength: 4 })
        .map((keys) => ({ kind: 'several', keys })),
    );
  }
  return fc.oneof({ withCrossShrink: true }, ...arbs);
}

function applyHeaderMutation(ctx: MutationContext, m: HeaderMutation): { forged: Forged; label: string; expect: Expectation } {
  const spec = schemeSpec(ctx.scheme);
  const good = signedAt(ctx);
  const reject = (headers: Record<string, string>, label: string) => ({ forged: { body: ctx.body, headers }, label, expect: 'reject' as const });
  const sigOnly = (value: string | undefined) => withHeader(good.headers, spec.signatureHeader, value);
  const { tag, sig } = splitToken(ctx.scheme, tokenFor(ctx));
  switch (m.kind) {
    case 'missing':
      return reject(sigOnly(undefined), 'signature header missing');
    case 'empty':
      return reject(sigOnly(''), 'signature header empty');
    case 'truncated': {
      const keep = Math.min(m.keep, informativeLength(ctx.scheme, sig) - 1);
      return reject(headersFor(ctx, [truncatedToken(ctx, keep)]), `signature truncated to ${keep} characters`);
    }
    case 'other-secret':
      return reject(headersFor(ctx, [tokenFor(ctx, { key: 'other' })]), 'signed with another secret');
    case 'empty-secret':
      return reject(headersFor(ctx, [tokenFor(ctx, { key: 'empty' })]), 'signed with the empty key');
    case 'wrong-tag': {
      let value: string;
      if (ctx.scheme === 'standard-webhooks') value = `${m.tag},${sig}`;
      else if (ctx.scheme === 'stripe') value = stripeHeader([['t', String(ctx.nowSec)], [m.tag, sig]]);
      else value = `${m.tag}=${sig}`;
      return reject(sigOnly(value), `good signature under the tag ${JSON.stringify(m.tag)}`);
    }
    case 'space-inside': {
      // Strictly inside the signature: HTTP trims whitespace at the ends of a header value.
      const at = Math.min(m.at, sig.length - 1);
      const spaced = tag + sig.slice(0, at) + ' ' + sig.slice(at);
      return reject(headersFor(ctx, [spaced]), `space inserted at position ${at} of the signature`);
    }
    case 'case-flip': {
      const flippable = flippablePositions(ctx);
      const picks = [...new Set(m.picks.map((p) => flippable[p % flippable.length]!))];
      return reject(headersFor(ctx, [caseFlippedToken(ctx, picks)]), `case flipped at signature positions ${picks.join(',')}`);
    }
    case 'several': {
      const tokens = m.keys.map((k) => {
        if (k !== 'v0-good') return tokenFor(ctx, { key: k });
        return ctx.scheme === 'standard-webhooks' ? `v0,${sig}` : sig;
      });
      let headers = headersFor(ctx, tokens);
      if (ctx.scheme === 'stripe') {
        const entries: Array<[string, string]> = [['t', String(ctx.nowSec)]];
        m.keys.forEach((k, i) => entries.push([k === 'v0-good' ? 'v0' : 'v1', tokens[i]!]));
        headers = withHeader(headers, spec.signatureHeader, stripeHeader(entries));
      }
      const expect: Expectation = m.keys.includes('good') ? 'accept' : 'reject';
      return { forged: { body: ctx.body, headers }, label: `signatures from keys [${m.keys.join(', ')}]`, expect };
    }
  }
}

/**
 * Header-level forgeries around fresh, otherwise valid deliveries (several-signature cases may be valid).
 *
 * @example
 * await fc.assert(fc.asyncProperty(invalidSignatureArb(scheme, secret, envelopeArb, nowSec), async (c) => {
 *   const o = await sender.send(c.delivery);
 *   return c.expect === 'accept' ? isAccepted(o) : isRejected4xx(o);
 * }));
 */
export function invalidSignatureArb(
  scheme: SignatureScheme,
  secret: string,
  envelopeArb: fc.Arbitrary<unknown>,
  nowSec: number,
): fc.Arbitrary<DeliveryCase> {
  return fc.tuple(headerMutationArb(scheme), contextArb(scheme, secret, envelopeArb, nowSec)).map(([m, ctx]) => {
    const r = applyHeaderMutation(ctx, m);
    return deliveryCase({ kind: m.kind, label: r.label, expect: r.expect, forged: r.forged, ctx, event: ctx.event });
  });
}

/** Body bytes changed after signing: a flipped byte anywhere, or bytes appended. Always rejected. */
export function bodyMutationArb(
  scheme: SignatureScheme,
  secret: string,
  envelopeArb: fc.Arbitrary<unknown>,
  nowSec: number,
): fc.Arbitrary<DeliveryCase> {
  const change = fc.oneof(
    { withCrossShrink: true },
    fc.record({ kind: fc.constant('flipped-byte' as const), index: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('appended' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  );
  return fc.tuple(change, contextArb(scheme, secret, envelopeArb, nowSec)).map(([c, ctx]) => {
    const headers = signedAt(ctx).headers;
    if (c.kind === 'flipped-byte') {
      const index = c.index % Math.max(1, ctx.body.length);
      return deliveryCase({
        kind: c.kind,
        label: `body byte ${index} XOR 0x${c.mask.toString(16)} after signing`,
        expect: 'reject',
        forged: { body: flipByte(ctx.body, index, c.mask), headers },
        ctx,
      });
    }
    return deliveryCase({
      kind: c.kind,
      label: `${c.bytes.length} byte(s) appended after signing`,
      expect: 'reject',
      forged: { body: Buffer.concat([ctx.body, Buffer.from(c.bytes)]), headers },
      ctx,
    });
  });
}

type TimestampPick =
  | { kind: 'offset'; offset: number }
  | { kind: 'milliseconds'; skewMs: number }
  | { kind: 'non-numeric'; offset: number; junk: string };

/**
 * Timestamps around the tolerance window (edges ±1 s), far outside it, in milliseconds, or with
 * non-digits; each correctly signed over its own header text, so only the timestamp check decides.
 */
export function timestampArb(
  scheme: SignatureScheme,
  secret: string,
  envelopeArb: fc.Arbitrary<unknown>,
  nowSec: number,
  toleranceSec = DEFAULT_TOLERANCE,
): fc.Arbitrary<DeliveryCase> {
  if (!schemeSpec(scheme).hasTimestamp) {
    throw new GauntletError('GAUNTLET_ERR_INTERNAL', `timestampArb: scheme ${scheme} signs no timestamp`, {
      problems: [{ path: 'scheme', reason: 'use standard-webhooks, stripe or hmac-sha256' }],
    });
  }
  const t = toleranceSec;
  const pick: fc.Arbitrary<TimestampPick> = fc.oneof(
    { withCrossShrink: true },
    fc.constantFrom(0, -(t - 1), -t, -(t + 1), t - 1, t, t + 1).map((offset) => ({ kind: 'offset' as const, offset })),
    fc.integer({ min: -t, max: t }).map((offset) => ({ kind: 'offset' as const, offset })),
    fc.integer({ min: t + 1, max: 10 * 365 * 86_400 }).map((o) => ({ kind: 'offset' as const, offset: -o })),
    fc.integer({ min: t + 1, max: 10 * 365 * 86_400 }).map((o) => ({ kind: 'offset' as const, offset: o })),
    fc.integer({ min: -5000, max: 5000 }).map((skewMs) => ({ kind: 'milliseconds' as const, skewMs })),
    fc
      .tuple(fc.integer({ min: -t, max: t }), fc.constantFrom('abc', '.0', 'e0', 'x', '.5', '-', '_1'))
      .map(([offset, junk]) => ({ kind: 'non-numeric' as const, offset, junk })),
  );
  return fc.tuple(pick, contextArb(scheme, secret, envelopeArb, nowSec)).map(([p, ctx]) => {
    if (p.kind === 'milliseconds') {
      const ms = nowSec * 1000 + p.skewMs;
      return deliveryCase({ kind: 'milliseconds', label: `timestamp in milliseconds (${ms})`, expect: 'reject', futureTimestamp: true, forged: signedAt(ctx, ms), ctx });
    }
    if (p.kind === 'non-numeric') {
      const text = `${nowSec + p.offset}${p.junk}`;
      return deliveryCase({ kind: 'non-numeric', label: `non-numeric timestamp ${JSON.stringify(text)}`, expect: 'reject', forged: signedAt(ctx, text), ctx });
    }
    const ok = Math.abs(p.offset) <= t;
    const label = `timestamp now${p.offset >= 0 ? '+' : ''}${p.offset}s`;
    const c = { kind: ok ? 'in-window' : p.offset > 0 ? 'future' : 'stale', label, forged: signedAt(ctx, nowSec + p.offset), ctx };
    if (ok) return deliveryCase({ ...c, expect: 'accept', event: ctx.event });
    return deliveryCase({ ...c, expect: 'reject', ...(p.offset > 0 ? { futureTimestamp: true } : {}) });
  });
}

/** Deterministic pseudo-random bit from a seed and a position (seed 0 means "never"). */
function bit(seed: number, i: number, oneIn: number): boolean {
  if (seed === 0) return false;
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f) >>> 0;
  return (h ^ (h >>> 16)) % oneIn === 0;
}

/** A seeded permutation: keys ordered by a hash of (seed, key). */
function shuffled(keys: string[], seed: number): string[] {
  const rank = (k: string): number => {
    let h = seed >>> 0;
    for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 0x01000193) >>> 0;
    return h;
  };
  return keys.map((k) => [rank(k), k] as const).sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1)).map(([, k]) => k);
}

const WS = [' ', '\t', '\n', '\r\n', '  '];

/**
 * Random byte spellings of random envelopes (whitespace, key order, `\u` escapes of random
 * characters, `\/`, number forms), optionally with a text field holding U+2028 and other traps.
 * Signed over their own bytes: every case must be accepted and decode to `event`.
 */
export function equivalentBytesArb(
  scheme: SignatureScheme,
  secret: string,
  envelopeArb: fc.Arbitrary<unknown>,
  nowSec: number,
): fc.Arbitrary<DeliveryCase> {
  const styleArb = fc.record({
    indent: fc.constantFrom('', '  ', '\t', ' '),
    crlf: fc.boolean(),
    gapSeed: fc.nat(),
    keySeed: fc.nat(),
    escapeSeed: fc.nat(),
    escapeSlash: fc.boolean(),
    integerForm: fc.constantFrom<'plain' | 'decimal' | 'exponent'>('plain', 'decimal', 'exponent'),
    trailing: fc.constantFrom('', '\n', '\r\n', ' \t'),
  });
  const extraText = fc.option(fc.string({ unit: 'binary', maxLength: 8 }).map((s) => `${s}\u2028${TRICKY_TEXT}`), { nil: undefined });
  return fc.tuple(contextArb(scheme, secret, envelopeArb, nowSec), styleArb, extraText).map(([base, s, text]) => {
    const event = JSON.parse(JSON.stringify(base.event)) as unknown;
    if (text !== undefined && event !== null && typeof event === 'object' && !Array.isArray(event)) {
      const target = (event as { data?: { object?: Record<string, unknown> } }).data?.object;
      if (target && typeof target === 'object') target.description = text;
      else (event as Record<string, unknown>).description = text;
    }
    const style: JsonStyle = {
      indent: s.indent,
      newline: s.crlf ? '\r\n' : '\n',
      gap: (i) => (bit(s.gapSeed, i, 4) ? WS[i % WS.length]! : ''),
      keyOrder: s.keySeed === 0 ? undefined : (keys) => shuffled(keys, s.keySeed),
      escape: (cp) => bit(s.escapeSeed, cp, 3),
      escapeSlash: s.escapeSlash,
      integerForm: s.integerForm,
      trailing: s.trailing,
    };
    const body = Buffer.from(writeJson(event, style), 'utf8');
    const ctx: MutationContext = { ...base, body };
    const knobs = [
      s.indent ? `indent ${JSON.stringify(s.indent)}` : 'one line',
      s.gapSeed ? 'extra whitespace' : '',
      s.keySeed ? 'shuffled keys' : '',
      s.escapeSeed ? '\\u escapes' : '',
      s.escapeSlash ? '\\/' : '',
      s.integerForm !== 'plain' ? `integers as ${s.integerForm}` : '',
      text !== undefined ? 'U+2028 text' : '',
    ].filter(Boolean);
    return deliveryCase({ kind: 'equivalent-bytes', label: `equivalent bytes: ${knobs.join(', ')}`, expect: 'accept', forged: signedAt(ctx), ctx, event });
  });
}
