/**
 * Verdicts of the public verification libraries named by the contract, on exact bytes.
 * hmac-sha256 has no public library; its reference is written here with node:crypto alone,
 * independently of harness/webhooks, straight from the contract table.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import type { SignatureScheme } from '../../../harness/manifest/types.js';

export type Verdict = 'accept' | 'reject';

export function header(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export interface LibraryResult {
  verdict: Verdict;
  /** What the library returned on success (the parsed event), for deep-equality checks. */
  parsed?: unknown;
  error?: string;
}

function hmacSha256Reference(secret: string, body: Buffer, headers: Record<string, string>, nowSec: number): LibraryResult {
  const sig = header(headers, 'X-Signature');
  const ts = header(headers, 'X-Timestamp');
  if (!sig || !ts || !/^[0-9]+$/.test(ts)) return { verdict: 'reject', error: 'missing or malformed header' };
  if (Math.abs(nowSec - Number(ts)) > 300) return { verdict: 'reject', error: 'outside tolerance' };
  const expected = Buffer.from(createHmac('sha256', secret).update(`${ts}.`).update(body).digest('hex'));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { verdict: 'reject', error: 'mismatch' };
  return { verdict: 'accept', parsed: JSON.parse(body.toString('utf8')) };
}

/** Uses Date.now() inside the libraries: freeze it (vi.setSystemTime) so `nowSec` is their now too. */
export async function libraryVerdict(scheme: SignatureScheme, secret: string, body: Buffer, headers: Record<string, string>, nowSec: number): Promise<LibraryResult> {
  try {
    switch (scheme) {
      case 'standard-webhooks': {
        const parsed = new Webhook(secret).verify(body, headers);
        return { verdict: 'accept', parsed };
      }
      case 'stripe': {
        const parsed = Stripe.webhooks.constructEvent(body, header(headers, 'Stripe-Signature') as string, secret);
        return { verdict: 'accept', parsed };
      }
      case 'github': {
        const ok = await octokitVerify(secret, body.toString('utf8'), header(headers, 'X-Hub-Signature-256') as string);
        return ok ? { verdict: 'accept', parsed: JSON.parse(body.toString('utf8')) } : { verdict: 'reject', error: 'mismatch' };
      }
      case 'hmac-sha256':
        return hmacSha256Reference(secret, body, headers, nowSec);
    }
  } catch (err) {
    return { verdict: 'reject', error: (err as Error).message.split('\n')[0] };
  }
}

/**
 * Where a public library is laxer than the contract (oracle 6.1), by mutation id / case kind.
 * - stripe `constructEvent` checks only the past (`now - t > tolerance`), so future and
 *   millisecond timestamps pass; it parseInt()s `t` and signs the parsed number, so `t=<now>abc`
 *   signed over `<now>` passes.
 * - standardwebhooks checks both directions, but also parseInt()s `webhook-timestamp` and signs
 *   the parsed number, so `<now>abc` signed over `<now>` passes.
 * - @octokit/webhooks-methods has no timestamp at all (github scheme carries none).
 */
export const LIBRARY_LAXER: Record<SignatureScheme, ReadonlySet<string>> = {
  'standard-webhooks': new Set(['ts-non-numeric-signed-over-number']),
  stripe: new Set(['ts-future-301', 'ts-milliseconds', 'ts-non-numeric-signed-over-number', 'future', 'milliseconds']),
  github: new Set(),
  'hmac-sha256': new Set(),
};
