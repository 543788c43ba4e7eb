/**
 * Clause 10: data protection. Valid events carry planted canaries (a customer email, a
 * Luhn-valid test card written with spaces, a full name) in `metadata.note`, a field no
 * careful connector needs to log or forward; the runner's whole-run leak scan then looks for
 * them in everything the connector said or sent (stdout/stderr, responses, egress), because
 * every scenario's SyntheticData reaches it as a `dataset`.
 *
 * The scenario itself probes one more leak the whole-run scan cannot see: a connector that
 * answers a badly signed delivery with the signature it expected. That is not the secret,
 * but it is as good as the secret: the caller picks the body, id and timestamp, so the
 * connector becomes a signing oracle that mints a valid signature for any forged event.
 * We therefore judge it under `no-secret-leak` (critical), and we look for the expected MAC
 * of each rejected probe in its response in base64, base64url and hex (and their escaped
 * forms). The evidence shows only a redacted excerpt, never the MAC.
 */
import type { CheckOutcome } from '../harness/model/control.js';
import { isAccepted, type Delivery, type DeliveryOutcome } from '../harness/model/delivery.js';
import type { CanaryKind } from '../harness/data/synthetic.js';
import { scanForLeaks, type LeakFinding } from '../harness/leaks/scan.js';
import type { EventEnvelope, ScenarioContext } from '../harness/runner/context.js';
import { defineScenario } from '../harness/runner/scenario.js';
import { generateRunSecrets } from '../harness/sandbox/secrets.js';
import { schemeSpec } from '../harness/webhooks/sign.js';
import { describeOutcome } from './lib/expect.js';

const CANARY_KINDS: readonly CanaryKind[] = ['email-note', 'pan-note', 'name-note'];
/** Name shown in masks: `[secret:expected-signature:raw]`. */
const ORACLE_SECRET_NAME = 'expected-signature';
const MAX_EVIDENCE_FINDINGS = 5;

/**
 * The MAC renderings a signing oracle might return for one delivery: the scheme's own token
 * (`v1,<base64>`, `<hex>`, `sha256=<hex>`) and the MAC bytes as base64, base64url and hex.
 */
export function expectedSignatureForms(scheme: Parameters<typeof schemeSpec>[0], secret: string, d: { deliveryId: string; timestamp: string; body: Buffer }): string[] {
  const spec = schemeSpec(scheme);
  const token = spec.token(spec.key(secret), { deliveryId: d.deliveryId, timestamp: d.timestamp, body: d.body });
  const mac = macBytes(token);
  const forms = new Set([token, mac.toString('base64'), mac.toString('base64url'), mac.toString('hex')]);
  return [...forms];
}

/** The HMAC bytes inside a scheme token (standard-webhooks base64, stripe/hmac hex, github `sha256=` hex). */
export function macBytes(token: string): Buffer {
  const bare = token.replace(/^(?:v1,|sha256=)/, '');
  return /^(?:[0-9a-f]{2})+$/i.test(bare) ? Buffer.from(bare, 'hex') : Buffer.from(bare, 'base64');
}

/** Looks for any expected-signature form in what the connector answered (headers and body). */
export function findSignatureEcho(where: string, outcome: DeliveryOutcome, forms: string[]): LeakFinding[] {
  const headers = Object.entries(outcome.headers ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n');
  const sources = [{ where, text: outcome.body ?? '' }];
  if (headers) sources.push({ where: `${where} headers`, text: headers });
  return scanForLeaks(sources, { secrets: forms.map((value) => ({ name: ORACLE_SECRET_NAME, value })), plantedValues: [] }, { detectors: ['secret'] });
}

interface Probe {
  delivery: Delivery;
  forms: string[];
}

/** A canary event signed so that it must be rejected, with the forms of the MAC it should have had. */
function oracleProbe(ctx: ScenarioContext, how: 'other-secret' | 'body-changed', event: EventEnvelope): Probe {
  const scheme = ctx.manifest.webhooks.scheme;
  const timestamp = ctx.nowSec();
  const deliveryId = ctx.nextId('msg');
  const label = how === 'other-secret' ? 'canary event signed with another secret' : 'canary event whose body changed after signing';
  let delivery: Delivery;
  if (how === 'other-secret') {
    const other = generateRunSecrets(scheme).webhookSecret;
    delivery = ctx.sign(event, { label, timestamp, deliveryId, secret: other, event });
  } else {
    const signed = ctx.sign(event, { label, timestamp, deliveryId, event });
    // Same length, one field changed: the signature no longer covers these bytes.
    const text = signed.body.toString('utf8');
    const changed = text.replace(/"created":(\d)/, (_m, d: string) => `"created":${(Number(d) + 1) % 10}`);
    // Whatever the envelope looks like, the bytes must differ from the signed ones.
    const tampered = Buffer.from(changed !== text ? changed : `${text} `, 'utf8');
    delivery = { ...signed, body: tampered };
  }
  const forms = expectedSignatureForms(scheme, ctx.sandbox.secrets.webhookSecret, { deliveryId, timestamp: String(timestamp), body: delivery.body });
  return { delivery, forms };
}

/** Clause 10: planted canaries feed the whole-run leak scan; a signing-oracle probe is judged here. */
export const dataProtection = defineScenario({
  id: 'data-protection-canaries',
  title: 'Planted canaries are never logged or forwarded, and rejected deliveries never get their expected signature back',
  pack: 'data-protection',
  clauses: [3, 10],
  controls: ['valid-event-acknowledged', 'no-secret-leak'],
  sends: 'Valid events whose data.object.metadata.note carries a planted canary: a customer email at example.test, a Luhn-valid test card number written with spaces, a customer full name. Then two of those events with a bad signature (another secret; body changed after signing).',
  expects: 'The canary events are acknowledged (2xx); no canary appears in stdout/stderr, responses or egress (judged by the whole-run scan under no-sensitive-data-leak); the bad deliveries are rejected without the signature the connector expected in the response: returning it makes the connector a signing oracle, judged as a secret leak.',
  timeLimitMs: 30_000,
  async run(ctx) {
    const out: CheckOutcome[] = [];

    // 1. Canaries on valid events: the leak scan at the end of the run finds them if they leak.
    const sent: Array<{ d: Delivery; ev: EventEnvelope; o: DeliveryOutcome }> = [];
    // Spread over every effect-bearing type, so each handler (and its log lines) sees a canary.
    const types = ctx.effectEventTypes();
    for (const [i, kind] of CANARY_KINDS.entries()) {
      const type = types.length > 0 ? types[i % types.length]! : ctx.primaryEventType();
      const { event } = ctx.data.withCanaries(ctx.event(type), kind);
      ctx.register(event);
      const d = ctx.sign(event, { label: `valid ${event.type} with a ${kind} canary`, event });
      sent.push({ d, ev: event, o: await ctx.deliver(d, { valid: true }) });
    }
    await ctx.settle({ expectEffects: sent.filter((s) => isAccepted(s.o)).map((s) => s.ev) });
    const refused = sent.find((s) => !isAccepted(s.o));
    out.push(
      refused
        ? ctx.fail('valid-event-acknowledged', `valid event "${refused.d.label}" got ${describeOutcome(refused.o)} (metadata is free-form; a note must not make a valid event fail)`, { delivery: refused.d, outcome: refused.o })
        : ctx.pass('valid-event-acknowledged', `${sent.length}/${sent.length} canary-carrying valid events acknowledged`),
    );

    // 2. Signing oracle: the expected MAC of a rejected delivery must not come back.
    const echoes: Array<{ probe: Probe; outcome: DeliveryOutcome; findings: LeakFinding[] }> = [];
    let probes = 0;
    for (const how of ['other-secret', 'body-changed'] as const) {
      const { event } = ctx.data.withCanaries(ctx.event(), 'email-note');
      ctx.register(event);
      const probe = oracleProbe(ctx, how, event);
      const outcome = await ctx.deliver(probe.delivery);
      probes++;
      const findings = findSignatureEcho(`webhook response to "${probe.delivery.label}" (${ctx.scenarioId})`, outcome, probe.forms);
      if (findings.length > 0) echoes.push({ probe, outcome, findings });
    }
    await ctx.settle({ quietMs: 200 });
    if (echoes.length === 0) {
      out.push(ctx.pass('no-secret-leak', `${probes}/${probes} badly signed deliveries answered without their expected signature`));
    } else {
      const first = echoes[0]!;
      const f = first.findings[0]!;
      // The counterexample keeps the request and the status, but the response body only as the redacted excerpt.
      const counterexample = ctx.counterexample(first.probe.delivery);
      counterexample.response = { status: first.outcome.status, body: f.excerpt, durationMs: Math.round(first.outcome.durationMs) };
      out.push({
        control: 'no-secret-leak',
        status: 'fail',
        evidence: {
          summary: `${echoes.length}/${probes} badly signed deliveries were answered with the signature the connector expected (a signing oracle: anyone can forge any event); first: ${f.where}: ${f.excerpt}`,
          details: { findings: echoes.flatMap((e) => e.findings).slice(0, MAX_EVIDENCE_FINDINGS).map((x) => ({ kind: 'signing-oracle', control: x.control, where: x.where, excerpt: x.excerpt })) },
        },
        counterexample,
      });
    }
    return out;
  },
});
