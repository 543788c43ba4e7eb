/** Leak detection (contract clause 10): detectors catalogue and the scanner. */
export { scanForLeaks, scanForLeaksDetailed, DEFAULT_MAX_CHARS_PER_SOURCE, DEFAULT_MAX_FINDINGS_PER_KIND, type LeakFinding, type LeakScanResult, type LeakSource, type ScanOptions } from './scan.js';
export { defineDetector, leakDetector, leakDetectors } from './define-detector.js';
export { leakContextOf, prepareLeakContext } from './context.js';
export { secretVariants } from './secret-variants.js';
export { findCardNumbers, maskCard } from './detectors/card-number.js';
export type { LeakContext, LeakControl, LeakDetector, LeakHit, PreparedLeakContext, SecretNeedle } from './types.js';
