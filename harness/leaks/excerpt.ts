/**
 * Short, single-line, redacted context around a hit. Every hit inside the window is replaced
 * by its mask (never cut in half: the window grows to whole hits), control and bidi characters
 * are shown escaped, and a final pass re-runs the detectors on the result so a value the
 * per-detector hit cap skipped still cannot slip into a report.
 */
import type { LeakHit } from './types.js';

export const EXCERPT_RADIUS = 24;

/** All hits of one text sorted by start, for window look-ups in O(log n). */
export class HitIndex {
  readonly sorted: readonly LeakHit[];
  private readonly maxLen: number;

  constructor(hits: readonly LeakHit[]) {
    this.sorted = [...hits].sort((a, b) => a.start - b.start || b.end - a.end);
    this.maxLen = this.sorted.reduce((m, h) => Math.max(m, h.end - h.start), 0);
  }

  /** Hits overlapping [from, to), in start order. */
  overlapping(from: number, to: number): LeakHit[] {
    const s = this.sorted;
    let lo = 0;
    let hi = s.length;
    const min = from - this.maxLen;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]!.start < min) lo = mid + 1;
      else hi = mid;
    }
    const out: LeakHit[] = [];
    for (let i = lo; i < s.length && s[i]!.start < to; i++) if (s[i]!.end > from) out.push(s[i]!);
    return out;
  }
}

export function excerptAround(text: string, hit: LeakHit, index: HitIndex, radius = EXCERPT_RADIUS): string {
  let from = Math.max(0, hit.start - radius);
  let to = Math.min(text.length, hit.end + radius);
  // Grow the window to whole hits, so no masked value is shown in part.
  const inside = index.overlapping(from, to);
  for (const h of inside) {
    if (h.start < from) from = h.start;
    if (h.end > to) to = h.end;
  }
  let out = from > 0 ? '…' : '';
  let pos = from;
  for (const h of inside) {
    if (h.end <= pos) continue; // contained in an earlier (overlapping) hit already masked
    if (h.start > pos) out += escapeExcerpt(text.slice(pos, h.start));
    out += h.start >= pos ? h.mask : '';
    pos = h.end;
  }
  if (pos < to) out += escapeExcerpt(text.slice(pos, to));
  if (to < text.length) out += '…';
  return out;
}

/** Replaces spans of `s` by their masks (spans sorted by start; overlaps merged). */
export function applyMasks(s: string, spans: readonly LeakHit[]): string {
  let out = '';
  let pos = 0;
  for (const h of spans) {
    if (h.end <= pos) continue;
    if (h.start >= pos) {
      out += s.slice(pos, h.start) + h.mask;
    }
    pos = h.end;
  }
  return out + s.slice(pos);
}

/** Makes connector text one inert line: control, line-separator and bidi characters escaped. */
export function escapeExcerpt(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    // Lone surrogates (a window edge cut a pair) become U+FFFD so the excerpt stays valid UTF-16.
    if (code >= 0xd800 && code <= 0xdfff) return '\ufffd';
    return `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
