import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../harness/manifest/load.js';
import type { DeliveryOutcome } from '../../harness/model/delivery.js';
import type { Finding, RunReport } from '../../harness/model/report.js';
import { runCertification } from '../../harness/runner/run.js';
import { generateRunSecrets } from '../../harness/sandbox/secrets.js';
import { dataProtection, expectedSignatureForms, findSignatureEcho, macBytes } from '../../scenarios/data-protection.js';

const FLAWED = 'test/fixtures/connectors/flawed';
const LEAK_CONTROLS = new Set(['no-secret-leak', 'no-sensitive-data-leak']);

async function run(manifestPath: string): Promise<RunReport> {
  const manifest = await loadManifest(manifestPath);
  const { report } = await runCertification({ manifest, manifestArg: manifestPath, scenarios: [dataProtection], seed: 20_260_101 });
  expect(report.scenarios.map((s) => [s.id, s.status])).not.toContainEqual([dataProtection.id, 'errored']);
  return report;
}

function control(report: RunReport, id: string) {
  return report.controls.find((c) => c.id === id)!;
}

/** Every excerpt shown must be the masked form: no raw card, synthetic email, token or long base64 run. */
function expectRedacted(excerpt: string): void {
  const digitRuns = excerpt.match(/\d(?:[ -]?\d){12,18}/g) ?? [];
  expect(digitRuns, excerpt).toEqual([]);
  expect(excerpt).not.toMatch(/[A-Za-z0-9._%+-]{2,}@example\.test/);
  expect(excerpt).not.toMatch(/tok_[A-Za-z0-9]{8,}/);
  expect(excerpt).not.toMatch(/[A-Za-z0-9+/]{40,}={0,2}/);
  expect(excerpt).not.toMatch(/whsec_[A-Za-z0-9+/]{8,}/);
}

function leakFindings(report: RunReport): Finding[] {
  return report.findings.filter((f) => LEAK_CONTROLS.has(f.control));
}

describe('data-protection-canaries through the real runner', () => {
  it('logs-bodies: the planted card, email and customer name are found in stdout, each excerpt masked', async () => {
    const report = await run(`${FLAWED}/logs-bodies.yaml`);
    expect(control(report, 'no-sensitive-data-leak').status).toBe('fail');
    expect(control(report, 'valid-event-acknowledged').status).toBe('pass');
    const stdout = leakFindings(report).filter((f) => f.where.startsWith('connector stdout'));
    const kinds = new Set(stdout.map((f) => f.kind));
    for (const k of ['card-number', 'customer-email', 'customer-name']) expect(kinds, `kind ${k}`).toContain(k);
    // The spaced test card from the pan-note canary shows as BIN-class and last4 only.
    expect(stdout.find((f) => f.kind === 'card-number')!.excerpt).toMatch(/\d{4} \*{4} \*{4} \d{4}|\d{4} \*{6} \d{4,5}/);
    for (const f of leakFindings(report)) expectRedacted(f.excerpt);
  });

  it('signature-in-error: returning the expected signature of a rejected delivery fails no-secret-leak, shown masked', async () => {
    const report = await run(`${FLAWED}/signature-in-error.yaml`);
    const c = control(report, 'no-secret-leak');
    expect(c.status).toBe('fail');
    const ev = c.evidence.find((e) => e.scenario === dataProtection.id)!;
    expect(ev.status).toBe('fail');
    expect(ev.summary).toMatch(/signing oracle/);
    const findings = (ev.details as { findings: Finding[] }).findings;
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.kind).toBe('signing-oracle');
      expect(f.excerpt).toContain('[secret:expected-signature');
      expectRedacted(f.excerpt);
    }
    // The counterexample's response carries the excerpt, not the signature the connector returned.
    expect(c.counterexample?.response?.status).toBe(400);
    expect(c.counterexample?.response?.body).toContain('[secret:expected-signature');
    expectRedacted(c.counterexample!.response!.body);
    expect(control(report, 'no-sensitive-data-leak').status).toBe('pass');
  });

  it('exfiltrates: events forwarded to a third host are caught in the egress request, masked', async () => {
    const report = await run(`${FLAWED}/exfiltrates.yaml`);
    expect(control(report, 'no-sensitive-data-leak').status).toBe('fail');
    expect(control(report, 'egress-allowlisted').status).toBe('fail');
    const egress = leakFindings(report).filter((f) => f.where.includes('collector.evil.test'));
    expect(new Set(egress.map((f) => f.kind))).toContain('card-number');
    expect(new Set(egress.map((f) => f.kind))).toContain('customer-email');
    for (const f of leakFindings(report)) expectRedacted(f.excerpt);
  });

  it('the careful example: canaries acknowledged, nothing leaked, no signing oracle', async () => {
    const report = await run('examples/connectors/careful/connector.yaml');
    expect(leakFindings(report)).toEqual([]);
    expect(control(report, 'no-secret-leak').status).toBe('pass');
    expect(control(report, 'no-sensitive-data-leak').status).toBe('pass');
    expect(control(report, 'valid-event-acknowledged').status).toBe('pass');
  });
});

describe('expected-signature forms', () => {
  const body = Buffer.from('{"id":"evt_1","type":"payment.captured"}');
  const d = { deliveryId: 'msg_2aB', timestamp: '1767225600', body };

  it('standard-webhooks: the scheme token is exactly what the official library signs', () => {
    const secret = generateRunSecrets('standard-webhooks').webhookSecret;
    const forms = expectedSignatureForms('standard-webhooks', secret, d);
    expect(forms[0]).toBe(new Webhook(secret).sign(d.deliveryId, new Date(1767225600 * 1000), body));
    expect(forms).toContain(macBytes(forms[0]!).toString('hex'));
  });

  it('stripe: the hex MAC is what the official library puts in v1=', () => {
    const secret = generateRunSecrets('stripe').webhookSecret;
    const forms = expectedSignatureForms('stripe', secret, d);
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body.toString(), secret, timestamp: 1767225600 });
    expect(header).toContain(`v1=${forms[0]}`);
    expect(forms[0]).toBe(createHmac('sha256', secret).update(`1767225600.${body.toString()}`).digest('hex'));
  });

  it('finds an echo in the body or headers, raw or escaped, and nothing in an unrelated answer', () => {
    const secret = generateRunSecrets('standard-webhooks').webhookSecret;
    const forms = expectedSignatureForms('standard-webhooks', secret, d);
    const mac = macBytes(forms[0]!);
    const answer = (text: string, headers: Record<string, string> = {}): DeliveryOutcome => ({ status: 400, headers, body: text, bodyTruncated: false, durationMs: 1 });
    for (const echoed of [forms[0]!, mac.toString('base64'), mac.toString('base64url'), mac.toString('hex'), encodeURIComponent(mac.toString('base64'))]) {
      const found = findSignatureEcho('resp', answer(JSON.stringify({ error: 'bad', expected: echoed })), forms);
      expect(found.length, echoed).toBeGreaterThan(0);
      expect(found[0]!.excerpt).not.toContain(mac.toString('base64').slice(0, 12));
    }
    expect(findSignatureEcho('resp', answer('', { 'x-expected-signature': forms[0]! }), forms).length).toBeGreaterThan(0);
    expect(findSignatureEcho('resp', answer('{"error":"invalid_signature"}'), forms)).toEqual([]);
  });
});
