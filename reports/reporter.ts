import type { Tier } from '../harness/manifest/types.js';
import type { RunReport, ScenarioResult } from '../harness/model/report.js';

/** The scenario as announced before it runs. */
export interface ScenarioInfo {
  id: string;
  title: string;
  pack: string;
}

/** What a reporter learns when a run begins. */
export interface RunBeginInfo {
  runId: string;
  connector: { name: string; version: string };
  tier: Tier;
  seed: number;
  scenarios: ScenarioInfo[];
}

/**
 * A consumer of run events (Playwright-style): every hook is optional, reporters
 * never reach into the runner, and a hook may return a promise (the Multiplexer
 * awaits it and keeps events in order per reporter). Payloads are already redacted
 * when delivered through a Multiplexer built with a Redactor.
 *
 * @example
 * const count: Reporter = { onScenarioEnd: (r) => { if (r.status === 'failed') failures++; } };
 */
export interface Reporter {
  /** Used in messages about this reporter (defaults to the class name). */
  readonly name?: string;
  onBegin?(info: RunBeginInfo): void | Promise<void>;
  onScenarioBegin?(scenario: ScenarioInfo): void | Promise<void>;
  onScenarioEnd?(result: ScenarioResult): void | Promise<void>;
  onEnd?(report: RunReport): void | Promise<void>;
  /** A harness fault (not a connector failure, which is a failed control). */
  onError?(error: unknown): void | Promise<void>;
}

export type ReporterHook = 'onBegin' | 'onScenarioBegin' | 'onScenarioEnd' | 'onEnd' | 'onError';
