/**
 * Canary values planted in events that no shape-based detector recognises (PANs, example.test
 * emails and customer names have their own detectors and are left out of this one).
 */
import { defineDetector } from '../define-detector.js';

export const plantedValue = defineDetector({
  id: 'planted-value',
  control: 'no-sensitive-data-leak',
  description: 'canary values planted in this run’s events',
  scan: (text, ctx) => ctx.planted.findAll(text, ctx.maxHits).map((m) => ({ start: m.start, end: m.end, mask: '[planted]' })),
});
