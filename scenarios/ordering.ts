import { isAccepted } from '../harness/model/delivery.js';
import { describeEntry } from '../harness/runner/effects-oracle.js';
import { defineScenario } from '../harness/runner/scenario.js';
import { describeOutcome } from './lib/expect.js';

/** Clause 5: `cancelledBy` — a cancelling event accepted first forbids the effect. */
export const cancelledBeforeRequested = defineScenario({
  id: 'ordering-cancel-before-request',
  parallel: true,
  title: 'A cancelling event delivered before the event it cancels prevents the effect',
  pack: 'ordering',
  clauses: [5],
  controls: ['cancelled-object-no-effect'],
  sends: 'For each effect rule with cancelledBy: the cancelling event (e.g. refund.canceled) for an object, then the cancelled event (e.g. refund.requested) for the same data.object.id, both validly signed.',
  expects: 'Both acknowledged; no effect of the cancelled rule for that object, however long we wait (bounded settle).',
  applies: (m) => (Object.values(m.effects).some((rs) => rs.some((r) => r.cancelledBy.length > 0)) ? true : 'no effect rule declares cancelledBy'),
  async run(ctx) {
    const types = ctx.effectEventTypes({ withCancel: true });
    const subscribed = new Set(ctx.manifest.webhooks.events);
    for (const type of types) {
      for (const rule of ctx.rules(type).filter((r) => r.cancelledBy.length > 0)) {
        for (const cancelType of rule.cancelledBy) {
          const target = ctx.event(type);
          const cancel = ctx.event(cancelType);
          const status = (cancel.data.object as Record<string, unknown>).status;
          cancel.data.object = { ...target.data.object, status };
          ctx.register(cancel);
          ctx.register(target); // the later event owns the object ids for attribution
          const dc = ctx.sign(cancel, { label: `${cancelType} for ${target.data.object.id}` });
          const oc = await ctx.deliver(dc, { valid: true });
          if (!isAccepted(oc)) {
            if (!subscribed.has(cancelType)) continue;
            return [ctx.fail('cancelled-object-no-effect', `cancelling event ${cancelType} was not acknowledged (${describeOutcome(oc)})`, { delivery: dc, outcome: oc })];
          }
          await ctx.settle({ quietMs: 120 });
          const dt = ctx.sign(target, { label: `${type} for ${target.data.object.id} after its ${cancelType}` });
          const ot = await ctx.deliver(dt, { valid: true });
          await ctx.settle({ quietMs: 150 });
          ctx.deferNoEffect('cancelled-object-no-effect', target, dt, ot);
          const forbidden = ctx.attemptsFor(target.id).filter((e) => e.target === rule.target && e.method === rule.method);
          if (forbidden.length > 0) {
            return [ctx.fail('cancelled-object-no-effect', `${type} after ${cancelType} for the same object still caused ${forbidden.map(describeEntry).join('; ')}`, { delivery: dt, outcome: ot, details: { cancelDelivery: dc.label } })];
          }
        }
      }
    }
    return [ctx.pass('cancelled-object-no-effect', 'no effect followed a cancelling event for the same object')];
  },
});
