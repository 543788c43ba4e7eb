import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { GauntletError } from '../errors.js';
import type { CheckOutcome, Counterexample } from '../model/control.js';
import type { Delivery, DeliveryOutcome } from '../model/delivery.js';
import type { ScenarioContext } from '../runner/context.js';
import { propertyBudget, type PropertyBudget } from './budget.js';

/** Why one generated case is unsafe; the delivery shown is the one that proves it. */
export interface CaseFailure {
  problem: string;
  /** Control the failure belongs to (default: the property's control). */
  control?: string;
  delivery?: Delivery;
  outcome?: DeliveryOutcome;
  /** Overrides the counterexample label (default: the delivery's label). */
  label?: string;
  details?: Record<string, unknown>;
}

/** A predicate's verdict on one case: nothing when safe, else the problem. */
export type CaseVerdict = undefined | string | CaseFailure;

export interface PropertySpec<T> {
  /** Stable within the scenario: the case id is `<scenarioId>#<name>`. */
  name: string;
  /** Control a failure belongs to unless the predicate says otherwise. */
  control: string;
  arbitrary: fc.Arbitrary<T>;
  /** Sends the case to the connector and judges it. Connector misbehaviour is a verdict, never a throw. */
  predicate: (value: T) => Promise<CaseVerdict>;
  /** Control a case exercises (for pass counts); default `control`. */
  classify?: (value: T) => string;
  /** Checks after the last case (e.g. effects that arrived late); not shrunk. */
  afterAll?: () => Promise<CaseFailure | undefined>;
  /** Budget; default from `ctx.budget` and the property defaults. */
  budget?: PropertyBudget;
}

/** Summary of one property's search, kept in the evidence. */
export interface PropertyRun {
  name: string;
  fcSeed: number;
  cases: number;
  shrinks: number;
  interrupted: boolean;
  path?: string;
  replayed: boolean;
  failed: boolean;
}

/** fast-check seed of one property: from the scenario seed (itself from the run seed) and the property name. */
export function propertySeed(scenarioSeed: number, name: string): number {
  return createHash('sha256').update(`${scenarioSeed}#${name}`).digest().readInt32BE(0);
}

export function propertyCaseId(scenarioId: string, name: string): string {
  return `${scenarioId}#${name}`;
}

function normalise(v: CaseVerdict): CaseFailure | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'string' ? { problem: v } : v;
}

function short(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Runs one property against the live connector: a deterministic search (seed from the scenario
 * seed), bounded by cases and time, then bounded shrinking from the first failure; or, under
 * `gauntlet replay` with this property's case id, exactly the recorded shrunk case (fast-check
 * `path`). Returns outcomes: a fail with the shrunk, replayable counterexample, or a pass per
 * control the cases exercised.
 *
 * @example
 * const [outcome] = await checkProperty(ctx, {
 *   name: 'forged', control: 'signature-forged-rejected', arbitrary,
 *   predicate: async (c) => (isRejected4xx(await ctx.deliver(c.delivery)) ? undefined : 'accepted'),
 * });
 */
export async function checkProperty<T>(ctx: ScenarioContext, spec: PropertySpec<T>): Promise<CheckOutcome[]> {
  const caseId = propertyCaseId(ctx.scenarioId, spec.name);
  const replaying = ctx.replay && ctx.replay.caseId.startsWith(`${ctx.scenarioId}#`) ? ctx.replay : undefined;
  // Replaying another case of this scenario: this property stays silent.
  if (replaying && replaying.caseId !== caseId) return [];
  const budget = spec.budget ?? propertyBudget(ctx.budget, 1);
  const fcSeed = propertySeed(ctx.seed, spec.name);
  const failures = new WeakMap<object, CaseFailure>();
  const exercised = new Map<string, number>();
  let harnessFault: unknown;
  let aborted = false;
  // Cooperative deadline, checked before each case. fast-check's own interruptAfterTimeLimit
  // races the running predicate and abandons it, which would leave a case's deliveries and
  // effects running into the next case and break their independence.
  let deadline = Infinity;

  const property = fc.asyncProperty(spec.arbitrary, async (value) => {
    if (ctx.now() >= deadline) throw new fc.PreconditionFailure(true);
    if (ctx.signal.aborted) {
      aborted = true;
      return true;
    }
    let verdict: CaseFailure | undefined;
    try {
      verdict = normalise(await spec.predicate(value));
    } catch (err) {
      // fc.pre(false): the case cannot be judged (e.g. the connector is already down); not a failure.
      if (fc.PreconditionFailure.isFailure(err)) throw err;
      // A throw is a harness fault: remembered and re-thrown, never shrunk as a connector failure.
      harnessFault ??= err;
      return true;
    }
    const control = spec.classify?.(value) ?? spec.control;
    exercised.set(control, (exercised.get(control) ?? 0) + 1);
    if (!verdict) return true;
    if (value !== null && typeof value === 'object') failures.set(value as object, verdict);
    return false;
  });

  let details: fc.RunDetails<[T]>;
  let shrinks = 0;
  let interrupted = false;
  if (replaying?.path) {
    details = await fc.check(property, { seed: fcSeed, path: replaying.path, numRuns: 1, endOnFailure: true });
  } else {
    // Phase 1: search without shrinking, bounded by cases and time.
    deadline = ctx.now() + budget.timeBudgetMs;
    details = await fc.check(property, { seed: fcSeed, numRuns: budget.numRuns, endOnFailure: true });
    interrupted = details.interrupted;
    if (details.failed && details.counterexamplePath && harnessFault === undefined && !aborted) {
      // Phase 2: replay the failing run and shrink from it, within its own bound. If the case
      // does not fail again (a race), the unshrunk phase-1 case stands.
      deadline = ctx.now() + budget.shrinkBudgetMs;
      const shrunk = await fc.check(property, { seed: fcSeed, path: details.counterexamplePath, numRuns: 1 });
      if (shrunk.failed && shrunk.counterexample && failures.has(shrunk.counterexample[0] as object)) {
        details = shrunk;
        shrinks = shrunk.numShrinks;
        interrupted ||= shrunk.interrupted;
      }
    }
  }
  if (harnessFault !== undefined) {
    throw harnessFault instanceof GauntletError ? harnessFault : new GauntletError('GAUNTLET_ERR_INTERNAL', `property ${caseId} failed inside the harness: ${harnessFault instanceof Error ? harnessFault.message : String(harnessFault)}`, { cause: harnessFault });
  }
  const run: PropertyRun = {
    name: spec.name,
    fcSeed,
    cases: details.numRuns,
    shrinks,
    interrupted,
    replayed: replaying?.path !== undefined,
    failed: details.failed,
    ...(details.counterexamplePath ? { path: details.counterexamplePath } : {}),
  };

  const value = details.failed && details.counterexample ? details.counterexample[0] : undefined;
  const failure = value !== undefined && value !== null && typeof value === 'object' ? failures.get(value as object) : undefined;
  if (details.failed && !failure) {
    // fast-check failed for a reason of its own (e.g. a throwing arbitrary): a harness fault.
    throw new GauntletError('GAUNTLET_ERR_INTERNAL', `property ${caseId} failed without a verdict: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
  }
  if (failure) {
    const control = failure.control ?? spec.control;
    const cx = toCounterexample(ctx, caseId, failure, details.counterexamplePath ?? undefined, value);
    const where = run.replayed ? 'replayed case' : `case ${details.numRuns} of ${budget.numRuns}, shrunk in ${shrinks} step(s)${interrupted ? ' (shrinking stopped at its time bound)' : ''}`;
    const out: CheckOutcome[] = [{
      control,
      status: 'fail',
      evidence: { summary: `property ${spec.name}: "${short(cx.label)}" ${short(failure.problem)} (${where})`, details: { property: run, ...(failure.details ?? {}) } },
      counterexample: cx,
    }];
    // Controls whose cases all held before the failure keep their passes.
    for (const [c, n] of exercised) if (c !== control) out.push(ctx.pass(c, `property ${spec.name}: ${n} generated case(s) held before it stopped at a ${control} failure`, { property: run }));
    return out;
  }
  const late = aborted || run.replayed ? undefined : await spec.afterAll?.();
  if (late) {
    const control = late.control ?? spec.control;
    const out: CheckOutcome[] = [{
      control,
      status: 'fail',
      evidence: { summary: `property ${spec.name}: ${short(late.problem)} (found after the last case, not shrunk)`, details: { property: run, ...(late.details ?? {}) } },
      counterexample: toCounterexample(ctx, caseId, late, undefined, undefined),
    }];
    for (const [c, n] of exercised) if (c !== control) out.push(ctx.pass(c, `property ${spec.name}: ${n} generated case(s) held`, { property: run }));
    return out;
  }
  if (exercised.size === 0) return [ctx.skip(spec.control, `property ${spec.name}: no case ran${aborted ? ' (scenario aborted)' : ''}`)];
  const out: CheckOutcome[] = [];
  for (const [c, n] of exercised) {
    out.push(ctx.pass(c, `property ${spec.name}: ${n} generated case(s) held${interrupted ? ` (time budget reached before ${budget.numRuns})` : ''}${run.replayed ? ' (replayed case)' : ''}`, { property: run }));
  }
  return out;
}

function toCounterexample(ctx: ScenarioContext, caseId: string, f: CaseFailure, path: string | undefined, value: unknown): Counterexample {
  const base: Counterexample = f.delivery
    ? ctx.counterexample(f.delivery, f.outcome)
    : { caseId, seed: ctx.runSeed, label: '', replay: '' };
  const label = f.label ?? f.delivery?.label ?? short(fc.stringify(value), 500);
  return {
    ...base,
    caseId,
    seed: ctx.runSeed,
    label,
    ...(path ? { path } : {}),
    replay: `gauntlet replay <report.json> --case ${caseId}  # or search again: ${runCommand(ctx)}`,
  };
}

function runCommand(ctx: ScenarioContext): string {
  const budget = [ctx.budget.runs !== undefined ? `--runs ${ctx.budget.runs}` : '', ctx.budget.timeBudgetMs !== undefined ? `--time-budget ${ctx.budget.timeBudgetMs}ms` : ''].filter(Boolean).join(' ');
  return `gauntlet run ${ctx.manifestArg} --seed ${ctx.runSeed} --scenario ${ctx.scenarioId}${budget ? ` ${budget}` : ''}`;
}
