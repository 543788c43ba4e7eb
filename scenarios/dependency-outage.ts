/**
 * Clause 9 for dependencies (issue 5): the connector's own Redis or PostgreSQL goes away
 * mid-run. While it is down the connector cannot know whether an event is a duplicate
 * (or what state it is in), so a valid event must cause no effect: answering 5xx/503 so
 * the hub retries is the right move. It must not crash-loop, and after the dependency
 * returns, the hub's retry must be processed exactly once.
 *
 * Needs `--sandbox containers` (the only sandbox that starts `services`).
 */
import type { CheckOutcome } from '../harness/model/control.js';
import { isAccepted, type DeliveryOutcome } from '../harness/model/delivery.js';
import { defineScenario } from '../harness/runner/scenario.js';
import { dependencyControlOf } from '../harness/sandbox/containers/services.js';

const CONTROL = 'dependency-outage-fails-closed';
/** How long the dependency stays down after the last delivery, so late effects show up. */
const OUTAGE_TAIL_MS = 1_500;
/** Hub-style retries after recovery: up to ~10 s, enough for a connector's own claim or lock to expire. */
const RETRY_ATTEMPTS = 12;
const RETRY_GAP_MS = 800;

const describe = (o: DeliveryOutcome) => (o.status !== null ? `HTTP ${o.status}` : (o.error?.kind ?? 'no answer'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const dependencyOutage = defineScenario({
  id: 'dependency-outage',
  title: 'While a dependency (Redis/PostgreSQL) is down, valid events cause no effect and the connector does not crash; it recovers after',
  pack: 'dependencies',
  clauses: [9],
  controls: [CONTROL],
  sends: 'A valid event before the outage; with the dependency paused, a new valid event and a duplicate of the first; after it returns, the hub-style retry of the new event.',
  expects: 'No committed effect while the dependency is down (non-2xx is fine); no exit or crash loop; after recovery the retried event has its effects exactly once and the duplicate none.',
  applies: (m) => (m.services.length > 0 ? true : 'the manifest declares no services (redis, postgres)'),
  timeLimitMs: 60_000,
  async run(ctx) {
    const deps = dependencyControlOf(ctx.sandbox);
    if (!deps) return [ctx.skip(CONTROL, 'dependency chaos needs --sandbox containers (the embedded sandbox starts no services)')];
    const kind = deps.kinds().includes('redis') ? 'redis' : deps.kinds()[0]!;
    const type = ctx.primaryEventType();
    const sync = async () => (ctx.sandbox as { sync?: () => Promise<void> }).sync?.();
    const out: CheckOutcome[] = [];
    const problems: string[] = [];

    const first = ctx.event(type);
    const firstDelivery = ctx.sign(first, { label: `valid ${type} before the outage` });
    const before = await ctx.deliver(firstDelivery, { valid: true });
    await ctx.settle({ expectEffects: [first] });
    if (!isAccepted(before) || !ctx.ruleChecks(first).every((c) => c.minOk)) {
      return [ctx.skip(CONTROL, `the connector did not process a valid event before the outage (${describe(before)}); nothing to compare against`)];
    }

    const second = ctx.event(type);
    const secondDelivery = ctx.sign(second, { label: `valid ${type} during the ${kind} outage` });
    await sync();
    const outageStartSeq = ctx.sandbox.ledger.lastSeq;
    await deps.interrupt(kind, 'pause');
    let during: DeliveryOutcome;
    let duplicate: DeliveryOutcome;
    try {
      during = await ctx.deliver(secondDelivery, { timeoutMs: 10_000 });
      duplicate = await ctx.deliver(firstDelivery, { timeoutMs: 10_000 });
      await sleep(OUTAGE_TAIL_MS);
      await sync();
    } finally {
      await deps.restore(kind);
    }
    const committedDuring = ctx.sandbox.ledger.since(outageStartSeq).filter((e) => e.committed);
    if (committedDuring.length > 0) {
      problems.push(`${committedDuring.length} effect(s) committed while ${kind} was down (e.g. ${committedDuring[0]!.method} ${committedDuring[0]!.path}): state that could not be checked was trusted`);
    }
    if (ctx.connector().exitInfo() !== undefined) problems.push(`the connector exited during the ${kind} outage`);

    // Recovery: the hub retries what was not acknowledged.
    let retried = during;
    if (!isAccepted(during)) {
      for (let i = 0; i < RETRY_ATTEMPTS && !isAccepted(retried); i++) {
        await sleep(RETRY_GAP_MS);
        retried = await ctx.deliver(secondDelivery, { valid: true });
      }
    }
    await ctx.settle({ expectEffects: [second] });
    const healthy = await ctx.connector().checkHealth(3_000);
    if (!healthy) problems.push(`the connector is not healthy after ${kind} came back`);
    if (!isAccepted(retried)) problems.push(`after ${kind} came back the retried event was still refused (${describe(retried)})`);
    const secondChecks = ctx.ruleChecks(second);
    if (!secondChecks.every((c) => c.minOk)) problems.push(`the event ${isAccepted(during) ? 'acknowledged during' : 'retried after'} the outage never got its effect (acknowledged and dropped)`);
    if (!secondChecks.every((c) => c.maxOk)) problems.push('the event sent during the outage got more effects than effects.max after recovery');
    if (!ctx.ruleChecks(first).every((c) => c.maxOk)) problems.push(`the duplicate sent during the outage caused a second effect (${describe(duplicate)})`);

    const summary = `${kind} paused: new event ${describe(during)}, duplicate ${describe(duplicate)}; retry after recovery ${describe(retried)}`;
    out.push(problems.length === 0 ? ctx.pass(CONTROL, `failed closed and recovered (${summary})`) : ctx.fail(CONTROL, `${problems.join('; ')} (${summary})`, { delivery: secondDelivery, outcome: during }));
    return out;
  },
});
