import fc from 'fast-check';
import type { CheckOutcome } from '../../harness/model/control.js';
import { propertyBudget, PROPERTY_SCENARIO_LIMIT_MS } from '../../harness/properties/budget.js';
import { checkProperty, type CaseFailure, type PropertySpec } from '../../harness/properties/check-property.js';
import { EventFactory } from '../../harness/properties/event-templates.js';
import { liveNowSec } from '../../harness/properties/live-clock.js';
import type { EventEnvelope, ScenarioContext } from '../../harness/runner/context.js';
import { defineScenario } from '../../harness/runner/scenario.js';
import { bodyMutationArb, equivalentBytesArb, invalidSignatureArb, timestampArb, validDeliveryArb, type DeliveryCase } from '../../harness/webhooks/arbitraries.js';
import { schemeSpec } from '../../harness/webhooks/sign.js';
import { writeJson } from '../../harness/webhooks/json-writer.js';
import { attemptsSince, eventIdOf, expectProcessed, expectRejected, FINAL_QUIET_MS } from './lib.js';
import { isAccepted } from '../../harness/model/delivery.js';
import { describeOutcome } from '../lib/expect.js';
import { describeEntry } from '../../harness/runner/effects-oracle.js';

/** Control a rejected signature case belongs to, by its generator family. */
const REJECT_CONTROL: Record<string, string> = {
  missing: 'signature-missing-rejected',
  empty: 'signature-missing-rejected',
  'empty-secret': 'signature-empty-key-rejected',
  'wrong-tag': 'signature-wrong-version-rejected',
  stale: 'signature-stale-rejected',
  'non-numeric': 'signature-timestamp-strict',
};

/** Control of one case: futures (and millisecond timestamps, which read as far future) are the low-severity finding. */
export function signatureControl(c: DeliveryCase): string {
  if (c.kind === 'reserialized') return 'raw-body-verified';
  if (c.expect === 'accept') return c.kind === 'several' ? 'signature-rotation-accepted' : c.kind === 'equivalent-bytes' ? 'equivalent-bytes-accepted' : 'valid-event-acknowledged';
  if (c.futureTimestamp) return 'signature-future-rejected';
  return REJECT_CONTROL[c.kind] ?? 'signature-forged-rejected';
}

/** Properties of clauses 1–2 for this manifest's scheme. */
function signatureProperties(ctx: ScenarioContext): Array<PropertySpec<DeliveryCase>> {
  const scheme = ctx.manifest.webhooks.scheme;
  const secret = ctx.sandbox.secrets.webhookSecret;
  const now = liveNowSec(() => ctx.now());
  const types = ctx.effectEventTypes().length ? ctx.effectEventTypes() : [ctx.primaryEventType()];
  const spec = schemeSpec(scheme);
  const specs: Array<Omit<PropertySpec<DeliveryCase>, 'budget'>> = [];
  // Event ids the connector accepted at least once, and those only ever sent in cases that must be rejected.
  // fast-check keeps unchanged parts of a value while shrinking, so a shrunk case can carry an
  // event an earlier case already delivered: its effects, and a careful connector's
  // de-duplication, belong to that earlier case, so such a case is judged on its answer alone.
  const accepted = new Set<string>();
  const rejectedOnly = new Set<string>();
  // One factory per name: two factories of one name would issue the same ids.
  const factories = new Map<string, EventFactory>();
  const factory = (name: string) => factories.get(name) ?? factories.set(name, new EventFactory(ctx, name)).get(name)!;
  const events = (name: string) => factory(name).arbitrary(types);

  const judge = async (c: DeliveryCase): Promise<CaseFailure | undefined> => {
    const control = signatureControl(c);
    const eventId = (c.event as EventEnvelope | undefined)?.id ?? eventIdOf(c.delivery.body);
    const seen = eventId !== undefined && accepted.has(eventId);
    if (c.expect === 'accept') {
      const ev = c.event as EventEnvelope;
      if (seen) {
        const o = await ctx.deliver(c.delivery, { valid: true });
        if (isAccepted(o) || o.status === 409) return undefined;
        return { problem: `was not accepted: ${describeOutcome(o)}`, control, delivery: c.delivery, outcome: o };
      }
      accepted.add(ev.id);
      rejectedOnly.delete(ev.id);
      return expectProcessed(ctx, c.delivery, ev, control);
    }
    const verdict = await expectRejected(ctx, c.delivery, { control, statusOnly: seen, ...(eventId ? { eventId } : {}) });
    if (eventId && !seen) {
      if (verdict && /accepted/.test(verdict.problem)) accepted.add(eventId);
      else rejectedOnly.add(eventId);
    }
    return verdict;
  };
  const afterAll = async (sinceSeq: number, rejectOnly: boolean): Promise<CaseFailure | undefined> => {
    await ctx.settle({ quietMs: FINAL_QUIET_MS, maxMs: 3_000 });
    for (const id of rejectedOnly) {
      const late = ctx.attemptsFor(id);
      if (late.length) return { problem: `a rejected delivery of event ${id} later caused ${late.slice(0, 3).map(describeEntry).join('; ')}`, label: `late effect of rejected event ${id}` };
    }
    if (rejectOnly) {
      const any = attemptsSince(ctx, sinceSeq).filter((e) => !(e.causedBy && accepted.has(e.causedBy.eventId)));
      if (any.length) return { problem: `effects appeared while only invalid deliveries were sent: ${any.slice(0, 3).map(describeEntry).join('; ')}`, label: 'effect during a reject-only property' };
    }
    return undefined;
  };
  const withFinal = (s: Omit<PropertySpec<DeliveryCase>, 'budget' | 'afterAll'>, rejectOnly: boolean): Omit<PropertySpec<DeliveryCase>, 'budget'> => {
    let since = -1;
    return {
      ...s,
      predicate: async (c) => {
        if (since < 0) since = ctx.sandbox.ledger.lastSeq;
        return s.predicate(c);
      },
      afterAll: () => afterAll(Math.max(0, since), rejectOnly),
    };
  };

  specs.push(withFinal({
    name: 'forged',
    control: 'signature-forged-rejected',
    arbitrary: fc.oneof(invalidSignatureArb(scheme, secret, events('forged'), now).filter((c) => c.expect === 'reject'), bodyMutationArb(scheme, secret, events('forged'), now)),
    predicate: judge,
    classify: signatureControl,
  }, true));
  specs.push(withFinal({
    name: 'valid',
    control: 'valid-event-acknowledged',
    arbitrary: spec.multiSignature
      ? fc.oneof(validDeliveryArb(scheme, secret, events('valid'), now), invalidSignatureArb(scheme, secret, events('valid'), now).filter((c) => c.expect === 'accept'))
      : validDeliveryArb(scheme, secret, events('valid'), now),
    predicate: judge,
    classify: signatureControl,
  }, false));
  specs.push(withFinal({
    name: 'equivalent-bytes',
    control: 'equivalent-bytes-accepted',
    arbitrary: equivalentBytesArb(scheme, secret, events('equivalent'), now),
    predicate: judge,
    classify: signatureControl,
  }, false));
  // A signature over the minified bytes, sent with another spelling of the same JSON: only a
  // connector that re-serialises before verifying accepts it (RW-01). Key order is kept unless
  // the case asks otherwise, so a re-serialising verifier really sees its own bytes again.
  const respelled = fc.record({
    indent: fc.constantFrom('', '  ', '\t', ' '),
    colon: fc.constantFrom(':', ': ', ' : '),
    escapeSlash: fc.boolean(),
    integerForm: fc.constantFrom<'plain' | 'decimal' | 'exponent'>('plain', 'decimal', 'exponent'),
    trailing: fc.constantFrom('', '\n', ' '),
    reversedKeys: fc.boolean(),
  });
  const rawBodyEvents = factory('raw-body');
  specs.push(withFinal({
    name: 'raw-body',
    control: 'raw-body-verified',
    arbitrary: fc
      .tuple(rawBodyEvents.arbitrary(types), respelled)
      .map(([ev, st]): DeliveryCase => {
        const minified = Buffer.from(JSON.stringify(ev), 'utf8');
        const body = Buffer.from(writeJson(ev, { indent: st.indent, colon: st.colon, escapeSlash: st.escapeSlash, integerForm: st.integerForm, trailing: st.trailing, ...(st.reversedKeys ? { keyOrder: (k: string[]) => [...k].reverse() } : {}) }), 'utf8');
        const knobs = [st.indent ? `indent ${JSON.stringify(st.indent)}` : 'one line', st.colon !== ':' ? `colon ${JSON.stringify(st.colon)}` : '', st.escapeSlash ? '\\/' : '', st.integerForm !== 'plain' ? `integers as ${st.integerForm}` : '', st.trailing ? 'trailing whitespace' : '', st.reversedKeys ? 'keys reversed' : ''].filter(Boolean);
        const label = `re-spelled body (${knobs.join(', ')}) under the signature of its minified bytes`;
        const signed = ctx.sign(minified, { label, event: ev });
        const out: DeliveryCase = { kind: 'reserialized', label, expect: 'reject', delivery: { ...signed, body }, event: ev };
        Object.defineProperty(out, fc.toStringMethod, { value: () => `reserialized: ${label}`, enumerable: false });
        return out;
      })
      .filter((c) => !c.delivery.body.equals(Buffer.from(JSON.stringify(c.event), 'utf8'))),
    predicate: judge,
    classify: () => 'raw-body-verified',
  }, true));
  if (spec.hasTimestamp) {
    specs.push(withFinal({
      name: 'timestamps',
      control: 'signature-stale-rejected',
      arbitrary: timestampArb(scheme, secret, events('timestamps'), now).filter((c) => !c.futureTimestamp),
      predicate: judge,
      classify: signatureControl,
    }, false));
    specs.push(withFinal({
      name: 'future-timestamps',
      control: 'signature-future-rejected',
      arbitrary: timestampArb(scheme, secret, events('future'), now).filter((c) => c.futureTimestamp === true),
      predicate: judge,
      classify: signatureControl,
    }, true));
  }
  return specs.map((s) => ({ ...s, budget: propertyBudget(ctx.budget, specs.length, { scenarioTimeBudgetMs: 3_000 }) }));
}

/** Clauses 1–2 as properties: valid and fresh is accepted, everything else rejected without effect. */
export const propertySignatures = defineScenario({
  id: 'property-signatures',
  title: 'Property: the connector accepts exactly the deliveries whose signature over the raw bytes is valid and fresh',
  pack: 'properties',
  clauses: [1, 2],
  controls: [
    'signature-forged-rejected',
    'signature-missing-rejected',
    'signature-empty-key-rejected',
    'signature-wrong-version-rejected',
    'signature-stale-rejected',
    'signature-future-rejected',
    'signature-timestamp-strict',
    'signature-rotation-accepted',
    'valid-event-acknowledged',
    'equivalent-bytes-accepted',
    'raw-body-verified',
  ],
  sends: 'Generated deliveries of the manifest scheme: header forgeries (missing, empty, truncated, other or empty key, wrong version tag, spaces, case flips, several signatures in any order), body bytes changed after signing, timestamps around and far outside the tolerance window, in milliseconds or with junk, equivalent-but-different JSON spellings, and other spellings under the signature of the minified bytes.',
  expects: 'Exactly the validly signed, fresh deliveries get 2xx and their effects; every other case gets 4xx and causes no effect. Failures are shrunk to the smallest case (e.g. one flipped byte).',
  timeLimitMs: PROPERTY_SCENARIO_LIMIT_MS,
  async run(ctx) {
    const out: CheckOutcome[] = [];
    for (const spec of signatureProperties(ctx)) {
      if (ctx.signal.aborted) break;
      out.push(...(await checkProperty(ctx, spec)));
    }
    return out;
  },
});
