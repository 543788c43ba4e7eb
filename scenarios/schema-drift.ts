import type { CheckOutcome } from '../harness/model/control.js';
import { isAccepted } from '../harness/model/delivery.js';
import type { EventEnvelope } from '../harness/runner/context.js';
import { describeEntry } from '../harness/runner/effects-oracle.js';
import { defineScenario } from '../harness/runner/scenario.js';
import { describeOutcome, sendAndJudgeNegative, judge, type Case } from './lib/expect.js';

type Drift = { label: string; apply: (ev: EventEnvelope) => void };

/** Critical-field drift (clause 7): the connector must not guess about these. */
const CRITICAL_DRIFTS: Drift[] = [
  { label: 'unknown status enum value', apply: (ev) => { ev.data.object.status = 'teleported'; } },
  { label: 'unknown currency code', apply: (ev) => { ev.data.object.currency = 'XTS'; } },
  { label: 'status changed to a number', apply: (ev) => { ev.data.object.status = 7; } },
  { label: 'amount missing', apply: (ev) => { delete ev.data.object.amount; } },
  { label: 'amount renamed to amount_minor', apply: (ev) => { ev.data.object.amount_minor = ev.data.object.amount; delete ev.data.object.amount; } },
  { label: 'amount null', apply: (ev) => { ev.data.object.amount = null; } },
  { label: 'currency missing', apply: (ev) => { delete ev.data.object.currency; } },
  { label: 'data.object.id missing', apply: (ev) => { delete (ev.data.object as Record<string, unknown>).id; } },
  { label: 'unknown api_version 2099-01-01', apply: (ev) => { ev.api_version = '2099-01-01'; } },
];

export const schemaDrift = defineScenario({
  id: 'schema-drift',
  parallel: true,
  title: 'Additive drift is tolerated; unknown types are acknowledged; critical drift fails closed',
  pack: 'schema-drift',
  clauses: [7],
  controls: ['unknown-event-type-acknowledged', 'additive-fields-tolerated', 'drifted-critical-data-no-effect'],
  sends: 'Validly signed events: an unknown event type (RW-07); a known event with unknown additive fields at every level; and known events whose critical fields drifted (unknown enum values, type changes, missing or renamed fields, nulls, unknown api_version).',
  expects: 'Unknown type: 2xx, no effect, no crash. Additive: 2xx and its effects. Critical drift: no effect (4xx, or 2xx and set aside).',
  async run(ctx) {
    const out: CheckOutcome[] = [];

    // Unknown event type.
    const unknown = ctx.event();
    unknown.type = 'payment.teleported';
    ctx.register(unknown);
    const du = ctx.sign(unknown, { label: 'unknown event type payment.teleported' });
    const ou = await ctx.deliver(du);
    await ctx.settle({ quietMs: 150 });
    ctx.deferNoEffect('unknown-event-type-acknowledged', unknown, du, ou);
    const uAttempts = ctx.attemptsFor(unknown.id);
    const alive = await ctx.connector().checkHealth(2_000);
    if (!isAccepted(ou) || uAttempts.length > 0 || !alive) {
      const why = !isAccepted(ou) ? `answered ${describeOutcome(ou)}` : uAttempts.length > 0 ? `caused ${uAttempts.map(describeEntry).join('; ')}` : 'connector unhealthy afterwards';
      out.push(ctx.fail('unknown-event-type-acknowledged', `unknown event type: ${why}`, { delivery: du, outcome: ou }));
    } else out.push(ctx.pass('unknown-event-type-acknowledged', 'unknown event type acknowledged and ignored'));

    // Additive drift.
    const additive = ctx.event();
    (additive as Record<string, unknown>).livemode = false;
    (additive as Record<string, unknown>).request = { id: null, idempotency_key: null };
    (additive.data as Record<string, unknown>).previous_attributes = {};
    additive.data.object.x_new_field = { nested: [1, 2, 3], flag: true };
    const da = ctx.sign(additive, { label: 'known event with unknown additive fields' });
    const oa = await ctx.deliver(da, { valid: true });
    await ctx.settle({ expectEffects: [additive] });
    const missing = ctx.ruleChecks(additive).filter((c) => !c.minOk);
    if (!isAccepted(oa)) out.push(ctx.fail('additive-fields-tolerated', `additive fields rejected: ${describeOutcome(oa)}`, { delivery: da, outcome: oa }));
    else if (missing.length > 0) out.push(ctx.fail('additive-fields-tolerated', `additive fields acknowledged but not processed (${missing[0]!.rule.call} ${missing[0]!.committed}/${missing[0]!.rule.min})`, { delivery: da, outcome: oa }));
    else out.push(ctx.pass('additive-fields-tolerated', 'event with additive fields accepted and processed'));

    // Critical drift.
    const cases: Case[] = CRITICAL_DRIFTS.map((drift) => {
      const ev = ctx.event();
      drift.apply(ev);
      return { delivery: ctx.sign(ev, { label: drift.label, event: ev }), event: ev, expect: 'no-effect' };
    });
    out.push(judge(ctx, 'drifted-critical-data-no-effect', await sendAndJudgeNegative(ctx, 'drifted-critical-data-no-effect', cases), 'critical-drift'));
    return out;
  },
});
