/**
 * Reads a mock route's request body once: the raw text (for the ledger) and the
 * parsed parameters (JSON, or form-encoded like Stripe clients send).
 */
export const LEDGER_BODY_CAP = 4096;

export interface ParsedBody {
  raw: string;
  /** Parsed object, or undefined when the body is empty or unparseable. */
  params: Record<string, unknown> | undefined;
  /** True when the body was present but could not be parsed as JSON/form. */
  invalid: boolean;
}

export async function readRequestBody(request: Request): Promise<ParsedBody> {
  const raw = await request.text();
  if (raw.length === 0) return { raw, params: undefined, invalid: false };
  const type = (request.headers.get('content-type') ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) {
    return { raw, params: Object.fromEntries(new URLSearchParams(raw)), invalid: false };
  }
  try {
    const value: unknown = JSON.parse(raw);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { raw, params: value as Record<string, unknown>, invalid: false };
    return { raw, params: undefined, invalid: true };
  } catch {
    return { raw, params: undefined, invalid: true };
  }
}

/** The body as the ledger keeps it: capped, never the whole of a huge body. */
export function ledgerBody(raw: string): string | undefined {
  if (raw.length === 0) return undefined;
  return raw.length > LEDGER_BODY_CAP ? `${raw.slice(0, LEDGER_BODY_CAP)}…[truncated ${raw.length - LEDGER_BODY_CAP} chars]` : raw;
}

/** Stable fingerprint of parameters: key order and whitespace do not matter. */
export function fingerprint(method: string, path: string, body: ParsedBody): string {
  return `${method} ${path} ${body.params ? canonical(body.params, 0) : body.raw}`;
}

function canonical(value: unknown, depth: number): string {
  if (depth > 64) return '…';
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, depth + 1)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k], depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
