import { GauntletError } from '../errors.js';
import { SIGNATURE_SCHEMES, type SignatureScheme } from '../manifest/types.js';
import { timestampText } from './hmac.js';
import { SCHEMES, type SchemeSpec } from './schemes/index.js';

export interface SignatureHeadersInput {
  scheme: SignatureScheme;
  secret: string;
  deliveryId: string;
  /** Unix seconds; a string is sent verbatim (for malformed-timestamp cases). */
  timestamp: number | string;
  body: Buffer;
  /** Key rotation: sign with each of these, in this order (replaces `secret`). */
  secrets?: string[];
  /** github `X-GitHub-Event`. */
  eventType?: string;
}

function badInput(path: string, reason: string): GauntletError {
  return new GauntletError('GAUNTLET_ERR_INTERNAL', `cannot sign webhook: ${path} ${reason}`, {
    problems: [{ path, reason }],
  });
}

export function schemeSpec(scheme: SignatureScheme): SchemeSpec {
  const spec = (SCHEMES as Record<string, SchemeSpec | undefined>)[scheme];
  if (!spec) throw badInput('scheme', `must be one of ${SIGNATURE_SCHEMES.join(', ')} (got ${JSON.stringify(scheme)})`);
  return spec;
}

/**
 * Signature headers (plus `content-type: application/json`) for exactly these body bytes.
 *
 * @example
 * const h = signatureHeaders({ scheme: 'stripe', secret, deliveryId: 'msg_1', timestamp: 1767225600, body });
 * // { 'content-type': 'application/json', 'Stripe-Signature': 't=1767225600,v1=…' }
 */
export function signatureHeaders(input: SignatureHeadersInput): Record<string, string> {
  const spec = schemeSpec(input.scheme);
  const secrets = input.secrets ?? [input.secret];
  if (secrets.length === 0) throw badInput('secrets', 'must not be empty');
  if (secrets.length > 1 && !spec.multiSignature) throw badInput('secrets', `${spec.id} carries a single signature`);
  secrets.forEach((s, i) => {
    // An empty key is a forgery, never a valid delivery: mutations build those explicitly.
    if (typeof s !== 'string' || s.length === 0) throw badInput(input.secrets ? `secrets[${i}]` : 'secret', 'must be a non-empty string');
  });
  if (!Buffer.isBuffer(input.body)) throw badInput('body', 'must be a Buffer (the exact bytes to send)');
  const timestamp = timestampText(input.timestamp);
  const signIn = { deliveryId: input.deliveryId, timestamp, body: input.body };
  const tokens = secrets.map((s) => spec.token(spec.key(s), signIn));
  return {
    'content-type': 'application/json',
    ...spec.headers({ deliveryId: input.deliveryId, timestamp, tokens, eventType: input.eventType }),
  };
}
