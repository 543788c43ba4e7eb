/**
 * Card tokens (`tok_…`). A token is as good as the card to whoever can charge it, so it must
 * not appear in logs or responses; calls to the sandbox's own hub and acquirer, where tokens
 * belong, are not scanned by the runner.
 */
import { defineDetector } from '../define-detector.js';
import type { LeakHit } from '../types.js';

const TOKEN = /(?<![A-Za-z0-9_])tok_[A-Za-z0-9]{8,64}(?![A-Za-z0-9])/g;

export const cardToken = defineDetector({
  id: 'card-token',
  control: 'no-sensitive-data-leak',
  description: 'card tokens tok_… (8+ alphanumerics)',
  scan(text, ctx) {
    const hits: LeakHit[] = [];
    for (const m of text.matchAll(TOKEN)) {
      hits.push({ start: m.index, end: m.index + m[0].length, mask: `tok_****${m[0].slice(-4)}` });
      if (hits.length >= ctx.maxHits) break;
    }
    return hits;
  },
});
