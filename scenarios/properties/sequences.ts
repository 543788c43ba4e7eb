import fc from 'fast-check';
import type { CheckOutcome } from '../../harness/model/control.js';
import { isAccepted, type Delivery, type DeliveryOutcome } from '../../harness/model/delivery.js';
import type { EffectRule } from '../../harness/manifest/types.js';
import { propertyBudget, PROPERTY_SCENARIO_LIMIT_MS } from '../../harness/properties/budget.js';
import { checkProperty, type CaseFailure } from '../../harness/properties/check-property.js';
import { EventFactory, TEMPLATES_PER_TYPE } from '../../harness/properties/event-templates.js';
import { sleep, type EventEnvelope, type ScenarioContext } from '../../harness/runner/context.js';
import { committedFor, describeEntry } from '../../harness/runner/effects-oracle.js';
import { defineScenario } from '../../harness/runner/scenario.js';
import { describeOutcome } from '../lib/expect.js';
import { FINAL_QUIET_MS, settleCase } from './lib.js';

/** One step of a delivery sequence. `slot` picks one of the case's events. */
export type SequenceCommand =
  | { kind: 'deliver'; slot: number }
  | { kind: 'redeliver'; slot: number }
  | { kind: 'new-id'; slot: number }
  | { kind: 'concurrent'; slot: number; copies: number; newIds: boolean }
  | { kind: 'delay'; ms: number }
  | { kind: 'cancel'; slot: number }
  | { kind: 'in-flight'; slot: number };

export interface SequenceCase {
  /** Event type and template of each slot. */
  slots: Array<{ type: string; template: number }>;
  commands: SequenceCommand[];
  scheduler: fc.Scheduler;
}

/** How long the hub holds the connector's own call while the harness sends the event it causes. */
const IN_FLIGHT_HOLD_MS = 400;
/** When, after the event, the hub-caused delivery is sent (the connector's call is then usually held). */
const IN_FLIGHT_AFTER_MS = 120;

export function describeCommand(c: SequenceCommand, slots: SequenceCase['slots']): string {
  const ev = (slot: number) => `${slots[slot % slots.length]!.type}[${slot % slots.length}]`;
  switch (c.kind) {
    case 'deliver':
      return `deliver ${ev(c.slot)}`;
    case 'redeliver':
      return `redeliver ${ev(c.slot)} (same bytes, same delivery id)`;
    case 'new-id':
      return `redeliver ${ev(c.slot)} under a new delivery id`;
    case 'concurrent':
      return `${c.copies} concurrent copies of ${ev(c.slot)}${c.newIds ? ' (new delivery ids)' : ''}`;
    case 'delay':
      return `wait ${c.ms} ms`;
    case 'cancel':
      return `deliver the cancelling event for ${ev(c.slot)}'s object`;
    case 'in-flight':
      return `deliver ${ev(c.slot)}, and while the connector's own hub call for it is held, the same event under a new delivery id`;
  }
}

export type CommandKind = SequenceCommand['kind'];

/** Every command kind, with its weight in generation. */
const COMMAND_WEIGHTS: Record<CommandKind, number> = { deliver: 3, redeliver: 2, 'new-id': 2, concurrent: 2, delay: 1, cancel: 2, 'in-flight': 1 };

/**
 * Sequences over one or two event slots using only `kinds`; `require` forces at least one
 * command of that kind (e.g. a cancellation for the ordering property).
 */
export function sequenceCaseArb(types: readonly string[], kinds: readonly CommandKind[], opts: { maxCommands?: number; require?: CommandKind } = {}): fc.Arbitrary<SequenceCase> {
  const slot = fc.nat({ max: 1 });
  const byKind: Record<CommandKind, fc.Arbitrary<SequenceCommand>> = {
    deliver: slot.map((s) => ({ kind: 'deliver' as const, slot: s })),
    redeliver: slot.map((s) => ({ kind: 'redeliver' as const, slot: s })),
    'new-id': slot.map((s) => ({ kind: 'new-id' as const, slot: s })),
    concurrent: fc.record({ kind: fc.constant('concurrent' as const), slot, copies: fc.integer({ min: 2, max: 4 }), newIds: fc.boolean() }),
    delay: fc.integer({ min: 0, max: 120 }).map((ms) => ({ kind: 'delay' as const, ms })),
    cancel: slot.map((s) => ({ kind: 'cancel' as const, slot: s })),
    'in-flight': slot.map((s) => ({ kind: 'in-flight' as const, slot: s })),
  };
  const command = fc.oneof({ withCrossShrink: true }, ...kinds.map((k) => ({ arbitrary: byKind[k], weight: COMMAND_WEIGHTS[k] })));
  const commands = opts.require
    ? fc.tuple(byKind[opts.require], fc.array(command, { maxLength: (opts.maxCommands ?? 6) - 1 }), fc.nat()).map(([req, rest, at]) => {
        const out = [...rest];
        out.splice(at % (rest.length + 1), 0, req);
        return out;
      })
    : fc.array(command, { minLength: 1, maxLength: opts.maxCommands ?? 6 });
  return fc.record({
    slots: fc.array(fc.record({ type: fc.constantFrom(...types), template: fc.nat({ max: TEMPLATES_PER_TYPE - 1 }) }), { minLength: 1, maxLength: 2 }),
    commands,
    scheduler: fc.scheduler(),
  }).map((c) => {
    Object.defineProperty(c, fc.toStringMethod, {
      value: () => `${c.commands.map((x) => describeCommand(x, c.slots)).join(' → ')} [interleaving: ${String(c.scheduler)}]`,
      enumerable: false,
    });
    return c;
  });
}

interface SlotState {
  event: EventEnvelope;
  /** The first delivery, kept byte for byte for `redeliver`. */
  first?: Delivery;
  last?: { d: Delivery; o: DeliveryOutcome };
  /** When the event was first sent (ms), and whether any delivery of it was accepted. */
  firstSentAt?: number;
  accepted: boolean;
  /** When a cancelling event for the object was acknowledged. */
  cancelAckedAt?: number;
  cancelSent: boolean;
  history: Set<SequenceCommand['kind']>;
  inFlightConfirmed?: boolean;
}

/** Control a too-many-effects failure belongs to, from what was done to the event. */
function excessControl(h: Set<SequenceCommand['kind']>): string {
  if (h.has('redeliver')) return 'duplicate-delivery-single-effect';
  if (h.has('new-id') || h.has('in-flight')) return 'redelivery-new-id-single-effect';
  if (h.has('concurrent')) return 'concurrent-duplicate-single-effect';
  return 'effects-max-respected';
}

function cancelTypeFor(ctx: ScenarioContext, type: string): string | undefined {
  const subscribed = new Set(ctx.manifest.webhooks.events);
  return ctx.rules(type).flatMap((r) => r.cancelledBy).find((t) => subscribed.has(t));
}

/** Runs one sequence against the connector and judges the ledger against the manifest's effects. */
async function runSequence(ctx: ScenarioContext, factory: EventFactory, c: SequenceCase, all: EventEnvelope[]): Promise<CaseFailure | undefined> {
  const slots: SlotState[] = c.slots.map((s) => ({ event: factory.event(s.type, s.template), accepted: false, cancelSent: false, history: new Set() }));
  for (const s of slots) all.push(s.event);
  const steps = c.commands.map((x) => describeCommand(x, c.slots));
  const label = steps.join(' → ');
  let serverError: { d: Delivery; o: DeliveryOutcome } | undefined;

  const send = async (s: SlotState, d: Delivery): Promise<DeliveryOutcome> => {
    s.firstSentAt ??= ctx.now();
    const o = await ctx.deliver(d, { valid: true });
    if (isAccepted(o)) s.accepted = true;
    if (o.status === null || o.status >= 500) serverError ??= { d, o };
    s.last = { d, o };
    return o;
  };
  const fresh = (s: SlotState, what: string) => ctx.sign(s.event, { label: `${s.event.type} ${what}` });
  const firstOf = (s: SlotState) => (s.first ??= fresh(s, 'delivery'));

  for (const cmd of c.commands) {
    if (ctx.signal.aborted) return undefined;
    if (cmd.kind === 'delay') {
      await sleep(cmd.ms);
      continue;
    }
    const s = slots[cmd.slot % slots.length]!;
    s.history.add(cmd.kind);
    switch (cmd.kind) {
      case 'deliver':
        // A second plain delivery of the same event is a hub redelivery under a new id.
        if (s.first) s.history.add('new-id');
        await send(s, s.first ? fresh(s, 'delivered again') : firstOf(s));
        break;
      case 'redeliver':
        await send(s, firstOf(s));
        break;
      case 'new-id':
        await send(s, fresh(s, 'under a new delivery id'));
        break;
      case 'concurrent': {
        const copies = Array.from({ length: cmd.copies }, (_, i) => (cmd.newIds && i > 0 ? fresh(s, `concurrent copy ${i} under a new delivery id`) : firstOf(s)));
        // fast-check's scheduler decides the order in which the copies start; shrinking keeps the order that fails.
        const started = copies.map((d, i) => c.scheduler.schedule(Promise.resolve(i), `copy ${i}`).then(() => send(s, d)));
        await c.scheduler.waitAll();
        await Promise.all(started);
        break;
      }
      case 'cancel': {
        const cancelType = cancelTypeFor(ctx, s.event.type);
        if (!cancelType) break;
        s.cancelSent = true;
        const status = ctx.rules(cancelType).length === 0 ? cancelStatus(cancelType) : undefined;
        const cancel = factory.related(s.event, cancelType, status);
        const o = await ctx.deliver(ctx.sign(cancel, { label: `${cancelType} for ${s.event.data.object.id}` }), { valid: true });
        if (isAccepted(o)) s.cancelAckedAt ??= ctx.now();
        else if (o.status === null || o.status >= 500) serverError ??= { d: ctx.sign(cancel, { label: `${cancelType}` }), o };
        break;
      }
      case 'in-flight': {
        const rule = ctx.rules(s.event.type).find((r) => r.target === 'hub');
        if (rule) ctx.sandbox.hub.injectFault({ route: `${rule.method} ${rule.path}`, fault: { kind: 'delay', ms: IN_FLIGHT_HOLD_MS }, times: 1 });
        const original = send(s, firstOf(s));
        await sleep(IN_FLIGHT_AFTER_MS);
        const injectedAt = ctx.now();
        const copy = send(s, fresh(s, 'sent by the hub while the connector\'s own call was held'));
        await Promise.all([original, copy]);
        if (rule) {
          await settleCase(ctx, [], 30, IN_FLIGHT_HOLD_MS + 1_000);
          const held = ctx.attemptsFor(s.event.id).find((e) => e.fault === `delay:${IN_FLIGHT_HOLD_MS}ms`);
          s.inFlightConfirmed = held !== undefined && held.at - IN_FLIGHT_HOLD_MS <= injectedAt && injectedAt <= held.at;
          ctx.sandbox.hub.clearFaults();
        }
        break;
      }
    }
  }
  const expected = slots.filter((s) => s.accepted && !s.cancelSent).map((s) => s.event);
  await settleCase(ctx, expected, 60);

  const fail = (s: SlotState | undefined, problem: string, control: string): CaseFailure => ({
    problem,
    control,
    label,
    ...(s?.last ? { delivery: s.last.d, outcome: s.last.o } : {}),
    details: { steps, inFlightConfirmed: slots.map((x) => x.inFlightConfirmed ?? null) },
  });
  if (serverError) return { ...fail(undefined, `a valid delivery got ${describeOutcome(serverError.o)}`, 'valid-event-acknowledged'), delivery: serverError.d, outcome: serverError.o };
  for (const s of slots) {
    const entries = ctx.attemptsFor(s.event.id);
    for (const rule of ctx.rules(s.event.type)) {
      const committed = committedFor(entries, rule);
      const cancelledFirst = s.cancelAckedAt !== undefined && s.firstSentAt !== undefined && s.cancelAckedAt <= s.firstSentAt && rule.cancelledBy.length > 0;
      if (cancelledFirst && committed.length > 0) {
        return fail(s, `${rule.call} happened for ${s.event.data.object.id} although its cancelling event was acknowledged first: ${committed.slice(0, 3).map(describeEntry).join('; ')}`, 'cancelled-object-no-effect');
      }
      if (rule.max !== undefined && committed.length > rule.max) {
        return fail(s, `${committed.length} × ${rule.call} for one event (max ${rule.max}): ${committed.slice(0, 4).map(describeEntry).join('; ')}`, excessControl(s.history));
      }
      if (s.accepted && !s.cancelSent && committed.length < (rule.min ?? 0)) {
        return fail(s, `accepted but ${rule.call} happened ${committed.length}/${rule.min} times`, 'effects-min-met');
      }
    }
  }
  return undefined;
}

function cancelStatus(type: string): string | undefined {
  return type.endsWith('.canceled') ? 'canceled' : undefined;
}

function maxRuleTypes(ctx: ScenarioContext): string[] {
  return ctx.effectEventTypes().filter((t) => ctx.rules(t).some((r: EffectRule) => r.max !== undefined));
}

/** Clauses 4–5 as a model-based property over delivery sequences. */
export const propertySequences = defineScenario({
  id: 'property-delivery-sequences',
  title: 'Property: any sequence of deliveries, redeliveries, concurrent copies, delays and cancellations causes exactly the effects the manifest allows',
  pack: 'properties',
  clauses: [4, 5],
  controls: ['duplicate-delivery-single-effect', 'concurrent-duplicate-single-effect', 'redelivery-new-id-single-effect', 'cancelled-object-no-effect', 'effects-max-respected', 'effects-min-met', 'valid-event-acknowledged'],
  sends: 'Generated sequences over one or two fresh events: deliver, redeliver the same bytes, the same event under a new delivery id, 2–4 concurrent copies started in an order chosen by fast-check\'s scheduler, delays, the cancelling event (refund.canceled) before or after, and the event re-sent by the hub while the connector\'s own hub call for it is held.',
  expects: 'Per event: at most effects.max of each rule; none after its cancelling event was acknowledged first; effects.min once accepted and not cancelled; never a 5xx. A failure shrinks to the shortest sequence (e.g. one duplicate pair).',
  applies: (m) => (Object.values(m.effects).some((rs) => rs.some((r) => r.max !== undefined)) ? true : 'no effect rule with `max`'),
  timeLimitMs: PROPERTY_SCENARIO_LIMIT_MS,
  async run(ctx) {
    const types = maxRuleTypes(ctx);
    if (types.length === 0) return [ctx.skip('effects-max-respected', 'no subscribed event type with an effects.max rule')];
    const cancellable = types.filter((t) => cancelTypeFor(ctx, t) !== undefined);
    // One property per family, so one flaw does not hide another: each shrinks to its own smallest sequence.
    const families: Array<{ name: string; control: string; types: string[]; kinds: CommandKind[]; require?: CommandKind }> = [
      { name: 'duplicates', control: 'duplicate-delivery-single-effect', types, kinds: ['deliver', 'redeliver', 'new-id', 'delay', 'in-flight'] },
      { name: 'concurrent', control: 'concurrent-duplicate-single-effect', types, kinds: ['concurrent', 'deliver', 'delay'], require: 'concurrent' },
      ...(cancellable.length ? [{ name: 'ordering', control: 'cancelled-object-no-effect', types: cancellable, kinds: ['cancel', 'deliver', 'new-id', 'delay'] as CommandKind[], require: 'cancel' as CommandKind }] : []),
    ];
    const all: EventEnvelope[] = [];
    const out: CheckOutcome[] = [];
    for (const f of families) {
      if (ctx.signal.aborted) break;
      const factory = new EventFactory(ctx, f.name);
      out.push(...(await checkProperty<SequenceCase>(ctx, {
        name: f.name,
        control: f.control,
        arbitrary: sequenceCaseArb(f.types, f.kinds, f.require ? { require: f.require } : {}),
        predicate: (c) => runSequence(ctx, factory, c, all),
        classify: (c) => (c.commands.some((x) => x.kind === 'cancel') ? 'cancelled-object-no-effect' : excessControl(new Set(c.commands.map((x) => x.kind)))),
        budget: propertyBudget(ctx.budget, families.length, { runs: 20, scenarioTimeBudgetMs: 3_500 }),
        afterAll: async () => {
          await ctx.settle({ quietMs: FINAL_QUIET_MS, maxMs: 3_000 });
          for (const ev of all) {
            for (const chk of ctx.ruleChecks(ev)) {
              if (!chk.maxOk) return { problem: `${chk.committed} × ${chk.rule.call} for ${ev.id} (max ${chk.rule.max}) after the sequences settled`, control: 'effects-max-respected', label: `late extra effect of ${ev.id}` };
            }
          }
          return undefined;
        },
      })));
    }
    return out;
  },
});
