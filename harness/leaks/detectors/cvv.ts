/**
 * Card verification values: 3–4 digits right after a card-verification key (`cvv`, `cvc`,
 * `cvv2`, `csc`, `security_code`, `card_verification_value`, …) as JSON, query, header or
 * prose (`"cvc": "123"`, `cvv=123`, `CVC 123`). Bare 3-digit numbers are everywhere
 * (status codes, amounts), so the key is required; `cvc_check` style keys do not match.
 */
import { defineDetector } from '../define-detector.js';
import type { LeakHit } from '../types.js';

const CVV = /(?<![A-Za-z0-9])(?:cvv2?|cvc2?|cav2|csc|cvn|security[_ -]?code|card[_ -]?(?:verification|security)(?:[_ -]?(?:value|code|number))?)(?:[\\"']{0,2}\s{0,3}[:=]\s{0,3}[\\"']{0,2}|\s{1,3})(\d{3,4})(?!\d)/gi;

export const cvv = defineDetector({
  id: 'cvv',
  control: 'no-sensitive-data-leak',
  description: '3–4 digit values directly after a cvv/cvc/security_code style key',
  scan(text, ctx) {
    const hits: LeakHit[] = [];
    for (const m of text.matchAll(CVV)) {
      const end = m.index + m[0].length;
      hits.push({ start: end - m[1]!.length, end, mask: '***' });
      if (hits.length >= ctx.maxHits) break;
    }
    return hits;
  },
});
