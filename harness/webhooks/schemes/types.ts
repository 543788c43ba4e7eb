import type { SignatureScheme } from '../../manifest/types.js';

/** What a scheme signs: the exact header texts and body bytes. */
export interface SignInput {
  deliveryId: string;
  /** Header text of the timestamp (may be malformed on purpose). */
  timestamp: string;
  body: Buffer;
}

/**
 * One signature scheme as data plus two pure functions. Split into `sign` (one token per key)
 * and `headers` (assemble tokens) so mutations can mix tokens from several keys or forge tags.
 */
export interface SchemeSpec {
  id: SignatureScheme;
  /** Header carrying the signature, in the spelling we send. */
  signatureHeader: string;
  /** Header carrying the timestamp, when the scheme has one inside its signature header or apart. */
  timestampHeader?: string;
  /** Whether the signed content includes a timestamp (github's does not). */
  hasTimestamp: boolean;
  /** Whether the header may carry several signatures (key rotation). */
  multiSignature: boolean;
  /** The key bytes/string for a secret as this scheme interprets it. `''` is the empty key. */
  key(secret: string): Buffer | string;
  /** One signature token over the exact input, keyed by `key` (already interpreted). */
  token(key: Buffer | string, input: SignInput): string;
  /** Headers for the given tokens (in order). */
  headers(p: { deliveryId: string; timestamp: string; tokens: string[]; eventType?: string }): Record<string, string>;
}
