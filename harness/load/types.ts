/**
 * Types of the signed load suite (contract clause 3 under load, `effects.min` as
 * "no dropped events", clause 4 under duplicates). The load report is written as
 * `load.json` next to `report.json`; it is a sibling of the run report, not part of it.
 */

/** How much load, in what shape. Every bound is explicit: a load run is bounded in time and count. */
export interface LoadProfile {
  /** Target requests per second; undefined = closed loop, as fast as the connector answers. */
  rate?: number;
  /** Length of the sending window (ms). */
  durationMs: number;
  /** Concurrent keep-alive connections. */
  connections: number;
  /** Climb to `rate` in this many equal steps (rate/steps, 2·rate/steps, …); undefined = fixed rate. */
  rampSteps?: number;
  /** Hard cap on requests sent over the whole window. */
  maxRequests: number;
  /** Share of sends that repeat an earlier event's delivery (hub retries), 0 ≤ share < 1. */
  duplicateShare: number;
  /** Per-request bound (ms); slower answers count as timeouts. */
  timeoutMs: number;
}

/** One autocannon instance's slice of the profile. */
export interface LoadPhase {
  label: string;
  /** Offset from the start of the load (ms). */
  startMs: number;
  durationMs: number;
  /** Requests per second, or undefined for closed loop. */
  rate?: number;
  /** Requests this phase sends at most. */
  requests: number;
}

/** One planned send: a unique event's first delivery, or a repeat of an earlier one. */
export interface PlannedSend {
  /** Index of the event (into the plan's events) this send carries. */
  event: number;
  /** True when this send repeats an event already planned earlier. */
  duplicate: boolean;
}

/** What happened to one send. `status` undefined = no answer (timeout, reset, or cut at the end). */
export interface SendRecord {
  event: number;
  duplicate: boolean;
  phase: number;
  /** performance.now() when the request was handed to the socket. */
  sentAt: number;
  status?: number;
  latencyMs?: number;
}

export interface LatencySummary {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadRequestsSummary {
  planned: number;
  sent: number;
  uniqueEvents: number;
  duplicates: number;
  answered: number;
  ok2xx: number;
  non2xx: number;
  /** Unanswered after waiting at least the per-request timeout. */
  timeouts: number;
  /** Unanswered because the connection broke (reset, closed) before the timeout. */
  noAnswer: number;
  /** Still in flight when the load stopped (its hard deadline): not an error by itself. */
  cut: number;
  /** (non2xx + timeouts + noAnswer) / sent. */
  errorRate: number;
  timeoutRate: number;
  statusCounts: Record<string, number>;
}

export interface ReconciliationSummary {
  /** Unique events with at least one 2xx answer: each owes its effects.min. */
  acceptedEvents: number;
  /** Accepted events whose type has effect rules. */
  eventsWithRules: number;
  /** Accepted events with at least one rule short of effects.min after settling. */
  droppedEvents: number;
  /** Sum over rules of (min − committed) for dropped events. */
  missingEffects: number;
  /** Events (accepted or not) with a rule over effects.max. */
  excessEvents: number;
  /** Sum over rules of (committed − max). */
  excessEffects: number;
  /** Committed effects attributed to the load's events. */
  committedEffects: number;
  settleMs: number;
  /** Why settling ended: every min met and the ledger quiet, no progress for a while, or the hard bound. */
  settledBy: 'met' | 'idle' | 'limit' | 'aborted';
  examples: Array<{ eventId: string; eventType: string; rule: string; committed: number; min?: number; max?: number; kind: 'dropped' | 'excess' }>;
}

export interface OverheadSummary {
  /** What the baseline sends, in words (the fairness argument). */
  baseline: string;
  durationMs: number;
  connections: number;
  /** Plain autocannon, static pre-signed request repeated. */
  plainReqPerSec: number;
  /** The harness's signed load: unique pre-signed events, per-request tracking. */
  signedReqPerSec: number;
  /** The harness's load machinery sending the baseline's request: isolates the harness's own cost. */
  machineryReqPerSec: number;
  /** signed / plain. */
  ratio: number;
  /** machinery / plain. */
  machineryRatio: number;
}

export interface SigningSummary {
  /** Wall time to generate and pre-sign the pool before the load started (ms). */
  poolBuildMs: number;
  signedAhead: number;
  /** Signatures refreshed because they aged past a third of the tolerance window. */
  resigned: number;
}

export interface HealthSummary {
  healthy: boolean;
  detail: string;
}

/** Outcome of one check, as in the run report. */
export interface LoadControlOutcome {
  control: string;
  status: 'pass' | 'fail' | 'skip';
  summary: string;
}

export const LOAD_REPORT_VERSION = '1.0.0';

/** `load.json`: the load section of a run. */
export interface LoadReport {
  schemaVersion: typeof LOAD_REPORT_VERSION;
  kind: 'gauntlet-load';
  scenario: string;
  connector: { name: string; version: string };
  seed: number;
  startedAt: string;
  durationMs: number;
  target: { webhookPath: string };
  profile: LoadProfile;
  sla: { ackMs: number };
  phases: Array<LoadPhase & { sent: number; answered: number; elapsedMs: number }>;
  requests: LoadRequestsSummary;
  throughput: { sentPerSec: number; answeredPerSec: number; okPerSec: number; windowMs: number };
  latencyMs: LatencySummary;
  /** Sends answered slower than sla.ackMs, or unanswered after waiting longer than it. */
  slow: { count: number; share: number };
  reconciliation: ReconciliationSummary;
  health: HealthSummary;
  signing: SigningSummary;
  overhead?: OverheadSummary;
  controls: LoadControlOutcome[];
}
