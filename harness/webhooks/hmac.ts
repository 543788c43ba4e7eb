import { createHmac } from 'node:crypto';
import { GauntletError } from '../errors.js';

/** HMAC-SHA256 over the concatenation of `parts`, fed piecewise so the body is never copied or re-encoded. */
export function hmacSha256(key: Buffer | string, parts: ReadonlyArray<Buffer | string>): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(typeof p === 'string' ? Buffer.from(p, 'utf8') : p);
  return h.digest();
}

const SW_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The key bytes of a standard-webhooks secret: the base64 part after an optional `whsec_` prefix.
 * Strict on the alphabet because a typo'd secret would otherwise sign with a silently different key.
 */
export function standardWebhooksKey(secret: string): Buffer {
  const b64 = secret.startsWith(SW_PREFIX) ? secret.slice(SW_PREFIX.length) : secret;
  if (!BASE64.test(b64) || b64.length % 4 === 1) {
    throw new GauntletError('GAUNTLET_ERR_INTERNAL', 'standard-webhooks secret is not `whsec_<base64>`', {
      problems: [{ path: 'secret', reason: 'expected whsec_ followed by standard base64' }],
    });
  }
  return Buffer.from(b64, 'base64');
}

/** Unix seconds → the exact header text; strings pass through verbatim so mutations can send malformed values. */
export function timestampText(ts: number | string): string {
  return typeof ts === 'string' ? ts : String(Math.trunc(ts));
}
