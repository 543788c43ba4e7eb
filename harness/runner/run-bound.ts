import type { Manifest } from '../manifest/types.js';
import type { ScenarioDefinition } from './scenario.js';
import { DEFAULT_STOP_GRACE_MS, KILL_WAIT_MS } from '../driver/process-connector.js';

/** Scenario time limit when a scenario declares none (runCertification uses the same value). */
export const DEFAULT_SCENARIO_LIMIT_MS = 45_000;
/** Times the runner restarts a connector that died before giving up on it. */
export const MAX_RESTARTS = 3;
/** Health probe the runner makes before each scenario. */
export const BETWEEN_SCENARIOS_HEALTH_MS = 2_000;
/** Worst case of one `stop()`: SIGTERM, the grace, SIGKILL, the wait for the tree to go. */
export const STOP_WORST_MS = DEFAULT_STOP_GRACE_MS + KILL_WAIT_MS;
/**
 * Everything that is not the connector's time: starting and stopping the sandbox, the leak
 * scan, writing the reports. Generous, because a loaded CI machine is slow, and a watchdog
 * that fires on a healthy run is worse than a late one.
 */
export const SETUP_ALLOWANCE_MS = { embedded: 30_000, containers: 15 * 60_000 } as const;
/** After the bound fires: time the run gets to stop the connector and write its partial report. */
export const WIND_DOWN_MS = 20_000;

export interface RunBoundPart {
  what: string;
  ms: number;
}

export interface RunBound {
  /** The run must have ended (report written) within this many ms of starting. */
  totalMs: number;
  parts: RunBoundPart[];
  /** Set when a user cap replaced the derived bound: what the derivation gave. */
  derivedMs?: number;
}

/**
 * The longest a run may take, derived only from the manifest and the selected scenarios:
 * every wait in the runner is bounded by one of these terms, so a run that exceeds the sum
 * is a harness fault, and the CLI's watchdog ends it with a partial report.
 *
 * Per scenario: the health probe before it, a stop and restart of a dead connector, the
 * scenario's own time limit, and stopping any extra connector it started (at most one at a
 * time is running in the catalogue; two are allowed for).
 */
export function computeRunBound(manifest: Pick<Manifest, 'run'>, scenarios: ReadonlyArray<Pick<ScenarioDefinition, 'id' | 'timeLimitMs'>>, sandbox: 'embedded' | 'containers' = 'embedded'): RunBound {
  const start = manifest.run.startTimeoutMs;
  const perScenarioOverhead = BETWEEN_SCENARIOS_HEALTH_MS + STOP_WORST_MS + start + 2 * STOP_WORST_MS;
  const limits = scenarios.reduce((sum, s) => sum + (s.timeLimitMs ?? DEFAULT_SCENARIO_LIMIT_MS), 0);
  const parts: RunBoundPart[] = [
    { what: 'first start (run.startTimeoutMs + stop)', ms: start + STOP_WORST_MS },
    { what: `${scenarios.length} scenario time limit(s)`, ms: limits },
    { what: 'per-scenario health check, restart and stops', ms: scenarios.length * perScenarioOverhead },
    { what: 'final stop', ms: STOP_WORST_MS },
    { what: `${sandbox} sandbox setup, scan and reports`, ms: SETUP_ALLOWANCE_MS[sandbox] },
  ];
  return { totalMs: parts.reduce((sum, p) => sum + p.ms, 0), parts };
}

/** A user cap (`--max-run-time`) below the derived bound replaces it; above it, changes nothing. */
export function capRunBound(b: RunBound, capMs: number | undefined): RunBound {
  if (capMs === undefined || capMs >= b.totalMs) return b;
  return { totalMs: capMs, parts: [{ what: '--max-run-time', ms: capMs }], derivedMs: b.totalMs };
}

/** `185 s (first start (…) 7 s + 2 scenario time limit(s) 105 s + …)`, or `6 s (--max-run-time 6 s; derived bound 185 s)` */
export function describeRunBound(b: RunBound): string {
  const s = (ms: number) => `${Math.ceil(ms / 1000)} s`;
  return `${s(b.totalMs)} (${b.parts.map((p) => `${p.what} ${s(p.ms)}`).join(' + ')}${b.derivedMs !== undefined ? `; derived bound ${s(b.derivedMs)}` : ''})`;
}
