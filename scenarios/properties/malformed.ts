import fc from 'fast-check';
import type { CheckOutcome } from '../../harness/model/control.js';
import { isAccepted, isRejected4xx, type Delivery } from '../../harness/model/delivery.js';
import { EVENT_CATALOG, isEventType } from '../../harness/data/event-catalog.js';
import { propertyBudget, PROPERTY_SCENARIO_LIMIT_MS } from '../../harness/properties/budget.js';
import { checkProperty, type CaseFailure } from '../../harness/properties/check-property.js';
import { EventFactory } from '../../harness/properties/event-templates.js';
import { DEFAULT_MALFORMED_CAP_BYTES, malformedCaseArb, type MalformedBase, type MalformedCase } from '../../harness/properties/malformed.js';
import type { ScenarioContext } from '../../harness/runner/context.js';
import { describeEntry } from '../../harness/runner/effects-oracle.js';
import { defineScenario } from '../../harness/runner/scenario.js';
import { describeOutcome, probeValidEvent } from '../lib/expect.js';
import { attemptsSince, settleCase } from './lib.js';

function toDelivery(ctx: ScenarioContext, c: MalformedCase, eventId: string | undefined): Delivery {
  const d: Delivery = c.signed ? ctx.sign(c.body, { label: c.label }) : { deliveryId: ctx.nextId('msg'), body: c.body, headers: {}, label: c.label };
  const headers = Object.fromEntries(Object.entries(d.headers).filter(([k]) => k.toLowerCase() !== 'content-type'));
  if (c.contentType !== undefined) headers['content-type'] = c.contentType;
  return { ...d, headers, ...(eventId ? { eventId } : {}) };
}

/** Clause 6 as a property over generated malformed inputs, then a health and processing probe. */
export const propertyMalformed = defineScenario({
  id: 'property-malformed-inputs',
  title: 'Property: malformed inputs get 4xx (never 5xx), cause no effect, and the connector keeps processing',
  pack: 'properties',
  clauses: [6],
  controls: ['malformed-rejected-4xx', 'malformed-no-effect', 'malformed-stays-healthy'],
  sends: `Generated bodies, unsigned and validly signed: empty and whitespace, JSON cut anywhere, invalid JSON, non-envelope JSON, type confusion in every critical field and its containers, critical fields only under __proto__/constructor.prototype/prototype keys, duplicate keys, invalid UTF-8 inside strings, wrong and missing content types, nesting up to 100,000 levels and bodies up to ${DEFAULT_MALFORMED_CAP_BYTES / 1024 / 1024} MiB; then one valid event.`,
  expects: 'Never a 5xx or a dropped connection (except refusing a huge body early); unsigned or unparseable input 4xx; no effect from any of them; afterwards healthy and the next valid event is processed. Failures shrink to the smallest body (e.g. one nesting level past the limit).',
  timeLimitMs: PROPERTY_SCENARIO_LIMIT_MS,
  async run(ctx) {
    const types = ctx.effectEventTypes().filter(isEventType);
    const factory = new EventFactory(ctx, 'malformed');
    const bases: fc.Arbitrary<MalformedBase> = factory.arbitrary(types.length ? types : [ctx.primaryEventType()]).map((ev) => ({
      event: ev as unknown as Record<string, unknown>,
      type: ev.type,
      critical: isEventType(ev.type) ? EVENT_CATALOG[ev.type].critical : ['/id', '/data/object/id', '/data/object/amount'],
    }));
    // Events a tolerated case got accepted: their effects are legitimate, not this property's concern.
    const tolerated = new Set<string>();
    // Two properties over the same inputs, so a 5xx does not hide an effect (or the reverse):
    // `answers` judges the HTTP answer, `effects` judges the ledger.
    const out: CheckOutcome[] = [];
    for (const mode of ['answers', 'effects'] as const) {
      if (ctx.signal.aborted) break;
      out.push(...(await checkProperty<MalformedCase>(ctx, {
        name: mode,
        control: mode === 'answers' ? 'malformed-rejected-4xx' : 'malformed-no-effect',
        arbitrary: malformedCaseArb({ bases }),
        classify: () => (mode === 'answers' ? 'malformed-rejected-4xx' : 'malformed-no-effect'),
        budget: propertyBudget(ctx.budget, 2, { scenarioTimeBudgetMs: 2_500 }),
        predicate: async (c): Promise<CaseFailure | undefined> => {
          // A dead connector answers nothing; the case that killed it was already reported.
          fc.pre(ctx.connector().exitInfo() === undefined);
          const eventId = /"id":"(evt_[A-Za-z0-9]+)"/.exec(c.body.subarray(0, 200).toString('latin1'))?.[1];
          const before = ctx.sandbox.ledger.lastSeq;
          const d = toDelivery(ctx, c, eventId);
          const o = await ctx.deliver(d);
          const fail = (control: string, problem: string): CaseFailure => ({ control, problem, delivery: d, outcome: o });
          const exit = ctx.connector().exitInfo();
          if (exit !== undefined) return fail('malformed-stays-healthy', `the connector exited (code=${exit.code} signal=${exit.signal}) on this input; answer: ${describeOutcome(o)}`);
          if (mode === 'answers') {
            const refusedEarly = c.family === 'large' && o.status === null && (o.error?.kind === 'connection-reset' || o.error?.kind === 'protocol-error');
            if (refusedEarly) return undefined;
            if (o.status === null || o.status >= 500) return fail('malformed-rejected-4xx', `got ${describeOutcome(o)}, expected 4xx`);
            if (c.expect === 'reject' && !isRejected4xx(o)) return fail('malformed-rejected-4xx', `got ${describeOutcome(o)}, expected 4xx`);
            if (c.expect === 'no-effect' && !isRejected4xx(o) && !isAccepted(o)) return fail('malformed-rejected-4xx', `got ${describeOutcome(o)}, expected 4xx or 2xx`);
            if (c.expect === 'tolerated' && isAccepted(o) && eventId) tolerated.add(eventId);
            return undefined;
          }
          if (c.expect === 'tolerated') {
            if (isAccepted(o) && eventId) tolerated.add(eventId);
            return undefined;
          }
          // Work may run before the answer (any status) or after a 2xx: a short quiet window either way.
          await settleCase(ctx, [], isAccepted(o) ? 60 : 20, 1_000);
          const attempts = attemptsSince(ctx, before).filter((e) => !(e.causedBy && tolerated.has(e.causedBy.eventId)));
          if (attempts.length) return fail('malformed-no-effect', `caused ${attempts.slice(0, 3).map(describeEntry).join('; ')}`);
          return undefined;
        },
      })));
    }
    const alive = ctx.connector().exitInfo() === undefined && (await ctx.connector().checkHealth(2_000));
    if (!alive) {
      const exit = ctx.connector().exitInfo();
      out.push(ctx.fail('malformed-stays-healthy', `connector unhealthy after the malformed inputs${exit ? ` (exited code=${exit.code} signal=${exit.signal})` : ''}`));
      return out;
    }
    const probe = await probeValidEvent(ctx, 'valid event after the generated malformed inputs');
    out.push(probe.ok ? ctx.pass('malformed-stays-healthy', 'still healthy; the next valid event was acknowledged and processed') : ctx.fail('malformed-stays-healthy', probe.why, { delivery: probe.delivery, outcome: probe.outcome }));
    return out;
  },
});
