import type { ConnectorType, Tier } from '../manifest/types.js';
import type { ControlStatus, Counterexample, Evidence, Severity, Verdict } from './control.js';
import type { LedgerEntry } from './ledger.js';

export const REPORT_SCHEMA_VERSION = '1.0.0';

export interface ControlResult {
  id: string;
  title: string;
  clause: number;
  severity: Severity;
  weight: number;
  status: ControlStatus;
  /** One entry per scenario outcome that touched this control. */
  evidence: Array<Evidence & { scenario: string; status: ControlStatus }>;
  /** First (smallest) failing case, when failed. */
  counterexample?: Counterexample;
}

export interface ScenarioResult {
  id: string;
  title: string;
  pack: string;
  clauses: number[];
  status: 'passed' | 'failed' | 'skipped' | 'errored' | 'timed-out';
  durationMs: number;
  /** Why skipped / errored / timed out. */
  reason?: string;
  deliveries: number;
  outcomes: Array<{ control: string; status: ControlStatus; summary: string }>;
}

export interface Finding {
  kind: string;
  control: string;
  /** Where it was seen: `stdout`, `webhook response`, `egress request to x.test:443`, … */
  where: string;
  /** Redacted excerpt. */
  excerpt: string;
}

export interface RunReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'gauntlet'; version: string };
  runId: string;
  connector: { name: string; version: string; type: ConnectorType; manifest: string };
  tier: Tier;
  seed: number;
  sandbox: 'embedded' | 'containers';
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  verdict: Verdict;
  score: number;
  /** Why the verdict is what it is (tier policy applied to failed severities and score). */
  verdictReasons?: string[];
  /** True when the run was interrupted or aborted; verdict is then over what was measured. */
  partial: boolean;
  partialReason?: string;
  controls: ControlResult[];
  scenarios: ScenarioResult[];
  findings: Finding[];
  /** Scopes requested in the manifest vs used by successful hub calls (least privilege; merged across shards). */
  scopeUsage?: { requested: string[]; used: string[]; unexercisedRules?: string[] };
  /** Set when run with `--shard i/n`. */
  shard?: { index: number; total: number };
  /** Set by `gauntlet merge`: the shard reports this one combines. */
  mergedFrom?: { runIds: string[]; shards: number };
  /** Comparison with `--baseline previous-report.json`. */
  baseline?: BaselineComparison;
  /** Shell command that reruns this exact run. */
  replay: string;
  /** Latency samples and timeline for plots (ms). */
  metrics: {
    ackLatencyMs: number[];
    timeline: Array<{ at: number; kind: 'delivery' | 'effect'; label: string; status?: number | null }>;
  };
  /** Last lines the connector printed (redacted, escaped by writers). */
  connectorLog: { stdoutTail: string[]; stderrTail: string[]; truncatedBytes: number; exit?: { code: number | null; signal: string | null } };
  /** Ledger summary (redacted). */
  ledger: Pick<LedgerEntry, 'seq' | 'at' | 'target' | 'method' | 'path' | 'status' | 'committed' | 'idempotencyKey' | 'scenarioId' | 'fault' | 'destination'>[];
}

export interface BaselineComparison {
  /** The baseline report's path as given, and its run id. */
  file: string;
  runId: string;
  score: number;
  scoreDelta: number;
  verdict: Verdict;
  /** Controls that fail now but did not fail in the baseline. */
  newFailures: Array<{ id: string; clause: number; severity: Severity }>;
  /** Controls that failed in the baseline and pass now. */
  fixed: string[];
  /** True when there are new failures or the score dropped by more than the allowed tolerance. */
  regression: boolean;
}
