import type { CaseFailure } from '../../harness/properties/check-property.js';
import { issuedHere } from '../../harness/properties/event-templates.js';
import { isAccepted, isRejected4xx, type Delivery, type DeliveryOutcome } from '../../harness/model/delivery.js';
import type { EventEnvelope, ScenarioContext } from '../../harness/runner/context.js';
import { describeEntry, effectAttempts } from '../../harness/runner/effects-oracle.js';
import { sleep } from '../../harness/runner/context.js';
import { describeOutcome } from '../lib/expect.js';

/** Longest wait for one accepted case's `effects.min` (most connectors take tens of ms). */
export const EFFECT_WAIT_MS = 2_500;
/** Quiet time after a property before the late-effect check. */
export const FINAL_QUIET_MS = 150;

/**
 * Effect attempts the connector made after ledger sequence `afterSeq` that this scenario may
 * have caused: attributed to an event its property factories issued, or to no event at all (a
 * drifted or missing id leaves a call unattributable). Calls attributed to other scenarios'
 * events are left out, so a run that interleaves scenarios does not blame this one.
 */
export function attemptsSince(ctx: ScenarioContext, afterSeq: number) {
  // From the end: a case looks at the few entries it may have caused, not the whole run's ledger.
  const all = ctx.sandbox.ledger.all();
  let i = all.length;
  while (i > 0 && all[i - 1]!.seq > afterSeq) i--;
  return effectAttempts(all.slice(i)).filter((e) => !e.causedBy || issuedHere(ctx, e.causedBy.eventId));
}

/** Polls until every `effects.min` of `ev` is met, bounded by `maxMs`. Returns whether they were. */
export async function waitForEffects(ctx: ScenarioContext, ev: EventEnvelope, maxMs = EFFECT_WAIT_MS): Promise<boolean> {
  const deadline = ctx.now() + maxMs;
  for (;;) {
    if (ctx.ruleChecks(ev).every((c) => c.minOk)) return true;
    if (ctx.now() >= deadline || ctx.signal.aborted) return false;
    await sleep(4);
  }
}

/** Effects beyond `effects.max` for `ev`, described; undefined when within bounds. */
export function excessOf(ctx: ScenarioContext, ev: EventEnvelope): string | undefined {
  const over = ctx.ruleChecks(ev).filter((c) => !c.maxOk);
  if (over.length === 0) return undefined;
  const c = over[0]!;
  return `${c.committed} × ${c.rule.call} for event ${ev.id} (max ${c.rule.max}): ${ctx.attemptsFor(ev.id).filter((e) => e.committed).slice(0, 4).map(describeEntry).join('; ')}`;
}

/**
 * Sends a delivery that must be rejected. A synchronous 4xx leaves nothing to wait for, so
 * the case is judged at once on what happened since it was sent; effects arriving later are
 * caught by the property's final check. `statusOnly` (the event was accepted earlier in the
 * run, so its effects are not this case's) judges the answer alone.
 */
export async function expectRejected(ctx: ScenarioContext, d: Delivery, opts: { eventId?: string; control?: string; statusOnly?: boolean } = {}): Promise<CaseFailure | undefined> {
  const before = ctx.sandbox.ledger.lastSeq;
  const o = await ctx.deliver(d);
  const fail = (problem: string): CaseFailure => ({ problem, delivery: d, outcome: o, ...(opts.control ? { control: opts.control } : {}) });
  if (isAccepted(o)) return fail(`was accepted (${describeOutcome(o)}), expected 4xx`);
  if (!isRejected4xx(o)) return fail(`got ${describeOutcome(o)}, expected 4xx`);
  if (opts.statusOnly) return undefined;
  const recent = attemptsSince(ctx, before);
  const attempts = opts.eventId ? recent.filter((e) => e.causedBy?.eventId === opts.eventId) : recent;
  if (attempts.length > 0) return fail(`was rejected but caused ${attempts.slice(0, 3).map(describeEntry).join('; ')}`);
  return undefined;
}

/** Sends a delivery that must be accepted, and waits (bounded) for its effects. */
export async function expectProcessed(ctx: ScenarioContext, d: Delivery, ev: EventEnvelope, control?: string): Promise<CaseFailure | undefined> {
  const o: DeliveryOutcome = await ctx.deliver(d, { valid: true });
  const fail = (problem: string): CaseFailure => ({ problem, delivery: d, outcome: o, ...(control ? { control } : {}) });
  if (!isAccepted(o)) return fail(`was not accepted: ${describeOutcome(o)}`);
  if (!(await waitForEffects(ctx, ev))) {
    const missing = ctx.ruleChecks(ev).filter((c) => !c.minOk);
    return fail(`was acknowledged but not processed within ${EFFECT_WAIT_MS} ms (${missing.map((m) => `${m.rule.call} ${m.committed}/${m.rule.min}`).join(', ')})`);
  }
  const excess = excessOf(ctx, ev);
  return excess ? fail(`caused more effects than allowed: ${excess}`) : undefined;
}

/** The event id inside a body, when the bytes still parse. */
export function eventIdOf(body: Buffer): string | undefined {
  try {
    const v = JSON.parse(body.toString('utf8')) as { id?: unknown } | null;
    return typeof v?.id === 'string' ? v.id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A tight settle for property cases: returns once every `expect` event met its `effects.min`
 * and the ledger has been quiet for `quietMs` (polled every few ms), bounded by `maxMs`.
 */
export async function settleCase(ctx: ScenarioContext, expect: EventEnvelope[], quietMs = 40, maxMs = 3_000): Promise<void> {
  const deadline = ctx.now() + maxMs;
  let lastSeq = ctx.sandbox.ledger.lastSeq;
  let quietSince = ctx.now();
  for (;;) {
    if (ctx.signal.aborted) return;
    const now = ctx.now();
    if (now >= deadline) return;
    const seq = ctx.sandbox.ledger.lastSeq;
    if (seq !== lastSeq) {
      lastSeq = seq;
      quietSince = now;
    }
    if (now - quietSince >= quietMs && expect.every((ev) => ctx.ruleChecks(ev).every((c) => c.minOk))) return;
    await sleep(4);
  }
}
