import { randomBytes } from 'node:crypto';
import type { SignatureScheme } from '../../../harness/manifest/types.js';
import { TRICKY_TEXT } from '../../../harness/webhooks/equivalent-bytes.js';

/** Fixed clock for library checks (2026-01-01T00:00:00Z); tests freeze Date at NOW_SEC + 0.5 s. */
export const NOW_SEC = 1_767_225_600;

export function secretFor(scheme: SignatureScheme): string {
  const raw = randomBytes(32);
  return scheme === 'standard-webhooks' || scheme === 'stripe' ? `whsec_${raw.toString('base64')}` : raw.toString('hex');
}

/** The contract's sample envelope, with RW-01/RW-02 traps in a text field. */
export function sampleEvent(): Record<string, unknown> {
  return {
    id: 'evt_1NzQ',
    type: 'refund.requested',
    api_version: '2026-01-01',
    created: NOW_SEC - 10,
    data: {
      object: {
        id: 're_9a8b',
        object: 'refund',
        payment: 'pay_77x',
        amount: 1999,
        currency: 'EUR',
        status: 'requested',
        description: TRICKY_TEXT,
        customer: { id: 'cus_1', email: 'jane@example.test' },
        payment_method: { type: 'card', card: { brand: 'visa', last4: '4242', token: 'tok_abc' } },
      },
    },
  };
}
