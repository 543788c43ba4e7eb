import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderJunit } from '../../reports/junit.js';
import { Redactor } from '../../harness/redact.js';
import type { RunReport } from '../../harness/model/report.js';
import { FIXTURE_SECRETS, fullReport, hostileReport, secretNeedles } from './report-fixture.js';
import { hostileString } from './hostile.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name), parseAttributeValue: false });

type Suite = { '@name': string; '@tests': string; '@failures': string; '@skipped': string; '@errors': string; testcase: Array<Record<string, any>> };

function parse(xml: string): { '@tests': string; '@failures': string; '@skipped': string; '@errors': string; testsuite: Suite[] } {
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml).testsuites;
}

describe('junit.xml', () => {
  it('has one suite per clause, one case per control, and the right counts', () => {
    const root = parse(renderJunit(fullReport() as RunReport));
    expect(root.testsuite.map((s) => s['@name'])).toEqual([
      'clause 1: Signatures are verified',
      'clause 3: Valid events are acknowledged in time',
      'clause 4: Duplicates cause one effect',
      'harness: scenarios that errored or timed out',
    ]);
    const [c1, c3, c4, harness] = root.testsuite as [Suite, Suite, Suite, Suite];
    expect([c1['@tests'], c1['@failures'], c1['@skipped']]).toEqual(['3', '2', '0']);
    expect([c3['@tests'], c3['@failures'], c3['@skipped']]).toEqual(['1', '0', '0']);
    expect([c4['@tests'], c4['@failures'], c4['@skipped']]).toEqual(['1', '0', '1']);
    expect([harness['@tests'], harness['@errors']]).toEqual(['1', '1']);
    expect([root['@tests'], root['@failures'], root['@skipped'], root['@errors']]).toEqual(['6', '2', '1', '1']);
    expect(c1.testcase.map((t) => t['@name'])).toEqual(['signature-forged-rejected', 'signature-future-rejected', 'signature-missing-rejected']);
  });

  it('failure carries the evidence summary as message and the counterexample plus replay as text', () => {
    const root = parse(renderJunit(fullReport() as RunReport));
    const forged = root.testsuite[0]!.testcase.find((t) => t['@name'] === 'signature-forged-rejected')!;
    expect(forged.failure['@message']).toBe('accepted a delivery signed with another secret (200)');
    expect(forged.failure['@type']).toBe('critical');
    const text: string = forged.failure['#text'];
    expect(text).toContain('smallest failing input:');
    expect(text).toContain('POST /webhooks');
    expect(text).toContain('→ got 200');
    expect(text).toContain('replay: gauntlet replay gauntlet-report/report.json --case forged-signatures#3');
    const future = root.testsuite[0]!.testcase.find((t) => t['@name'] === 'signature-future-rejected')!;
    expect(future.failure['#text']).toContain('replay: gauntlet run examples/connectors/acme/connector.yaml --seed 42');
    const skipped = root.testsuite[2]!.testcase[0]!;
    expect(skipped.skipped['@message']).toBe('manifest declares no effects');
  });

  it('stays valid XML with hostile text, has no invalid characters and, once redacted, no secret', () => {
    const redactor = new Redactor(FIXTURE_SECRETS);
    const xml = renderJunit(redactor.redactDeep(hostileReport()));
    parse(xml);
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/);
    expect(xml).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    expect(xml).not.toContain('<script>');
    expect(xml.length).toBeLessThan(200_000);
    for (const needle of secretNeedles()) expect(xml).not.toContain(needle);
  });

  it('property: any text in any connector-originated field gives well-formed XML', () => {
    fc.assert(
      fc.property(hostileString, hostileString, hostileString, (summary, label, body) => {
        const r = fullReport() as RunReport;
        r.controls[0]!.evidence[0]!.summary = summary;
        r.controls[0]!.counterexample!.label = label;
        r.controls[0]!.counterexample!.response!.body = body;
        r.controls[4]!.evidence[0]!.summary = summary;
        r.scenarios[5]!.reason = body;
        r.connector.name = label;
        expect(XMLValidator.validate(renderJunit(r))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
