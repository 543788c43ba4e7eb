import { describe, expect, it } from 'vitest';
import { renderJsonReport, MAX_JSON_STRING } from '../../reports/json.js';
import { Redactor } from '../../harness/redact.js';
import { REPORT_SCHEMA_VERSION, type RunReport } from '../../harness/model/report.js';
import { FIXTURE_SECRETS, fullReport, hostileReport, secretNeedles } from './report-fixture.js';

import { reportSchema as schema, reportValidator } from './report-schema.js';

const redactor = new Redactor(FIXTURE_SECRETS);

describe('report.json', () => {
  const validate = reportValidator();

  it('schema pins the model schema version', () => {
    expect(schema.properties.schemaVersion.const).toBe(REPORT_SCHEMA_VERSION);
  });

  it('a report with every optional field set validates (schema and model in step)', () => {
    const parsed = JSON.parse(renderJsonReport(fullReport(), redactor));
    expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the hostile report validates, holds no secret in any encoding, and caps 1 MB strings', () => {
    const text = renderJsonReport(hostileReport(), redactor);
    const parsed = JSON.parse(text);
    expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
    for (const needle of secretNeedles()) expect(text).not.toContain(needle);
    expect(text).toContain('[REDACTED:webhook-secret]');
    expect(text).toContain('[REDACTED:bearer-token]');
    expect(parsed.controls[0].counterexample.response.body.length).toBeLessThanOrEqual(MAX_JSON_STRING);
    expect(parsed.controls[0].counterexample.response.body).toMatch(/…\[\+\d+ chars\]$/);
  });

  it('rejects what the model forbids', () => {
    const bad = (mutate: (r: Record<string, any>) => void) => {
      const r = JSON.parse(renderJsonReport(fullReport(), redactor));
      mutate(r);
      return validate(r);
    };
    expect(bad((r) => delete r.verdict)).toBe(false);
    expect(bad((r) => (r.controls[0].status = 'maybe'))).toBe(false);
    expect(bad((r) => delete r.controls[0].evidence)).toBe(false);
    expect(bad((r) => (r.score = 101))).toBe(false);
    expect(bad((r) => (r.extra = 1))).toBe(false);
    expect(bad((r) => (r.schemaVersion = '2.0.0'))).toBe(false);
  });

  it('writes keys in a stable order whatever order the report was built in', () => {
    const a = fullReport() as RunReport;
    const shuffled = JSON.parse(JSON.stringify(a), function (this: unknown, _k, v) {
      if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).reverse());
      return v;
    }) as RunReport;
    const text = renderJsonReport(a, redactor);
    expect(renderJsonReport(shuffled, redactor)).toBe(text);
    expect(Object.keys(JSON.parse(text)).slice(0, 3)).toEqual(['schemaVersion', 'tool', 'runId']);
    expect(text.endsWith('}\n')).toBe(true);
  });
});
