import type { CheckOutcome } from '../../harness/model/control.js';
import { isAccepted, isRejected4xx, type Delivery, type DeliveryOutcome } from '../../harness/model/delivery.js';
import type { EventEnvelope, ScenarioContext } from '../../harness/runner/context.js';
import { describeEntry } from '../../harness/runner/effects-oracle.js';

/** One input a scenario sends, with the event it carries (for effect attribution). */
export interface Case {
  delivery: Delivery;
  event?: EventEnvelope;
  /** `reject`: must get 4xx. `no-effect`: 4xx or 2xx, but nothing may happen. */
  expect: 'reject' | 'no-effect';
}

export interface CaseResult {
  c: Case;
  outcome: DeliveryOutcome;
  problem?: string;
}

export function describeOutcome(o: DeliveryOutcome): string {
  if (o.status === null) return `no HTTP answer (${o.error?.kind ?? 'unknown'}: ${o.error?.message ?? ''})`;
  // The status arrived but the exchange did not complete (body over the cap, never finished, cut off).
  if (o.error) return `HTTP ${o.status}, then ${o.error.kind}: ${o.error.message} (${Math.round(o.durationMs)} ms)`;
  return `HTTP ${o.status} in ${Math.round(o.durationMs)} ms`;
}

/**
 * Sends cases (in order, smallest first), settles once, then judges each: the
 * first failing case is the counterexample, so authors order cases simplest first.
 */
export async function sendAndJudgeNegative(ctx: ScenarioContext, control: string, input: Array<Case | (() => Case | undefined)>, concurrency = 1): Promise<CaseResult[]> {
  let cases: Case[];
  let outcomes: DeliveryOutcome[];
  if (concurrency === 1) {
    // Built right before sending: timestamps at the tolerance edge (now±301 s) must not drift while earlier cases are sent.
    cases = [];
    outcomes = [];
    for (const item of input) {
      const c = typeof item === 'function' ? item() : item;
      if (!c) continue;
      cases.push(c);
      outcomes.push(await ctx.deliver(c.delivery));
    }
  } else {
    cases = input.map((i) => (typeof i === 'function' ? i() : i)).filter((c): c is Case => c !== undefined);
    outcomes = await ctx.deliverAll(cases.map((c) => c.delivery), { concurrency });
  }
  await ctx.settle({ quietMs: 150 });
  return cases.map((c, i) => {
    const outcome = outcomes[i]!;
    if (c.event) ctx.deferNoEffect(control, c.event, c.delivery, outcome);
    const attempts = c.event ? ctx.attemptsFor(c.event.id) : [];
    let problem: string | undefined;
    if (attempts.length > 0) problem = `caused ${attempts.length} effect attempt(s): ${attempts.slice(0, 3).map(describeEntry).join('; ')}`;
    else if (outcome.status !== null && outcome.status >= 500) problem = `answered ${describeOutcome(outcome)} (5xx makes the hub retry)`;
    else if (c.expect === 'reject' && !isRejected4xx(outcome)) problem = `expected 4xx, got ${describeOutcome(outcome)}`;
    else if (c.expect === 'no-effect' && !isRejected4xx(outcome) && !isAccepted(outcome)) problem = `expected 4xx or 2xx, got ${describeOutcome(outcome)}`;
    return problem ? { c, outcome, problem } : { c, outcome };
  });
}

/** Folds case results into one outcome for a control. */
export function judge(ctx: ScenarioContext, control: string, results: CaseResult[], what: string): CheckOutcome {
  if (results.length === 0) return ctx.skip(control, `no ${what} case applies to this manifest`);
  const failed = results.filter((r) => r.problem);
  if (failed.length === 0) return ctx.pass(control, `${results.length}/${results.length} ${what} cases handled safely`);
  const first = failed[0]!;
  return ctx.fail(control, `${failed.length}/${results.length} ${what} cases unsafe; first: "${first.c.delivery.label}" ${first.problem}`, {
    delivery: first.c.delivery,
    outcome: first.outcome,
    details: { failedCases: failed.slice(0, 10).map((f) => `${f.c.delivery.label}: ${f.problem}`) },
  });
}

/** Sends a fresh valid event and reports whether it was acknowledged and processed. */
export async function probeValidEvent(ctx: ScenarioContext, label: string): Promise<{ ok: boolean; why: string; delivery: Delivery; outcome: DeliveryOutcome }> {
  const ev = ctx.event();
  const delivery = ctx.sign(ev, { label });
  const outcome = await ctx.deliver(delivery, { valid: true });
  if (!isAccepted(outcome)) return { ok: false, why: `valid event after the bad input got ${describeOutcome(outcome)}`, delivery, outcome };
  await ctx.settle({ expectEffects: [ev] });
  const missing = ctx.ruleChecks(ev).filter((c) => !c.minOk);
  if (missing.length > 0) return { ok: false, why: `valid event acknowledged but not processed: ${missing.map((m) => `${m.rule.call} ${m.committed}/${m.rule.min}`).join(', ')}`, delivery, outcome };
  return { ok: true, why: 'valid event acknowledged and processed', delivery, outcome };
}

/** A delivery built by hand (no signature, odd headers). */
export function rawDelivery(ctx: ScenarioContext, body: Buffer | string, label: string, headers: Record<string, string> = { 'content-type': 'application/json' }): Delivery {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  return { deliveryId: ctx.nextId('msg'), body: buf, headers, label };
}
