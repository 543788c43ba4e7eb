import fc from 'fast-check';
import type { CheckOutcome } from '../../harness/model/control.js';
import { isAccepted } from '../../harness/model/delivery.js';
import { additiveDriftArb, applyDrift, criticalDriftArb, describeDrift, type Drift } from '../../harness/data/drift.js';
import { isEventType } from '../../harness/data/event-catalog.js';
import { propertyBudget, PROPERTY_SCENARIO_LIMIT_MS } from '../../harness/properties/budget.js';
import { checkProperty, type CaseFailure } from '../../harness/properties/check-property.js';
import { EventFactory, TEMPLATES_PER_TYPE } from '../../harness/properties/event-templates.js';
import type { EventEnvelope, ScenarioContext } from '../../harness/runner/context.js';
import { describeEntry } from '../../harness/runner/effects-oracle.js';
import { defineScenario } from '../../harness/runner/scenario.js';
import { describeOutcome } from '../lib/expect.js';
import { attemptsSince, expectProcessed, settleCase } from './lib.js';

export interface DriftCase {
  type: string;
  template: number;
  drift: Drift;
}

function driftCaseArb(types: readonly string[], make: (type: string) => fc.Arbitrary<Drift>): fc.Arbitrary<DriftCase> {
  return fc
    .constantFrom(...types)
    .chain((type) => fc.record({ type: fc.constant(type), template: fc.nat({ max: TEMPLATES_PER_TYPE - 1 }), drift: make(type) }))
    .map((c) => {
      Object.defineProperty(c, fc.toStringMethod, { value: () => `${c.type}: ${describeDrift(c.drift)}`, enumerable: false });
      return c;
    });
}

/** A signed delivery of `ev` drifted by `drift` (event ids stay those of the fresh event). */
function drifted(ctx: ScenarioContext, ev: EventEnvelope, drift: Drift, label: string) {
  const body = Buffer.from(JSON.stringify(applyDrift(ev, drift)), 'utf8');
  return ctx.sign(body, { label, event: ev });
}

/** Clause 7 as properties: critical drift never produces an effect; additive drift is never rejected. */
export const propertyDrift = defineScenario({
  id: 'property-schema-drift',
  title: 'Property: drifted critical data never produces an effect, additive drift is never rejected, unknown types are acknowledged',
  pack: 'properties',
  clauses: [7],
  controls: ['drifted-critical-data-no-effect', 'additive-fields-tolerated', 'unknown-event-type-acknowledged'],
  sends: 'Validly signed events whose schema drifted, generated from the event catalog: one critical field with an unknown enum value, another JSON type, missing, renamed or null, or an unknown api_version; unknown fields added anywhere; and events of generated unknown types.',
  expects: 'Critical drift: no effect (4xx, or 2xx and set aside), never a 5xx. Additive drift: 2xx and exactly its effects. Unknown type: 2xx and no effect.',
  timeLimitMs: PROPERTY_SCENARIO_LIMIT_MS,
  async run(ctx) {
    const types = ctx.effectEventTypes().filter(isEventType);
    if (types.length === 0) return [ctx.skip('drifted-critical-data-no-effect', 'no subscribed catalog event type has effect rules')];
    const budget = propertyBudget(ctx.budget, 3, { scenarioTimeBudgetMs: 2_400 });
    const out: CheckOutcome[] = [];

    const critical = new EventFactory(ctx, 'drift-critical');
    out.push(...(await checkProperty<DriftCase>(ctx, {
      name: 'critical',
      control: 'drifted-critical-data-no-effect',
      arbitrary: driftCaseArb(types, (t) => criticalDriftArb(t)),
      budget,
      predicate: async (c): Promise<CaseFailure | undefined> => {
        const ev = critical.event(c.type, c.template);
        const d = drifted(ctx, ev, c.drift, `${c.type} with ${describeDrift(c.drift)}`);
        const before = ctx.sandbox.ledger.lastSeq;
        const o = await ctx.deliver(d);
        if (o.status === null || o.status >= 500) return { problem: `got ${describeOutcome(o)}; drift must be failed closed with 4xx or set aside with 2xx`, delivery: d, outcome: o };
        await settleCase(ctx, [], isAccepted(o) ? 60 : 20, 1_000);
        // Any effect attempt in the window counts: a drifted id may leave the call unattributable.
        const attempts = attemptsSince(ctx, before);
        if (attempts.length) return { problem: `answered ${describeOutcome(o)} and caused ${attempts.slice(0, 3).map(describeEntry).join('; ')}`, delivery: d, outcome: o };
        return undefined;
      },
    })));

    const additive = new EventFactory(ctx, 'drift-additive');
    out.push(...(await checkProperty<DriftCase>(ctx, {
      name: 'additive',
      control: 'additive-fields-tolerated',
      arbitrary: driftCaseArb(types, (t) => additiveDriftArb(t)),
      budget,
      predicate: async (c) => {
        const ev = additive.event(c.type, c.template);
        return expectProcessed(ctx, drifted(ctx, ev, c.drift, `${c.type} with ${describeDrift(c.drift)}`), ev, 'additive-fields-tolerated');
      },
    })));

    const unknown = new EventFactory(ctx, 'drift-unknown');
    const subscribed = new Set(ctx.manifest.webhooks.events);
    out.push(...(await checkProperty<{ base: string; type: string }>(ctx, {
      name: 'unknown-type',
      control: 'unknown-event-type-acknowledged',
      arbitrary: fc.record({
        base: fc.constantFrom(...types),
        type: fc.oneof(fc.stringMatching(/^[a-z]{3,10}\.[a-z_]{3,12}$/), fc.constantFrom('payment.teleported', 'refund.reversed', 'payout.paid', 'v2.refund.requested')),
      }).filter((c) => !isEventType(c.type) && !subscribed.has(c.type)),
      budget,
      predicate: async (c): Promise<CaseFailure | undefined> => {
        fc.pre(ctx.connector().exitInfo() === undefined);
        const ev = unknown.event(c.base);
        ev.type = c.type;
        ctx.register(ev);
        const d = ctx.sign(ev, { label: `unknown event type ${JSON.stringify(c.type)}` });
        const before = ctx.sandbox.ledger.lastSeq;
        const o = await ctx.deliver(d);
        const exit = ctx.connector().exitInfo();
        if (exit !== undefined) return { problem: `the connector exited (code=${exit.code} signal=${exit.signal}); answer: ${describeOutcome(o)}`, delivery: d, outcome: o };
        if (!isAccepted(o)) return { problem: `got ${describeOutcome(o)}, expected 2xx (acknowledge and ignore)`, delivery: d, outcome: o };
        await settleCase(ctx, [], 60, 1_000);
        const attempts = attemptsSince(ctx, before);
        if (attempts.length) return { problem: `caused ${attempts.slice(0, 3).map(describeEntry).join('; ')}`, delivery: d, outcome: o };
        return undefined;
      },
    })));
    return out;
  },
});
