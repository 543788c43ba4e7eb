import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { manifestLocation, renderSarif } from '../../reports/sarif.js';
import { CONTROLS } from '../../harness/scoring/controls.js';
import { Redactor } from '../../harness/redact.js';
import type { RunReport } from '../../harness/model/report.js';
import { FIXTURE_SECRETS, fullReport, hostileReport, secretNeedles } from './report-fixture.js';
import { hostileString } from './hostile.js';

/**
 * The official SARIF 2.1.0 schema (sarif-2.1.0-rtm.5, JSON Schema draft-04), vendored
 * from the npm package @microsoft/jest-sarif (lib/schemas/), so the test needs no network.
 */
const schema = JSON.parse(readFileSync(new URL('../fixtures/sarif-2.1.0-schema.json', import.meta.url), 'utf8'));

function sarifValidator() {
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

const validate = sarifValidator();
function expectValid(log: unknown): void {
  // unicodeRegExp off: the official schema's `language` pattern is not a valid /u regex.
  // Validate what is written (JSON), not the in-memory object.
  const ok = validate(JSON.parse(JSON.stringify(log)));
  expect(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toBe(true);
}

describe('renderSarif', () => {
  it('is valid against the official SARIF 2.1.0 schema', () => {
    expectValid(renderSarif(fullReport() as RunReport, { repoRoot: '/repo' }));
  });

  it('the vendored schema really is the strict official one: it rejects a wrong level and a missing driver name', () => {
    const log = renderSarif(fullReport() as RunReport, { repoRoot: '/repo' }) as unknown as { runs: Array<{ results: Array<{ level: string }>; tool: { driver: { name?: string } } }> };
    log.runs[0]!.results[0]!.level = 'fatal';
    expect(validate(JSON.parse(JSON.stringify(log)))).toBe(false);
    const log2 = renderSarif(fullReport() as RunReport, { repoRoot: '/repo' }) as unknown as { runs: Array<{ tool: { driver: { name?: string } } }> };
    delete log2.runs[0]!.tool.driver.name;
    expect(validate(JSON.parse(JSON.stringify(log2)))).toBe(false);
  });

  it('has one rule per catalogue control with title, rationale, clause, severity and weight', () => {
    const log = renderSarif(fullReport() as RunReport, { repoRoot: '/repo' });
    const rules = log.runs[0]!.tool.driver.rules;
    for (const c of CONTROLS) {
      const r = rules.find((x) => x.id === c.id);
      expect(r, c.id).toBeDefined();
      expect(r!.shortDescription.text).toBe(c.title);
      expect(r!.help.text).toContain(c.rationale);
      expect(r!.properties).toMatchObject({ clause: c.clause, severity: c.severity, weight: c.weight });
    }
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  });

  it('reports each failed control once, at the manifest, with a level from its severity and a valid ruleIndex', () => {
    const report = fullReport() as RunReport;
    const log = renderSarif(report, { repoRoot: '/repo' });
    const run = log.runs[0]!;
    const controlResults = run.results.filter((r) => 'gauntletControl/v1' in r.partialFingerprints);
    expect(controlResults.map((r) => r.ruleId).sort()).toEqual(['signature-forged-rejected', 'signature-future-rejected']);
    const byId = Object.fromEntries(controlResults.map((r) => [r.ruleId, r]));
    expect(byId['signature-forged-rejected']!.level).toBe('error');
    expect(byId['signature-future-rejected']!.level).toBe('note');
    expect(byId['signature-forged-rejected']!.message.text).toContain('accepted a delivery signed with another secret');
    expect(byId['signature-forged-rejected']!.message.text).toContain('--case forged-signatures#3');
    for (const r of run.results) {
      expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
      expect(r.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'examples/connectors/acme/connector.yaml', uriBaseId: 'SRCROOT' }, region: { startLine: 1 } });
    }
  });

  it('maps medium to warning and lists findings as results under their control', () => {
    const report = fullReport() as RunReport;
    report.controls[2]!.severity = 'medium';
    report.findings.push({ kind: 'card-number', control: 'no-sensitive-data-leak', where: 'connector stdout', excerpt: '4242 **** **** 4242' });
    const log = renderSarif(report, { repoRoot: '/repo' });
    expectValid(log);
    const run = log.runs[0]!;
    expect(run.results.find((r) => r.ruleId === 'signature-future-rejected')!.level).toBe('warning');
    const leak = run.results.find((r) => r.ruleId === 'no-sensitive-data-leak')!;
    expect(leak.message.text).toContain('card-number in connector stdout');
    expect(leak.partialFingerprints['gauntletFinding/v1']).toMatch(/^[0-9a-f]{32}$/);
    // A finding naming no catalogue control still gets a rule, so the log stays consistent.
    expect(run.tool.driver.rules.some((r) => r.id === 'least-privilege')).toBe(true);
  });

  it('fingerprints depend on control and connector only: stable across seeds, runs and evidence', () => {
    const a = fullReport() as RunReport;
    const b = fullReport() as RunReport;
    b.seed = 7;
    b.runId = 'other-run';
    b.controls[0]!.evidence[0]!.summary = 'different words';
    const fa = renderSarif(a, { repoRoot: '/repo' }).runs[0]!.results.map((r) => r.partialFingerprints);
    const fb = renderSarif(b, { repoRoot: '/repo' }).runs[0]!.results.map((r) => r.partialFingerprints);
    expect(fb).toEqual(fa);
    const c = fullReport() as RunReport;
    c.connector.name = 'another-connector';
    const fc2 = renderSarif(c, { repoRoot: '/repo' }).runs[0]!.results.map((r) => r.partialFingerprints);
    expect(fc2[0]).not.toEqual(fa[0]);
  });

  it('uses a repository-relative uri inside the repo and a file uri outside it', () => {
    expect(manifestLocation('examples/a b/connector.yaml', '/repo')).toEqual({ uri: 'examples/a%20b/connector.yaml', uriBaseId: 'SRCROOT' });
    expect(manifestLocation('/repo/x/connector.yaml', '/repo')).toEqual({ uri: 'x/connector.yaml', uriBaseId: 'SRCROOT' });
    expect(manifestLocation('../elsewhere/c.yaml', '/repo')).toEqual({ uri: 'file:///elsewhere/c.yaml' });
  });

  it('errored and timed-out scenarios become tool execution notifications', () => {
    const log = renderSarif(fullReport() as RunReport, { repoRoot: '/repo' });
    const inv = log.runs[0]!.invocations[0] as { executionSuccessful: boolean; toolExecutionNotifications: Array<{ message: { text: string } }> };
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications[0]!.message.text).toContain('kill-switch timed-out');
  });

  it('a hostile, redacted report gives valid SARIF with no secret, no raw control character and bounded messages', () => {
    const redacted = new Redactor(FIXTURE_SECRETS).redactDeep(hostileReport());
    const log = renderSarif(redacted, { repoRoot: '/repo' });
    expectValid(log);
    const text = JSON.stringify(log);
    for (const needle of secretNeedles()) expect(text).not.toContain(needle);
    expect(text).not.toMatch(/\\u001b|\\u0000/);
    expect(text.length).toBeLessThan(200_000);
  });

  it('property: any connector text keeps the log schema-valid', () => {
    fc.assert(
      fc.property(fc.array(hostileString, { minLength: 5, maxLength: 5 }), (texts) => {
        const r = fullReport() as RunReport;
        r.controls[0]!.evidence[0]!.summary = texts[0]!;
        r.connector.name = texts[1]!;
        r.connector.manifest = texts[2]! || 'c.yaml';
        r.findings[0]!.excerpt = texts[3]!;
        r.scenarios[5]!.reason = texts[4]!;
        expectValid(renderSarif(r, { repoRoot: path.resolve('/repo') }));
      }),
      { numRuns: 60 },
    );
  });
});
