import type { Tier } from '../manifest/types.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type ControlStatus = 'pass' | 'fail' | 'skip';

/** A control: one fail-safe property from contract section 6, scored by weight. */
export interface ControlDefinition {
  /** Stable id, kebab-case, named after the property it protects: `signature-forged-rejected`. */
  id: string;
  title: string;
  /** Contract section 6 clause number (1–12). */
  clause: number;
  severity: Severity;
  weight: number;
  /** One line on why it matters, shown in reports and the scenario catalogue. */
  rationale: string;
}

/** A small shrunk input that shows a failure and how to replay it. */
export interface Counterexample {
  /** Stable id within a report: `<scenarioId>#<n>`; `gauntlet replay REPORT --case ID`. */
  caseId: string;
  seed: number;
  /** fast-check path for shrunk property failures. */
  path?: string;
  label: string;
  /** The request sent: method, path, headers (secrets redacted), body (text or base64 when binary, truncated). */
  request?: { method: string; path: string; headers: Record<string, string>; body: string; bodyEncoding: 'utf8' | 'base64'; bodyBytes: number };
  /** What the connector answered. */
  response?: { status: number | null; body: string; error?: string; durationMs: number };
  /** Shell command that replays this case. */
  replay: string;
}

/** Evidence attached to a control result; all connector text in it is untrusted. */
export interface Evidence {
  summary: string;
  details?: Record<string, unknown>;
}

/** A check's verdict for one control in one scenario. Failures are values, not exceptions. */
export interface CheckOutcome {
  control: string;
  status: ControlStatus;
  evidence: Evidence;
  counterexample?: Counterexample;
}

export interface TierPolicy {
  /** Minimum score for `certified`. */
  certifiedMin: number;
  /** Minimum score for `conditional`. */
  conditionalMin: number;
  /** Failed severities that forbid `certified`. */
  blockCertified: Severity[];
  /** Failed severities that force `rejected`. */
  forceRejected: Severity[];
}

export type Verdict = 'certified' | 'conditional' | 'rejected';
export type TierPolicies = Record<Tier, TierPolicy>;
