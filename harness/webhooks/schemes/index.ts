import type { SignatureScheme } from '../../manifest/types.js';
import { github } from './github.js';
import { hmacSha256 } from './hmac-sha256.js';
import { standardWebhooks } from './standard-webhooks.js';
import { stripe } from './stripe.js';
import type { SchemeSpec } from './types.js';

export type { SchemeSpec, SignInput } from './types.js';

/** The scheme catalogue, keyed by the manifest's `webhooks.scheme`. */
export const SCHEMES: Readonly<Record<SignatureScheme, SchemeSpec>> = {
  'standard-webhooks': standardWebhooks,
  stripe,
  github,
  'hmac-sha256': hmacSha256,
};
