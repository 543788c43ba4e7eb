import type { CheckOutcome } from '../harness/model/control.js';
import { isAccepted } from '../harness/model/delivery.js';
import type { Delivery, DeliveryOutcome } from '../harness/model/delivery.js';
import type { EventEnvelope, ScenarioContext } from '../harness/runner/context.js';
import { describeEntry } from '../harness/runner/effects-oracle.js';
import { defineScenario } from '../harness/runner/scenario.js';
import { describeOutcome } from './lib/expect.js';

/** Effects of `ev` beyond effects.max, described; undefined when within bounds. */
function excessOf(ctx: ScenarioContext, ev: EventEnvelope): string | undefined {
  const over = ctx.ruleChecks(ev).filter((c) => !c.maxOk);
  if (over.length === 0) return undefined;
  const c = over[0]!;
  return `${c.committed} × ${c.rule.call} for one event (max ${c.rule.max}): ${ctx.attemptsFor(ev.id).filter((e) => e.committed).slice(0, 4).map(describeEntry).join('; ')}`;
}

function maxBounded(ctx: ScenarioContext): string | true {
  return ctx.effectEventTypes().some((t) => ctx.rules(t).some((r) => r.max !== undefined)) || 'no effect rule with `max` for a subscribed event type';
}

async function firstDelivery(ctx: ScenarioContext, label: string): Promise<{ ev: EventEnvelope; d: Delivery; o: DeliveryOutcome }> {
  const ev = ctx.event(ctx.effectEventTypes().find((t) => ctx.rules(t).some((r) => r.max !== undefined)));
  const d = ctx.sign(ev, { label });
  const o = await ctx.deliver(d, { valid: true });
  return { ev, d, o };
}

/** Clause 4: the same delivery again (the hub's at-least-once retry). */
export const duplicateSequential = defineScenario({
  id: 'duplicate-delivery-sequential',
  parallel: true,
  title: 'The same delivery sent twice, and a captured delivery replayed later, cause one effect',
  pack: 'duplicates',
  clauses: [4, 1],
  controls: ['duplicate-delivery-single-effect', 'redelivery-new-id-single-effect', 'signature-stale-rejected'],
  sends: 'A valid event; the identical delivery again after it was processed; the same event under a new delivery id; and the same event re-signed with a timestamp 6 minutes old (a captured delivery replayed, RW-05).',
  expects: 'One committed effect per event in every case (effects.max); the stale replay is rejected or acknowledged without a new effect.',
  applies: (m) => (Object.values(m.effects).some((rs) => rs.some((r) => r.max !== undefined)) ? true : 'no effect rule with `max`'),
  async run(ctx) {
    const bounded = maxBounded(ctx);
    if (bounded !== true) return [ctx.skip('duplicate-delivery-single-effect', bounded)];
    const out: CheckOutcome[] = [];

    // Same delivery, byte for byte.
    const a = await firstDelivery(ctx, 'original delivery');
    await ctx.settle({ expectEffects: [a.ev] });
    const again = await ctx.deliver(a.d, { valid: true });
    await ctx.settle({ quietMs: 150 });
    ctx.deferMaxEffects('duplicate-delivery-single-effect', a.ev, a.d, again);
    const excessA = excessOf(ctx, a.ev);
    out.push(excessA
      ? ctx.fail('duplicate-delivery-single-effect', `same delivery sent twice → ${excessA}`, { delivery: a.d, outcome: again })
      : ctx.pass('duplicate-delivery-single-effect', `duplicate answered ${describeOutcome(again)}, no second effect`));

    // Same event, new delivery id (hub redelivery).
    const b = await firstDelivery(ctx, 'original delivery');
    await ctx.settle({ expectEffects: [b.ev] });
    const redelivery = ctx.sign(b.ev, { label: 'same event under a new delivery id' });
    const ob = await ctx.deliver(redelivery, { valid: true });
    await ctx.settle({ quietMs: 150 });
    ctx.deferMaxEffects('redelivery-new-id-single-effect', b.ev, redelivery, ob);
    const excessB = excessOf(ctx, b.ev);
    out.push(excessB
      ? ctx.fail('redelivery-new-id-single-effect', `same event under a new delivery id → ${excessB}`, { delivery: redelivery, outcome: ob })
      : ctx.pass('redelivery-new-id-single-effect', `redelivery answered ${describeOutcome(ob)}, no second effect`));

    // A captured delivery replayed 6 minutes later (stale by then).
    const c = await firstDelivery(ctx, 'original delivery');
    await ctx.settle({ expectEffects: [c.ev] });
    const replay = ctx.sign(c.ev, { label: 'captured delivery replayed 6 min later (timestamp now-360s)', timestamp: ctx.nowSec() - 360, deliveryId: c.d.deliveryId });
    const oc = await ctx.deliver(replay);
    await ctx.settle({ quietMs: 150 });
    ctx.deferMaxEffects('signature-stale-rejected', c.ev, replay, oc);
    const excessC = excessOf(ctx, c.ev);
    out.push(excessC || (oc.status !== null && oc.status >= 500)
      ? ctx.fail('signature-stale-rejected', `stale replay answered ${describeOutcome(oc)}${excessC ? ` and ${excessC}` : ''}`, { delivery: replay, outcome: oc })
      : ctx.pass('signature-stale-rejected', `stale replay answered ${describeOutcome(oc)} with no new effect`));
    return out;
  },
});

const CONCURRENT = 5;

/** Clause 4: concurrent duplicates expose check-then-act races. */
export const duplicateConcurrent = defineScenario({
  id: 'duplicate-delivery-concurrent',
  parallel: true,
  title: `${CONCURRENT} concurrent copies of one delivery cause one effect`,
  pack: 'duplicates',
  clauses: [4],
  controls: ['concurrent-duplicate-single-effect'],
  sends: `One valid delivery sent ${CONCURRENT} times at once on separate connections, three times over with fresh events.`,
  expects: 'Each copy answered 2xx (or 409) and exactly one set of effects per event.',
  applies: (m) => (Object.values(m.effects).some((rs) => rs.some((r) => r.max !== undefined)) ? true : 'no effect rule with `max`'),
  async run(ctx) {
    for (let round = 0; round < 3; round++) {
      const ev = ctx.event(ctx.effectEventTypes().find((t) => ctx.rules(t).some((r) => r.max !== undefined)));
      const d = ctx.sign(ev, { label: `one delivery sent ${CONCURRENT}× concurrently` });
      const outcomes = await ctx.deliverAll(Array.from({ length: CONCURRENT }, () => d), { concurrency: CONCURRENT, valid: true });
      await ctx.settle({ expectEffects: [ev], quietMs: 150 });
      ctx.deferMaxEffects('concurrent-duplicate-single-effect', ev, d, outcomes[0]);
      const excess = excessOf(ctx, ev);
      if (excess) return [ctx.fail('concurrent-duplicate-single-effect', `${CONCURRENT} concurrent copies → ${excess}`, { delivery: d, outcome: outcomes[0]! })];
      const server = outcomes.find((o) => o.status !== null && o.status >= 500);
      if (server) return [ctx.fail('concurrent-duplicate-single-effect', `a concurrent copy got ${describeOutcome(server)}`, { delivery: d, outcome: server })];
      if (!outcomes.some(isAccepted)) return [ctx.fail('concurrent-duplicate-single-effect', `no copy was acknowledged (${describeOutcome(outcomes[0]!)})`, { delivery: d, outcome: outcomes[0]! })];
    }
    return [ctx.pass('concurrent-duplicate-single-effect', `3 rounds of ${CONCURRENT} concurrent copies, one effect each`)];
  },
});
