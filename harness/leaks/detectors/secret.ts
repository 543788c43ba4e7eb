/** Run secrets (webhook secret, client secret, bearer tokens) in every encoding of secret-variants.ts. */
import { defineDetector } from '../define-detector.js';
import type { LeakHit } from '../types.js';

export const secret = defineDetector({
  id: 'secret',
  control: 'no-secret-leak',
  description: 'run secrets and issued tokens, raw or base64/base64url/hex/URL/JSON-encoded, and the decoded whsec key',
  scan(text, ctx) {
    return ctx.secrets.findAll(text, ctx.maxHits).map(
      (m): LeakHit => ({ start: m.start, end: m.end, mask: m.value.encoding === 'raw' ? `[secret:${m.value.name}]` : `[secret:${m.value.name}:${m.value.encoding}]` }),
    );
  },
});
