import { timingSafeEqual } from 'node:crypto';
import type { SignatureScheme } from '../manifest/types.js';
import { schemeSpec } from './sign.js';

export type VerifyFailure = 'no-secret' | 'missing-header' | 'malformed-header' | 'bad-timestamp' | 'stale' | 'future' | 'no-match';
export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure };

export interface VerifyInput {
  scheme: SignatureScheme;
  /** Secrets the receiver currently accepts (several during rotation). */
  secrets: string[];
  body: Buffer;
  headers: Record<string, string | undefined>;
  nowSec: number;
  toleranceSec?: number;
}

// Up to 15 digits stays an exact integer; 13-digit milliseconds then classify as "future", like any far-ahead value.
const DIGITS = /^[0-9]{1,15}$/;

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The contract's strict verifier (section 4 and oracle 6.1): exact bytes, only `v1`/`sha256` tags,
 * a decimal seconds timestamp checked in BOTH directions, any one of several signatures may match.
 * It is the yardstick the mutation catalogue's `expect` is tested against, and a reference
 * for example connectors; public libraries are laxer in places (see the tests).
 */
export function verifySignature(input: VerifyInput): VerifyResult {
  const spec = schemeSpec(input.scheme);
  const tolerance = input.toleranceSec ?? 300;
  const secrets = input.secrets.filter((s) => s.length > 0);
  if (secrets.length === 0) return { ok: false, reason: 'no-secret' };
  const raw = header(input.headers, spec.signatureHeader);
  if (raw === undefined || raw === '') return { ok: false, reason: 'missing-header' };

  let timestamp = '';
  let presented: string[];
  const deliveryId =
    header(input.headers, spec.id === 'github' ? 'X-GitHub-Delivery' : 'webhook-id') ?? '';
  if (spec.id === 'stripe') {
    const items = raw.split(',').map((item) => {
      const eq = item.indexOf('=');
      return eq < 0 ? [item, ''] : [item.slice(0, eq), item.slice(eq + 1)];
    });
    const ts = items.filter(([k]) => k === 't');
    if (ts.length !== 1) return { ok: false, reason: 'malformed-header' };
    timestamp = ts[0]![1]!;
    presented = items.filter(([k, v]) => k === 'v1' && v !== '').map(([, v]) => `${v}`);
  } else if (spec.id === 'standard-webhooks') {
    if (!deliveryId) return { ok: false, reason: 'missing-header' };
    timestamp = header(input.headers, 'webhook-timestamp') ?? '';
    presented = raw.split(' ').filter((t) => t.startsWith('v1,') && t.length > 3);
  } else {
    if (spec.timestampHeader) timestamp = header(input.headers, spec.timestampHeader) ?? '';
    presented = [raw];
  }
  if (presented.length === 0) return { ok: false, reason: 'malformed-header' };

  if (spec.hasTimestamp) {
    if (!DIGITS.test(timestamp)) return { ok: false, reason: 'bad-timestamp' };
    const ts = Number(timestamp);
    if (input.nowSec - ts > tolerance) return { ok: false, reason: 'stale' };
    if (ts - input.nowSec > tolerance) return { ok: false, reason: 'future' };
  }
  const signIn = { deliveryId, timestamp, body: input.body };
  for (const secret of secrets) {
    const expected = spec.token(spec.key(secret), signIn);
    if (presented.some((p) => sameText(p, expected))) return { ok: true };
  }
  return { ok: false, reason: 'no-match' };
}
