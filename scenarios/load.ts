import type { Manifest } from '../harness/manifest/types.js';
import { defaultTimeoutMs, LOAD_CONTROLS, runLoadSuite, type LoadSuiteOptions } from '../harness/load/run-load.js';
import type { LoadProfile, LoadReport } from '../harness/load/types.js';
import { defineScenario, type ScenarioDefinition } from '../harness/runner/scenario.js';

/** The standard run's budget: a short burst, so a full run stays fast. */
export const DEFAULT_LOAD_PACK_PROFILE: Omit<LoadProfile, 'timeoutMs'> = {
  rate: 100,
  durationMs: 2_000,
  connections: 10,
  maxRequests: 400,
  duplicateShare: 0.1,
};

export interface LoadScenarioOptions extends Omit<LoadSuiteOptions, 'profile'> {
  id?: string;
  title?: string;
  /** Profile; `timeoutMs` defaults from the manifest's sla.ackMs. */
  profile?: Partial<LoadProfile>;
  /** Receives the load report (the `gauntlet load` command writes it as load.json). */
  onReport?: (report: LoadReport) => void;
}

function applies(m: Manifest): true | string {
  return m.webhooks.events.length > 0 ? true : 'the manifest subscribes to no event types';
}

/**
 * A load scenario: signed unique events (plus a share of hub-style repeats) at a rate,
 * checked for acknowledgement, latency against sla.ackMs, dropped and excess effects
 * after a bounded settle, and health afterwards. `gauntlet load` builds one from its flags.
 */
export function loadScenario(opts: LoadScenarioOptions = {}): ScenarioDefinition {
  const p = { ...DEFAULT_LOAD_PACK_PROFILE, ...opts.profile };
  const shape = `${p.rate === undefined ? 'closed loop' : `${p.rate}/s${p.rampSteps && p.rampSteps > 1 ? ` ramped in ${p.rampSteps} steps` : ''}`} for ${p.durationMs / 1000} s over ${p.connections} connections`;
  return defineScenario({
    id: opts.id ?? 'load-burst',
    title: opts.title ?? 'A burst of signed events is acknowledged in time, processed without drops or doubles, and leaves the connector healthy',
    pack: 'load',
    clauses: [3, 4],
    controls: LOAD_CONTROLS,
    sends: `Unique, correctly signed events (pre-signed ahead of the load) at ${shape}, at most ${p.maxRequests} requests, ${Math.round(p.duplicateShare * 100)}% of them repeats of a recent event; then one more valid event.`,
    expects: 'At most 1% of sends unacknowledged or slower than sla.ackMs; after a bounded settle every acknowledged event met effects.min and none exceeded effects.max; the connector is healthy and processes the next event.',
    applies,
    // Load window + per-request drain + settle + health, with room.
    timeLimitMs: Math.max(45_000, p.durationMs + 60_000),
    async run(ctx) {
      const profile: LoadProfile = { ...p, timeoutMs: p.timeoutMs ?? defaultTimeoutMs(ctx.manifest.sla.ackMs) };
      const { outcomes, report } = await runLoadSuite(ctx, { ...opts, profile });
      opts.onReport?.(report);
      return outcomes;
    },
  });
}

/** The `load` pack of the standard run. */
export const loadBurst = loadScenario();
