import { isAccepted } from '../harness/model/delivery.js';
import type { CheckOutcome } from '../harness/model/control.js';
import { defineScenario } from '../harness/runner/scenario.js';
import type { EventEnvelope } from '../harness/runner/context.js';
import { describeEntry } from '../harness/runner/effects-oracle.js';
import { describeOutcome } from './lib/expect.js';

const VALID_EVENTS = 6;

/** Clause 3 plus the effects oracle: valid events are acknowledged in time and processed exactly as `effects` say. */
export const validEventsProcessed = defineScenario({
  id: 'valid-events-processed',
  parallel: true,
  title: 'Valid events are acknowledged within the SLA and cause exactly their declared effects',
  pack: 'acknowledgement',
  clauses: [3, 4],
  controls: ['valid-event-acknowledged', 'ack-within-sla', 'effects-min-met', 'effects-max-respected'],
  sends: `${VALID_EVENTS} correctly signed, fresh events of every subscribed type that has effects, one after another.`,
  expects: 'Each is answered 2xx within sla.ackMs; after a bounded settle time each has at least effects.min and at most effects.max committed effects.',
  async run(ctx) {
    const types = ctx.effectEventTypes();
    const pool = types.length > 0 ? types : ctx.manifest.webhooks.events;
    const events: EventEnvelope[] = [];
    const outcomes: CheckOutcome[] = [];
    const sent = [];
    for (let i = 0; i < VALID_EVENTS; i++) {
      const ev = ctx.event(pool[i % pool.length]!);
      events.push(ev);
      const d = ctx.sign(ev, { label: `valid ${ev.type}` });
      sent.push({ ev, d, o: await ctx.deliver(d, { valid: true }) });
    }
    const notAcked = sent.filter((s) => !isAccepted(s.o));
    outcomes.push(
      notAcked.length === 0
        ? ctx.pass('valid-event-acknowledged', `${sent.length}/${sent.length} valid events acknowledged`)
        : ctx.fail('valid-event-acknowledged', `${notAcked.length}/${sent.length} valid events not acknowledged; first: ${describeOutcome(notAcked[0]!.o)}`, { delivery: notAcked[0]!.d, outcome: notAcked[0]!.o }),
    );
    const slow = sent.filter((s) => s.o.durationMs > ctx.manifest.sla.ackMs);
    const worst = Math.max(...sent.map((s) => s.o.durationMs));
    outcomes.push(
      slow.length === 0
        ? ctx.pass('ack-within-sla', `all answered within ${ctx.manifest.sla.ackMs} ms (slowest ${Math.round(worst)} ms)`)
        : ctx.fail('ack-within-sla', `${slow.length}/${sent.length} answers slower than sla.ackMs ${ctx.manifest.sla.ackMs} ms (slowest ${Math.round(worst)} ms)`, { delivery: slow[0]!.d, outcome: slow[0]!.o }),
    );
    const accepted = sent.filter((s) => isAccepted(s.o));
    await ctx.settle({ expectEffects: accepted.map((s) => s.ev), quietMs: 150 });
    for (const s of accepted) ctx.deferMaxEffects('effects-max-respected', s.ev, s.d, s.o);
    const withRules = accepted.filter((s) => ctx.rules(s.ev.type).length > 0);
    if (withRules.length === 0) {
      outcomes.push(ctx.skip('effects-min-met', 'no accepted event has effect rules'), ctx.skip('effects-max-respected', 'no accepted event has effect rules'));
      return outcomes;
    }
    const dropped = withRules.flatMap((s) => ctx.ruleChecks(s.ev).filter((c) => !c.minOk).map((c) => ({ s, c })));
    outcomes.push(
      dropped.length === 0
        ? ctx.pass('effects-min-met', `every accepted event met effects.min (${withRules.length} events)`)
        : ctx.fail('effects-min-met', `${dropped.length} required effect(s) missing after settling; first: ${dropped[0]!.s.ev.type} ${dropped[0]!.s.ev.id} needs ${dropped[0]!.c.rule.call} ≥ ${dropped[0]!.c.rule.min}, saw ${dropped[0]!.c.committed}`, { delivery: dropped[0]!.s.d, outcome: dropped[0]!.s.o }),
    );
    const excess = withRules.flatMap((s) => ctx.ruleChecks(s.ev).filter((c) => !c.maxOk).map((c) => ({ s, c })));
    outcomes.push(
      excess.length === 0
        ? ctx.pass('effects-max-respected', 'no accepted event exceeded effects.max')
        : ctx.fail('effects-max-respected', `${excess[0]!.s.ev.type} ${excess[0]!.s.ev.id} caused ${excess[0]!.c.committed} × ${excess[0]!.c.rule.call} (max ${excess[0]!.c.rule.max}): ${ctx.attemptsFor(excess[0]!.s.ev.id).map(describeEntry).join('; ')}`, { delivery: excess[0]!.s.d, outcome: excess[0]!.s.o }),
    );
    return outcomes;
  },
});

/** RW-08: real payloads can be large; a cap below 256 KiB drops valid events. */
export const largeValidEvents = defineScenario({
  id: 'large-valid-events',
  parallel: true,
  title: 'Valid events of 60 KiB and 250 KiB are accepted and processed',
  pack: 'acknowledgement',
  clauses: [3],
  controls: ['large-valid-event-accepted'],
  sends: 'Two correctly signed events padded with an additive `metadata.padding` field to 60 KiB and 250 KiB (RW-08).',
  expects: '2xx for both and their effects.min met; the hub never sends a valid event over 256 KiB, so a connector must accept up to that size.',
  async run(ctx) {
    for (const kib of [60, 250]) {
      const ev = ctx.event();
      const base = Buffer.byteLength(JSON.stringify(ev));
      (ev as Record<string, unknown>).metadata = { padding: 'x'.repeat(Math.max(0, kib * 1024 - base - 40)) };
      const d = ctx.sign(ev, { label: `valid ${ev.type} padded to ${kib} KiB` });
      const o = await ctx.deliver(d, { valid: true });
      if (!isAccepted(o)) return [ctx.fail('large-valid-event-accepted', `${kib} KiB valid event got ${describeOutcome(o)}`, { delivery: d, outcome: o })];
      await ctx.settle({ expectEffects: [ev] });
      const missing = ctx.ruleChecks(ev).filter((c) => !c.minOk);
      if (missing.length > 0) return [ctx.fail('large-valid-event-accepted', `${kib} KiB valid event acknowledged but not processed (${missing[0]!.rule.call} ${missing[0]!.committed}/${missing[0]!.rule.min})`, { delivery: d, outcome: o })];
    }
    return [ctx.pass('large-valid-event-accepted', '60 KiB and 250 KiB valid events accepted and processed')];
  },
});
