import { hmacSha256 } from '../hmac.js';
import type { SchemeSpec } from './types.js';

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC(body)>`; no timestamp, so replays are only caught by delivery id. */
export const github: SchemeSpec = {
  id: 'github',
  signatureHeader: 'X-Hub-Signature-256',
  hasTimestamp: false,
  multiSignature: false,
  key: (secret) => secret,
  token: (key, { body }) => `sha256=${hmacSha256(key, [body]).toString('hex')}`,
  headers: ({ deliveryId, tokens, eventType }) => ({
    'X-Hub-Signature-256': tokens.join(','),
    'X-GitHub-Delivery': deliveryId,
    'X-GitHub-Event': eventType ?? 'event',
  }),
};
