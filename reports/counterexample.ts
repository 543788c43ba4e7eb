import type { Counterexample } from '../harness/model/control.js';
import { truncate } from './escape.js';

// Headers that say nothing about why a case failed; left out of one-line descriptions.
const QUIET_HEADERS = new Set(['host', 'connection', 'content-length', 'user-agent', 'accept', 'accept-encoding', 'transfer-encoding']);

/**
 * A counterexample as one compact line: label, request line, telling headers, body
 * excerpt and what came back: `stale timestamp · POST /webhooks · webhook-timestamp=…
 * · body 312 B "{\"id\":…" → got 200 in 12 ms`. JSON-quoted excerpts keep it on one
 * line; the caller still sanitises for its medium.
 */
export function describeCounterexample(cx: Counterexample, opts: { maxBody?: number; maxHeaders?: number } = {}): string {
  return `${describeInput(cx, opts)} → got ${describeResponse(cx.response)}`;
}

/** The input half of describeCounterexample: label, request line, telling headers, body excerpt. */
export function describeInput(cx: Counterexample, opts: { maxBody?: number; maxHeaders?: number } = {}): string {
  const parts: string[] = [cx.label];
  if (cx.request) {
    const r = cx.request;
    parts.push(`${r.method} ${truncate(r.path, 120)}`);
    const headers = Object.entries(r.headers ?? {})
      .filter(([k]) => !QUIET_HEADERS.has(k.toLowerCase()))
      .map(([k, v]) => `${k}=${JSON.stringify(truncate(String(v), 80))}`)
      .join(' ');
    if (headers) parts.push(truncate(headers, opts.maxHeaders ?? 240));
    if (r.bodyEncoding === 'base64') parts.push(`body ${r.bodyBytes} B (binary)`);
    else parts.push(`body ${r.bodyBytes} B ${JSON.stringify(truncate(r.body, opts.maxBody ?? 80))}`);
  }
  return parts.join(' · ');
}

export function describeResponse(res: Counterexample['response']): string {
  if (!res) return 'no response recorded';
  const what = res.status === null ? 'no response' : String(res.status);
  const err = res.error ? ` (${truncate(res.error, 120)})` : '';
  return `${what}${err} in ${Math.round(res.durationMs)} ms`;
}
