/**
 * Synthetic customer full names (given in the context), raw, JSON- or URL-encoded. Only full
 * names of 5+ characters are searched: first names alone are ordinary words.
 */
import { defineDetector } from '../define-detector.js';

export const customerName = defineDetector({
  id: 'customer-name',
  control: 'no-sensitive-data-leak',
  description: 'full names of the run’s synthetic customers',
  scan: (text, ctx) => ctx.names.findAll(text, ctx.maxHits).map((m) => ({ start: m.start, end: m.end, mask: '[customer-name]' })),
});
