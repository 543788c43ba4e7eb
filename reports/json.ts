import type { RunReport } from '../harness/model/report.js';
import type { Redactor } from '../harness/redact.js';
import { truncate } from './escape.js';

/**
 * Longest string kept in report.json. The runner already caps bodies and logs; this
 * is the writer's own bound so one runaway field cannot make a report unreadable.
 */
export const MAX_JSON_STRING = 256 * 1024;

// Keys in the order they read best (model order); unknown keys follow alphabetically.
// One ranking for all objects keeps the output stable however the report was built.
const KEY_ORDER = [
  'schemaVersion', 'tool', 'runId', 'connector', 'name', 'version', 'type', 'manifest', 'tier', 'seed', 'sandbox',
  'startedAt', 'finishedAt', 'durationMs', 'verdict', 'score', 'verdictReasons', 'partial', 'partialReason', 'replay',
  'seq', 'at', 'id', 'caseId', 'title', 'pack', 'clause', 'clauses', 'severity', 'weight', 'target', 'method', 'path',
  'status', 'committed', 'idempotencyKey', 'scenarioId', 'fault', 'destination', 'reason', 'deliveries', 'scenario',
  'control', 'kind', 'where', 'excerpt', 'label', 'summary', 'details', 'evidence', 'outcomes', 'counterexample',
  'request', 'response', 'headers', 'body', 'bodyEncoding', 'bodyBytes', 'error',
  'controls', 'scenarios', 'findings', 'metrics', 'ackLatencyMs', 'timeline', 'connectorLog', 'stdoutTail', 'stderrTail',
  'truncatedBytes', 'exit', 'code', 'signal', 'ledger',
];
const RANK = new Map(KEY_ORDER.map((k, i) => [k, i]));

/**
 * report.json text: redacted, keys in a stable order, strings capped, 2-space indent,
 * trailing newline.
 *
 * @example
 * await fs.writeFile('report.json', renderJsonReport(report, redactor));
 */
export function renderJsonReport(report: RunReport, redactor: Redactor): string {
  return JSON.stringify(normalise(redactor.redactDeep(report)), null, 2) + '\n';
}

function normalise(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_JSON_STRING ? truncate(value, MAX_JSON_STRING) : value;
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return normalise((value as { toJSON(): unknown }).toJSON());
  const keys = Object.keys(value).sort(compareKeys);
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined || typeof v === 'function') continue;
    Object.defineProperty(out, k, { value: normalise(v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function compareKeys(a: string, b: string): number {
  const ra = RANK.get(a) ?? Number.MAX_SAFE_INTEGER;
  const rb = RANK.get(b) ?? Number.MAX_SAFE_INTEGER;
  if (ra !== rb) return ra - rb;
  return a < b ? -1 : a > b ? 1 : 0;
}
