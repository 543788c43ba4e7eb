import { hmacSha256 as hmac } from '../hmac.js';
import type { SchemeSpec } from './types.js';

/** Plain scheme of the contract: `X-Signature: <hex HMAC(ts.body)>` with `X-Timestamp`. */
export const hmacSha256: SchemeSpec = {
  id: 'hmac-sha256',
  signatureHeader: 'X-Signature',
  timestampHeader: 'X-Timestamp',
  hasTimestamp: true,
  multiSignature: false,
  key: (secret) => secret,
  token: (key, { timestamp, body }) => hmac(key, [`${timestamp}.`, body]).toString('hex'),
  headers: ({ timestamp, tokens }) => ({ 'X-Signature': tokens.join(','), 'X-Timestamp': timestamp }),
};
