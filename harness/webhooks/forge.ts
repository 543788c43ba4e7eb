import { randomBytes } from 'node:crypto';
import type { SignatureScheme } from '../manifest/types.js';
import { newDeliveryId, toBodyBytes } from './deliveries.js';
import { timestampText } from './hmac.js';
import { schemeSpec } from './sign.js';

/** Everything needed to re-sign or forge one delivery. Small pure functions over it live here. */
export interface MutationContext {
  scheme: SignatureScheme;
  /** The secret the connector was started with. */
  secret: string;
  /** A well-formed secret the connector does NOT know (another tenant, a retired key). */
  otherSecret: string;
  deliveryId: string;
  /** The harness clock, Unix seconds: "fresh" means this. */
  nowSec: number;
  /** Valid body bytes (usually a JSON envelope). */
  body: Buffer;
  eventType?: string;
}

/** A fresh secret in the scheme's format (`whsec_<base64>` for standard-webhooks and stripe). */
export function randomSecret(scheme: SignatureScheme): string {
  const raw = randomBytes(32);
  return scheme === 'standard-webhooks' || scheme === 'stripe' ? `whsec_${raw.toString('base64')}` : raw.toString('hex');
}

/**
 * A context for `applyMutation`, with a fresh "other" secret and delivery id unless given.
 *
 * @example
 * const ctx = mutationContext({ scheme: 'stripe', secret, body: event, nowSec: Math.floor(Date.now() / 1000) });
 * const forged = applyMutation(mutationById('sig-empty-secret'), ctx); // RW-04
 */
export function mutationContext(o: {
  scheme: SignatureScheme;
  secret: string;
  body: Buffer | string | object;
  nowSec: number;
  otherSecret?: string;
  deliveryId?: string;
  eventType?: string;
}): MutationContext {
  const env = !Buffer.isBuffer(o.body) && typeof o.body === 'object' ? (o.body as { type?: unknown }) : undefined;
  const eventType = o.eventType ?? (typeof env?.type === 'string' ? env.type : undefined);
  return {
    scheme: o.scheme,
    secret: o.secret,
    otherSecret: o.otherSecret ?? randomSecret(o.scheme),
    deliveryId: o.deliveryId ?? newDeliveryId(),
    nowSec: o.nowSec,
    body: toBodyBytes(o.body),
    ...(eventType !== undefined ? { eventType } : {}),
  };
}

export interface Forged {
  body: Buffer;
  headers: Record<string, string>;
}

/** Where a token comes from: the connector's key, another key, or the empty key (RW-04). */
export type KeySource = 'good' | 'other' | 'empty';

export interface TokenOptions {
  key?: KeySource;
  timestamp?: number | string;
  body?: Buffer;
  deliveryId?: string;
}

export function keyOf(ctx: MutationContext, source: KeySource): Buffer | string {
  const spec = schemeSpec(ctx.scheme);
  if (source === 'empty') return spec.key('');
  return spec.key(source === 'good' ? ctx.secret : ctx.otherSecret);
}

/** One signature token as the scheme writes it in its header (`v1,…`, bare hex, `sha256=…`). */
export function tokenFor(ctx: MutationContext, o: TokenOptions = {}): string {
  const spec = schemeSpec(ctx.scheme);
  return spec.token(keyOf(ctx, o.key ?? 'good'), {
    deliveryId: o.deliveryId ?? ctx.deliveryId,
    timestamp: timestampText(o.timestamp ?? ctx.nowSec),
    body: o.body ?? ctx.body,
  });
}

/** The scheme's headers around raw tokens, plus content-type. */
export function headersFor(
  ctx: MutationContext,
  tokens: string[],
  o: { timestamp?: number | string; deliveryId?: string } = {},
): Record<string, string> {
  const spec = schemeSpec(ctx.scheme);
  return {
    'content-type': 'application/json',
    ...spec.headers({
      deliveryId: o.deliveryId ?? ctx.deliveryId,
      timestamp: timestampText(o.timestamp ?? ctx.nowSec),
      tokens,
      eventType: ctx.eventType,
    }),
  };
}

/** The correctly signed delivery at `timestamp` (default now). */
export function signedAt(ctx: MutationContext, timestamp: number | string = ctx.nowSec): Forged {
  return { body: ctx.body, headers: headersFor(ctx, [tokenFor(ctx, { timestamp })], { timestamp }) };
}

/** Replaces (or with `undefined`, removes) a header, matching its name case-insensitively. */
export function withHeader(headers: Record<string, string>, name: string, value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const lower = name.toLowerCase();
  let placed = false;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== lower) out[k] = v;
    else if (value !== undefined && !placed) {
      out[k] = value;
      placed = true;
    }
  }
  if (value !== undefined && !placed) out[name] = value;
  return out;
}

/** Splits a token into its tag (`v1,`, `sha256=`, or '') and the signature text. */
export function splitToken(scheme: SignatureScheme, token: string): { tag: string; sig: string } {
  if (scheme === 'standard-webhooks') return { tag: token.slice(0, 3), sig: token.slice(3) };
  if (scheme === 'github') return { tag: 'sha256=', sig: token.slice('sha256='.length) };
  return { tag: '', sig: token };
}

/**
 * Length of the signature text that still carries information: base64 `=` padding decodes to
 * nothing, so cutting only padding would leave an equivalent signature, not a truncated one.
 */
export function informativeLength(scheme: SignatureScheme, sig: string): number {
  return scheme === 'standard-webhooks' ? sig.replace(/=+$/, '').length : sig.length;
}

/** The good token with its signature cut to `keep` characters (keep < informativeLength). */
export function truncatedToken(ctx: MutationContext, keep: number): string {
  const { tag, sig } = splitToken(ctx.scheme, tokenFor(ctx));
  return tag + sig.slice(0, Math.max(0, Math.min(keep, informativeLength(ctx.scheme, sig) - 1)));
}

/** Flips the case of the letters at the given positions of the signature text (base64 only changes meaning). */
export function caseFlippedToken(ctx: MutationContext, positions: number[]): string {
  const { tag, sig } = splitToken(ctx.scheme, tokenFor(ctx));
  const chars = [...sig];
  for (const p of positions) {
    const c = chars[p];
    if (c === undefined) continue;
    chars[p] = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
  }
  return tag + chars.join('');
}

/** Positions in the good signature whose case flip changes the decoded bytes. */
export function flippablePositions(ctx: MutationContext): number[] {
  const { sig } = splitToken(ctx.scheme, tokenFor(ctx));
  const out: number[] = [];
  [...sig].forEach((c, i) => {
    if (c.toUpperCase() !== c.toLowerCase()) out.push(i);
  });
  return out;
}

/** The body with byte `index` XOR-ed by `mask` (mask 1..255). */
export function flipByte(body: Buffer, index: number, mask = 0x01): Buffer {
  const out = Buffer.from(body);
  if (out.length === 0) return Buffer.from([mask & 0xff || 1]);
  const i = ((index % out.length) + out.length) % out.length;
  out[i] = out[i]! ^ (mask & 0xff || 1);
  return out;
}

/** A stripe header in any shape: `t=`, `v1=`, `v0=` entries in the order given. */
export function stripeHeader(entries: Array<[string, string]>): string {
  return entries.map(([k, v]) => `${k}=${v}`).join(',');
}
