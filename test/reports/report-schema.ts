import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const reportSchema = JSON.parse(readFileSync(new URL('../../docs/schemas/report.schema.json', import.meta.url), 'utf8'));

/** The published report schema compiled with ajv (draft 2020-12, strict, formats checked). */
export function reportValidator() {
  const ajv = new Ajv2020.default({ allErrors: true, strict: true });
  addFormats.default(ajv);
  return ajv.compile(reportSchema);
}
