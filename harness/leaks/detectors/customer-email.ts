/**
 * Synthetic customer emails: every address at `example.test` (the only domain the dataset
 * uses), also URL-encoded (`%40`), except the run's allowed ones (e.g. the manifest owner).
 * Found by locating the domain first, so a huge log costs one indexOf pass, not a regex
 * that backtracks at every character.
 */
import { defineDetector } from '../define-detector.js';
import type { LeakHit } from '../types.js';

const DOMAIN = 'example.test';
const LOCAL_CHAR = /[A-Za-z0-9._%+-]/;
const MAX_LOCAL = 64;

export const customerEmail = defineDetector({
  id: 'customer-email',
  control: 'no-sensitive-data-leak',
  description: 'any @example.test address (synthetic customer data) except allowed ones',
  scan(text, ctx) {
    const hits: LeakHit[] = [];
    const lower = text.toLowerCase();
    for (let at = lower.indexOf(DOMAIN); at !== -1; at = lower.indexOf(DOMAIN, at + DOMAIN.length)) {
      const after = at + DOMAIN.length;
      if (after < text.length && /[A-Za-z0-9-]/.test(text[after]!)) continue; // example.testing.com
      let sepLen = 0;
      if (text[at - 1] === '@') sepLen = 1;
      else if (lower.slice(at - 3, at) === '%40') sepLen = 3;
      if (sepLen === 0) continue;
      const localEnd = at - sepLen;
      let start = localEnd;
      while (start > 0 && localEnd - start < MAX_LOCAL && LOCAL_CHAR.test(text[start - 1]!)) start--;
      if (start === localEnd) continue;
      const email = `${text.slice(start, localEnd)}@${DOMAIN}`;
      const decoded = safeDecode(email).toLowerCase();
      if (ctx.allowedEmails.has(decoded) || ctx.allowedEmails.has(email.toLowerCase())) continue;
      hits.push({ start, end: after, mask: `${text[start]}***@${DOMAIN}` });
      if (hits.length >= ctx.maxHits) break;
    }
    return hits;
  },
});

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
