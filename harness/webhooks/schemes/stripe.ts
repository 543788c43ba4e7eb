import { hmacSha256 } from '../hmac.js';
import type { SchemeSpec } from './types.js';

/** Stripe: `t=<ts>,v1=<hex HMAC(t.body)>[,v1=…]`, keyed by the whole secret string (prefix included). */
export const stripe: SchemeSpec = {
  id: 'stripe',
  signatureHeader: 'Stripe-Signature',
  hasTimestamp: true,
  multiSignature: true,
  key: (secret) => secret,
  token: (key, { timestamp, body }) => hmacSha256(key, [`${timestamp}.`, body]).toString('hex'),
  headers: ({ timestamp, tokens }) => ({
    'Stripe-Signature': [`t=${timestamp}`, ...tokens.map((t) => `v1=${t}`)].join(','),
  }),
};
