import type { CheckOutcome } from '../harness/model/control.js';
import { isAccepted, isRejected4xx } from '../harness/model/delivery.js';
import type { EventEnvelope, ScenarioContext } from '../harness/runner/context.js';
import { describeEntry } from '../harness/runner/effects-oracle.js';
import { defineScenario } from '../harness/runner/scenario.js';
import { generateRunSecrets } from '../harness/sandbox/secrets.js';
import { equivalentBodies, reserializedForgery } from '../harness/webhooks/equivalent-bytes.js';
import { applyMutation, mutationById, type Mutation } from '../harness/webhooks/mutations.js';
import { describeOutcome, judge, rawDelivery, sendAndJudgeNegative, type Case } from './lib/expect.js';

/** Which control each signature mutation exercises. Order within a group: simplest first. */
const MUTATION_CONTROLS: Record<string, string[]> = {
  'signature-missing-rejected': ['sig-missing', 'sig-empty-header'],
  'signature-empty-key-rejected': ['sig-empty-value', 'stripe-timestamp-only', 'sig-empty-secret'],
  'signature-forged-rejected': ['body-flipped-byte', 'body-appended', 'sig-other-secret', 'sig-truncated', 'sig-truncated-last-char', 'body-value-changed', 'sig-case-flipped', 'sw-id-changed', 'stripe-no-timestamp', 'ts-changed-after-signing', 'rotation-none-good'],
  'signature-wrong-version-rejected': ['sig-version-v0-only', 'sig-version-v2', 'sig-tag-uppercase'],
  'signature-stale-rejected': ['ts-stale-301', 'ts-two-hours-old', 'ts-header-missing'],
  'signature-future-rejected': ['ts-future-301'],
  'signature-timestamp-strict': ['ts-milliseconds', 'ts-non-numeric', 'ts-non-numeric-fresh', 'ts-non-numeric-signed-over-number'],
  'raw-body-verified': ['body-reserialized', 'body-keys-reordered'],
};

const ACCEPT_CONTROLS: Record<string, string[]> = {
  'signature-rotation-accepted': ['rotation-good-first', 'rotation-good-last'],
  'valid-event-acknowledged': ['valid', 'ts-within-299', 'ts-future-within-299'],
};

function mutated(ctx: ScenarioContext, m: Mutation, otherSecret: string): { delivery: ReturnType<typeof applyMutation>; event: EventEnvelope } {
  const event = ctx.event();
  const body = Buffer.from(JSON.stringify(event), 'utf8');
  const delivery = applyMutation(m, {
    scheme: ctx.manifest.webhooks.scheme,
    secret: ctx.sandbox.secrets.webhookSecret,
    otherSecret,
    deliveryId: ctx.nextId('msg'),
    nowSec: ctx.nowSec(),
    body,
    eventType: event.type,
  }, { eventId: event.id, eventType: event.type });
  return { delivery, event };
}

/** Clause 1: every invalid signature form is rejected with no effect; valid forms are accepted. */
export const signatureAuthenticity = defineScenario({
  id: 'webhook-signature-authenticity',
  parallel: true,
  title: 'Missing, forged, empty-key, wrong-version, stale, future and malformed-timestamp signatures are rejected',
  pack: 'authenticity',
  clauses: [1, 2],
  controls: [...Object.keys(MUTATION_CONTROLS), ...Object.keys(ACCEPT_CONTROLS)],
  sends: 'Fresh events under each signature mutation of the manifest scheme: missing or empty headers, truncated and case-flipped signatures, other-secret and empty-key HMACs (RW-04), flipped or appended body bytes, v0/v2 tags (RW-10), stale (now-301 s, now-2 h), future (now+301 s), millisecond and non-numeric timestamps (RW-05, RW-06), re-serialised bodies under the original signature (RW-01); and valid forms: fresh, now-299 s, now+299 s, rotation lists with the good signature first or last (RW-10).',
  expects: 'Every invalid form gets 4xx and causes no effect (accepting now+301 s is the low-severity future-timestamp finding); every valid form gets 2xx and its effects.',
  timeLimitMs: 60_000,
  async run(ctx) {
    const otherSecret = generateRunSecrets(ctx.manifest.webhooks.scheme).webhookSecret;
    const out: CheckOutcome[] = [];
    for (const [control, ids] of Object.entries(MUTATION_CONTROLS)) {
      const cases = ids.map((id) => (): Case | undefined => {
        const { delivery, event } = mutated(ctx, mutationById(id), otherSecret);
        return delivery ? { delivery, event, expect: 'reject' } : undefined;
      });
      out.push(judge(ctx, control, await sendAndJudgeNegative(ctx, control, cases), 'invalid-signature'));
    }
    for (const [control, ids] of Object.entries(ACCEPT_CONTROLS)) {
      const sent: Array<{ d: NonNullable<ReturnType<typeof applyMutation>>; ev: EventEnvelope; o: Awaited<ReturnType<ScenarioContext['deliver']>> }> = [];
      for (const id of ids) {
        const { delivery, event } = mutated(ctx, mutationById(id), otherSecret);
        if (!delivery) continue;
        sent.push({ d: delivery, ev: event, o: await ctx.deliver(delivery, { valid: true }) });
      }
      if (sent.length === 0) {
        out.push(ctx.skip(control, `no case applies to scheme ${ctx.manifest.webhooks.scheme}`));
        continue;
      }
      await ctx.settle({ expectEffects: sent.filter((s) => isAccepted(s.o)).map((s) => s.ev) });
      const bad = sent.find((s) => !isAccepted(s.o) || ctx.ruleChecks(s.ev).some((c) => !c.minOk));
      if (!bad) out.push(ctx.pass(control, `${sent.length}/${sent.length} valid forms accepted and processed`));
      else {
        const why = !isAccepted(bad.o) ? describeOutcome(bad.o) : 'acknowledged but its effects never happened';
        out.push(ctx.fail(control, `valid delivery "${bad.d.label}" not handled: ${why}`, { delivery: bad.d, outcome: bad.o }));
      }
    }
    return out;
  },
});

/** Clause 2 (RW-01, RW-02): verify the raw bytes, never a re-serialisation. */
export const rawBodyVerification = defineScenario({
  id: 'webhook-raw-body',
  parallel: true,
  title: 'Validly signed non-canonical bodies are accepted; re-serialised forgeries are rejected',
  pack: 'authenticity',
  clauses: [2],
  controls: ['equivalent-bytes-accepted', 'raw-body-verified'],
  sends: 'The same event as 2-space indented JSON, unsorted keys, `\\/` and `\\u00e9` escapes, a trailing newline (RW-01), raw and escaped U+2028/U+2029, an astral emoji and `\\u0026` (RW-02), each signed over its own bytes; then the minified body carrying the signature of its pretty-printed bytes.',
  expects: 'Every equivalent spelling: 2xx and exactly its effects. The minified forgery: 4xx and no effect.',
  async run(ctx) {
    const out: CheckOutcome[] = [];
    const problems: Array<{ d: ReturnType<ScenarioContext['sign']>; o: Awaited<ReturnType<ScenarioContext['deliver']>>; why: string }> = [];
    let total = 0;
    const template = ctx.event();
    for (const variant of equivalentBodies(template)) {
      if (variant.id === 'canonical') continue;
      const ev = ctx.event(template.type);
      const bytes = equivalentBodies(ev).find((v) => v.id === variant.id)?.bytes;
      if (!bytes) continue;
      total++;
      const d = ctx.sign(bytes, { label: variant.label, event: ev });
      const o = await ctx.deliver(d, { valid: true });
      if (!isAccepted(o)) {
        problems.push({ d, o, why: describeOutcome(o) });
        continue;
      }
      await ctx.settle({ expectEffects: [ev] });
      const missing = ctx.ruleChecks(ev).filter((c) => !c.minOk);
      const excess = ctx.ruleChecks(ev).filter((c) => !c.maxOk);
      if (missing.length || excess.length) problems.push({ d, o, why: missing.length ? 'acknowledged but not processed' : `exceeded effects.max: ${ctx.attemptsFor(ev.id).map(describeEntry).join('; ')}` });
    }
    if (total === 0) out.push(ctx.skip('equivalent-bytes-accepted', 'no equivalent spelling differs from the canonical bytes'));
    else if (problems.length === 0) out.push(ctx.pass('equivalent-bytes-accepted', `${total}/${total} equivalent spellings accepted and processed`));
    else out.push(ctx.fail('equivalent-bytes-accepted', `${problems.length}/${total} validly signed spellings not handled; first: "${problems[0]!.d.label}" ${problems[0]!.why}`, { delivery: problems[0]!.d, outcome: problems[0]!.o, details: { failedCases: problems.map((p) => `${p.d.label}: ${p.why}`) } }));

    const ev = ctx.event();
    const forgery = reserializedForgery({ scheme: ctx.manifest.webhooks.scheme, secret: ctx.sandbox.secrets.webhookSecret, event: ev, timestamp: ctx.nowSec(), deliveryId: ctx.nextId('msg'), eventType: ev.type });
    out.push(judge(ctx, 'raw-body-verified', await sendAndJudgeNegative(ctx, 'raw-body-verified', [{ delivery: forgery, event: ev, expect: 'reject' }]), 're-serialised forgery'));
    return out;
  },
});

/** RW-03: a missing secret must not silently disable verification. */
export const missingSecret = defineScenario({
  id: 'webhook-missing-secret',
  parallel: true,
  title: 'Started with an empty WEBHOOK_SECRET, the connector refuses to start or rejects everything',
  pack: 'authenticity',
  clauses: [1],
  controls: ['missing-secret-fails-closed'],
  ownConnector: true,
  sends: 'A second connector instance started with WEBHOOK_SECRET empty, then an unsigned event and an event signed with the empty key.',
  expects: 'The instance refuses to start (exit or never healthy), or answers 4xx to both with no effect.',
  async run(ctx) {
    const started = await ctx.startExtraConnector({ WEBHOOK_SECRET: '' });
    if (!started.ok) return [ctx.pass('missing-secret-fails-closed', `refused to start without a secret (${started.reason})`)];
    const unsignedEv = ctx.event();
    const unsigned = rawDelivery(ctx, JSON.stringify(unsignedEv), 'unsigned event to an instance started with an empty secret');
    const { delivery: emptyKeyed, event: emptyEv } = mutated(ctx, mutationById('sig-empty-secret'), generateRunSecrets(ctx.manifest.webhooks.scheme).webhookSecret);
    const emptySigned = { ...emptyKeyed!, label: 'event signed with the empty key to an instance started with an empty secret' };
    const results = [];
    for (const [d, ev] of [[unsigned, unsignedEv], [emptySigned, emptyEv]] as const) {
      const o = await ctx.deliver(d, { to: started.connector });
      results.push({ d, ev, o });
    }
    await ctx.settle({ quietMs: 150 });
    for (const r of results) ctx.deferNoEffect('missing-secret-fails-closed', r.ev, r.d, r.o);
    for (const r of results) {
      const attempts = ctx.attemptsFor(r.ev.id);
      if (!isRejected4xx(r.o) || attempts.length > 0) {
        return [ctx.fail('missing-secret-fails-closed', `with an empty secret, "${r.d.label}" got ${describeOutcome(r.o)}${attempts.length ? ` and caused ${attempts.map(describeEntry).join('; ')}` : ''}`, { delivery: r.d, outcome: r.o })];
      }
    }
    return [ctx.pass('missing-secret-fails-closed', 'started, but rejected unsigned and empty-key deliveries with no effect')];
  },
});
