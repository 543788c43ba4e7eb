import { hmacSha256, standardWebhooksKey } from '../hmac.js';
import type { SchemeSpec } from './types.js';

/** https://www.standardwebhooks.com: `v1,<base64 HMAC(id.ts.body)>`, space-separated during rotation. */
export const standardWebhooks: SchemeSpec = {
  id: 'standard-webhooks',
  signatureHeader: 'webhook-signature',
  timestampHeader: 'webhook-timestamp',
  hasTimestamp: true,
  multiSignature: true,
  key: (secret) => (secret === '' ? Buffer.alloc(0) : standardWebhooksKey(secret)),
  token: (key, { deliveryId, timestamp, body }) =>
    `v1,${hmacSha256(key, [`${deliveryId}.${timestamp}.`, body]).toString('base64')}`,
  headers: ({ deliveryId, timestamp, tokens }) => ({
    'webhook-id': deliveryId,
    'webhook-timestamp': timestamp,
    'webhook-signature': tokens.join(' '),
  }),
};
