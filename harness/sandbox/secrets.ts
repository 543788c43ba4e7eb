/**
 * Fresh secrets for one run (contract section 3). They never leave the process
 * except through the connector's environment, and writers redact them.
 */
import { randomBytes } from 'node:crypto';
import type { SignatureScheme } from '../manifest/types.js';
import type { RunSecrets } from './types.js';

export type RandomBytes = (size: number) => Buffer;

/**
 * @example
 * const secrets = generateRunSecrets('stripe');
 * secrets.webhookSecret; // 'whsec_…'
 */
export function generateRunSecrets(scheme: SignatureScheme, random: RandomBytes = randomBytes): RunSecrets {
  // standard-webhooks decodes the part after `whsec_` as base64; Stripe uses the whole string
  // as the key but its secrets look the same, so one format serves both.
  const webhookSecret =
    scheme === 'standard-webhooks' || scheme === 'stripe' ? `whsec_${random(32).toString('base64')}` : random(32).toString('hex');
  return {
    webhookSecret,
    clientId: `gauntlet-${random(4).toString('hex')}`,
    clientSecret: random(32).toString('base64url'),
  };
}
