/**
 * scanForLeaks: runs every leak detector over the connector's observable output (logs,
 * webhook responses, egress) and returns report findings with redacted excerpts.
 * Bounded: each source is scanned up to `maxCharsPerSource`, each detector returns at most
 * `maxHits` per source, and at most `maxFindingsPerKind` findings per kind are returned
 * (identical excerpts are reported once).
 */
import type { Finding } from '../model/report.js';
import './builtin.js';
import { prepareLeakContext } from './context.js';
import { leakDetector, leakDetectors } from './define-detector.js';
import { HitIndex, applyMasks, escapeExcerpt, excerptAround } from './excerpt.js';
import type { LeakContext, LeakDetector, LeakHit, PreparedLeakContext } from './types.js';

export interface LeakSource {
  /** Where the text was seen: `stdout`, `webhook response`, `egress request to x.test:443`. */
  where: string;
  text: string;
  /**
   * Detector ids not run on this source: e.g. `['card-token']` for the connector's calls to
   * the sandbox acquirer, where sending the card token is the connector's job.
   */
  ignore?: string[];
}

export interface ScanOptions {
  /** Detector ids to run (default: all registered). */
  detectors?: string[];
  /** Default 8 MiB (UTF-16 code units): a log beyond that is cut, and the cut is reported. */
  maxCharsPerSource?: number;
  /** Default 25. */
  maxFindingsPerKind?: number;
  /** Default 10,000 hits per detector per source (for masking and counting). */
  maxHits?: number;
}

/** A report `Finding`, plus the detector that produced it. */
export type LeakFinding = Finding & { detector: string };

export interface LeakScanResult {
  findings: LeakFinding[];
  /** Findings not listed because of `maxFindingsPerKind`, by kind. */
  suppressed: Record<string, number>;
  /** Sources longer than the cap: their tail was not scanned. */
  truncated: Array<{ where: string; scannedChars: number; totalChars: number }>;
}

export const DEFAULT_MAX_CHARS_PER_SOURCE = 8 * 1024 * 1024;
export const DEFAULT_MAX_FINDINGS_PER_KIND = 25;
const MAX_WHERE = 200;

/**
 * @example
 * const findings = scanForLeaks(
 *   [{ where: 'stdout', text: connectorStdout }],
 *   { secrets: [{ name: 'webhook-secret', value: secrets.webhookSecret }], plantedValues: data.plantedValues(), knownNames: data.knownNames() },
 * );
 */
export function scanForLeaks(sources: LeakSource[], ctx: LeakContext, opts: ScanOptions = {}): LeakFinding[] {
  return scanForLeaksDetailed(sources, ctx, opts).findings;
}

export function scanForLeaksDetailed(sources: LeakSource[], ctx: LeakContext, opts: ScanOptions = {}): LeakScanResult {
  const prepared = prepareLeakContext(ctx, opts.maxHits === undefined ? {} : { maxHits: opts.maxHits });
  const detectors = selectDetectors(opts.detectors);
  const maxChars = opts.maxCharsPerSource ?? DEFAULT_MAX_CHARS_PER_SOURCE;
  const maxPerKind = opts.maxFindingsPerKind ?? DEFAULT_MAX_FINDINGS_PER_KIND;

  const findings: LeakFinding[] = [];
  const perKind = new Map<string, number>();
  const suppressed: Record<string, number> = {};
  const truncated: LeakScanResult['truncated'] = [];
  const seen = new Set<string>();

  for (const source of sources) {
    const full = typeof source.text === 'string' ? source.text : String(source.text ?? '');
    const text = full.length > maxChars ? full.slice(0, maxChars) : full;
    const where = redactLine(String(source.where ?? ''), detectors, prepared).slice(0, MAX_WHERE);
    if (full.length > maxChars) truncated.push({ where, scannedChars: maxChars, totalChars: full.length });

    const ignored = new Set(Array.isArray(source.ignore) ? source.ignore : []);
    const byDetector = detectors.filter((d) => !ignored.has(d.id)).map((d) => ({ d, hits: d.scan(text, prepared) }));
    const index = new HitIndex(byDetector.flatMap((x) => x.hits));
    for (const { d, hits } of byDetector) {
      for (const hit of dropContained(hits)) {
        const n = perKind.get(d.id) ?? 0;
        if (n >= maxPerKind) {
          // Past the cap: counted (repeats included), not rendered.
          suppressed[d.id] = (suppressed[d.id] ?? 0) + 1;
          continue;
        }
        const excerpt = redactLine(excerptAround(text, hit, index), detectors, prepared);
        const key = `${d.id}\u0000${where}\u0000${excerpt}`;
        if (seen.has(key)) continue;
        seen.add(key);
        perKind.set(d.id, n + 1);
        findings.push({ kind: d.id, control: d.control, where, excerpt, detector: d.id });
      }
    }
  }
  return { findings, suppressed, truncated };
}

function selectDetectors(ids: string[] | undefined): LeakDetector[] {
  if (!ids) return leakDetectors();
  return ids.map((id) => {
    const d = leakDetector(id);
    if (!d) throw new TypeError(`scanForLeaks: unknown detector id ${JSON.stringify(id)}`);
    return d;
  });
}

/** Last line of defence for short strings: every detector's hits masked, then made inert. */
function redactLine(s: string, detectors: LeakDetector[], ctx: PreparedLeakContext): string {
  const hits = detectors.flatMap((d) => d.scan(s, ctx)).sort(byStart);
  return escapeExcerpt(hits.length ? applyMasks(s, hits) : s);
}

function byStart(a: LeakHit, b: LeakHit): number {
  return a.start - b.start || b.end - a.end;
}

/** Overlapping renderings of one secret (raw inside json-escaped, …) are one leak: keep the outer. */
function dropContained(hits: LeakHit[]): LeakHit[] {
  const sorted = [...hits].sort(byStart);
  const out: LeakHit[] = [];
  let end = -1;
  for (const h of sorted) {
    if (h.end <= end) continue;
    out.push(h);
    end = Math.max(end, h.end);
  }
  return out;
}

/**
 * Masks every sensitive value (secrets, card numbers, tokens, emails, names, planted values)
 * in lines of connector text that a report quotes verbatim, such as log tails. Line breaks and
 * other text are kept as they are; writers still escape for their format.
 */
export function maskSensitiveLines(lines: readonly string[], ctx: LeakContext): string[] {
  const prepared = prepareLeakContext(ctx);
  const detectors = leakDetectors();
  return lines.map((line) => {
    const hits = detectors.flatMap((d) => d.scan(line, prepared)).sort(byStart);
    return hits.length ? applyMasks(line, hits) : line;
  });
}
