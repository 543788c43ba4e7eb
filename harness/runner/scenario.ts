import type { Manifest, Tier } from '../manifest/types.js';
import type { CheckOutcome } from '../model/control.js';
import type { ScenarioContext } from './context.js';

/**
 * A scenario is data plus one small function. It sends inputs through the context and
 * returns check outcomes (failures are values). It never throws for connector
 * misbehaviour; a throw means a harness fault and marks the scenario `errored`.
 */
export interface ScenarioDefinition {
  /** Stable kebab-case id, e.g. `webhook-forged-signatures`. */
  id: string;
  title: string;
  /** Pack it belongs to (`authenticity`, `raw-body`, `ack`, `duplicates`, …). */
  pack: string;
  /** Contract section 6 clauses it checks. */
  clauses: number[];
  /** Control ids it can produce outcomes for. */
  controls: string[];
  /** Tiers it applies to (default: all). */
  tiers?: Tier[];
  /** What it sends, in one or two sentences (scenario catalogue). */
  sends: string;
  /** The fail-safe behaviour expected. */
  expects: string;
  /** `true`, or the reason it does not apply to this manifest (becomes a skip). */
  applies?: (manifest: Manifest) => true | string;
  /** Wall-clock limit; the runner aborts the scenario past it. */
  timeLimitMs?: number;
  /**
   * Safe to run alongside other parallel scenarios: it changes no sandbox-global state
   * (faults, credentials, token lifetimes, webhook subscription) and judges only by the
   * events it sent itself. Others run alone, after the parallel ones.
   */
  parallel?: boolean;
  /** Runs on its own connector instance (started and stopped by the scenario via ctx). */
  ownConnector?: boolean;
  run(ctx: ScenarioContext): Promise<CheckOutcome[]>;
}

export function defineScenario(def: ScenarioDefinition): ScenarioDefinition {
  return Object.freeze({ ...def });
}
