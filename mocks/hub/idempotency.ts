/**
 * Stripe-like Idempotency-Key semantics, shared by the hub and the acquirer:
 * same key + same parameters -> the first response replayed (`Idempotent-Replayed: true`),
 * no new object; same key + other parameters -> 422; same key while the first request
 * is still in flight -> 409. Only successful (2xx) results are kept, so a retry after a
 * failure or an injected fault is performed for real, once.
 */
import { jsonResponse } from './json-response.js';
import { TextBodyResponse } from '../serve-handlers.js';

export const IDEMPOTENCY_KEY_MAX = 255;

interface Stored {
  fingerprint: string;
  state: 'in-flight' | 'done';
  status?: number;
  body?: string;
  contentType?: string;
}

export type Claim =
  | { kind: 'fresh'; complete: (response: Response) => Promise<void>; release: () => void }
  | { kind: 'replay'; response: Response }
  | { kind: 'conflict'; response: Response };

export class IdempotencyStore {
  private readonly entries = new Map<string, Stored>();

  /** `scope` separates clients and routes, like Stripe keys are per account. */
  claim(scope: string, key: string, fingerprint: string): Claim {
    const id = `${scope}\u0000${key}`;
    const existing = this.entries.get(id);
    if (!existing) {
      const stored: Stored = { fingerprint, state: 'in-flight' };
      this.entries.set(id, stored);
      return {
        kind: 'fresh',
        complete: async (response) => {
          if (response.status < 200 || response.status > 299) {
            this.entries.delete(id);
            return;
          }
          stored.state = 'done';
          stored.status = response.status;
          stored.body = await response.clone().text();
          stored.contentType = response.headers.get('content-type') ?? 'application/json';
        },
        release: () => {
          if (stored.state === 'in-flight') this.entries.delete(id);
        },
      };
    }
    if (existing.fingerprint !== fingerprint) {
      return {
        kind: 'conflict',
        response: errorJson(422, 'idempotency_key_reused', 'Keys for idempotent requests can only be used with the same parameters they were first used with.'),
      };
    }
    if (existing.state === 'in-flight') {
      return {
        kind: 'conflict',
        response: errorJson(409, 'idempotency_key_in_use', 'There is currently another in-progress request using this Idempotency-Key; retry later.'),
      };
    }
    return {
      kind: 'replay',
      response: new TextBodyResponse(existing.body ?? '', {
        status: existing.status ?? 200,
        headers: { 'Content-Type': existing.contentType ?? 'application/json', 'Idempotent-Replayed': 'true' },
      }),
    };
  }
}

/** Validates the header; undefined when absent. */
export function readIdempotencyKey(request: Request): { key: string | undefined; error?: Response } {
  const key = request.headers.get('idempotency-key');
  if (key === null) return { key: undefined };
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX) {
    return { key, error: errorJson(400, 'invalid_idempotency_key', `Idempotency-Key must be 1-${IDEMPOTENCY_KEY_MAX} characters.`) };
  }
  return { key };
}

export function errorJson(status: number, code: string, message: string, headers?: Record<string, string>, param?: string): Response {
  return jsonResponse({ error: { code, message, ...(param ? { param } : {}) } }, { status, headers });
}
