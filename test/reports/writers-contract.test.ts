import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { renderConsoleSummary } from '../../reports/console.js';
import { renderJsonReport } from '../../reports/json.js';
import { renderJunit } from '../../reports/junit.js';
import { Redactor } from '../../harness/redact.js';
import type { RunReport } from '../../harness/model/report.js';
import { fullReport } from './report-fixture.js';
import { hostileString } from './hostile.js';
import { reportValidator } from './report-schema.js';

/**
 * The contract every writer meets: whatever the connector said and wherever a run
 * secret was planted, the output holds no secret, is valid for its medium, and (for
 * the terminal) carries no raw control characters.
 */
describe('writer contract', () => {
  const validate = reportValidator();
  const secretArb = fc.stringMatching(/^[A-Za-z0-9_+/=-]{12,40}$/);
  const encodings: Array<(s: string) => string> = [
    (s) => s,
    (s) => Buffer.from(s).toString('base64'),
    (s) => Buffer.from(s).toString('hex'),
    (s) => encodeURIComponent(s),
    (s) => 'Basic ' + Buffer.from(`id:${s}`).toString('base64'),
  ];

  it('property: no secret, valid JSON/XML, no raw control characters on the terminal', () => {
    fc.assert(
      fc.property(secretArb, fc.array(hostileString, { minLength: 8, maxLength: 8 }), fc.array(fc.nat(encodings.length - 1), { minLength: 8, maxLength: 8 }), (secret, texts, encs) => {
        const plant = (i: number) => `${texts[i]}${encodings[encs[i]!]!(secret)}${texts[(i + 1) % 8]}`;
        const r = fullReport() as RunReport;
        r.controls[0]!.evidence[0]!.summary = plant(0);
        r.controls[0]!.counterexample!.label = plant(1);
        r.controls[0]!.counterexample!.request!.headers = { authorization: plant(2) };
        r.controls[0]!.counterexample!.response!.body = plant(3);
        r.scenarios[5]!.reason = plant(4);
        r.findings[0]!.excerpt = plant(5);
        r.connectorLog.stderrTail = [plant(6)];
        r.connector.name = plant(7);
        const redactor = new Redactor([{ name: 'client-secret', value: secret }]);
        const redacted = redactor.redactDeep(r);

        const json = renderJsonReport(r, redactor);
        const xml = renderJunit(redacted);
        const text = renderConsoleSummary(r, { redactor });
        for (const out of [json, xml, text]) {
          expect(out).not.toContain(secret);
          expect(out).not.toContain(Buffer.from(secret).toString('hex'));
        }
        expect(validate(JSON.parse(json))).toBe(true);
        expect(XMLValidator.validate(xml)).toBe(true);
        expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
        expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
      }),
      { numRuns: 60 },
    );
  });
});
