import type { RunBudget } from '../runner/context.js';

/** Defaults sized so every property scenario of a careful connector ends in a few seconds on 2 cores. */
export const PROPERTY_DEFAULTS = Object.freeze({
  /** Generated cases per property when `--runs` is not given. */
  runs: 40,
  /** Generation budget of one property scenario (split between its properties) without `--time-budget`. */
  scenarioTimeBudgetMs: 3_000,
  /** Shrinking is bounded separately, so a failure found late still shrinks. */
  maxShrinkMs: 4_000,
  /** Hard cap of a scenario's generation budget (`--time-budget` beyond it is cut): it must end within the scenario's time limit. */
  maxScenarioTimeBudgetMs: 90_000,
});

/** Time limit property scenarios declare; the budget below always ends them sooner. */
export const PROPERTY_SCENARIO_LIMIT_MS = 150_000;

export interface PropertyBudget {
  numRuns: number;
  /** Generation phase: no new case starts after this. */
  timeBudgetMs: number;
  /** Shrinking phase bound. */
  shrinkBudgetMs: number;
}

/**
 * The budget of one of `properties` properties in a scenario: `--runs` cases each (or the
 * property's own default), and an even share of the scenario's time budget.
 */
export function propertyBudget(run: RunBudget, properties: number, defaults: { runs?: number; scenarioTimeBudgetMs?: number } = {}): PropertyBudget {
  const n = Math.max(1, properties);
  const scenarioMs = Math.min(run.timeBudgetMs ?? defaults.scenarioTimeBudgetMs ?? PROPERTY_DEFAULTS.scenarioTimeBudgetMs, PROPERTY_DEFAULTS.maxScenarioTimeBudgetMs);
  const timeBudgetMs = Math.max(50, Math.floor(scenarioMs / n));
  return {
    numRuns: Math.max(1, run.runs ?? defaults.runs ?? PROPERTY_DEFAULTS.runs),
    timeBudgetMs,
    shrinkBudgetMs: Math.min(PROPERTY_DEFAULTS.maxShrinkMs, Math.max(1_000, timeBudgetMs)),
  };
}
