import { readFile } from 'node:fs/promises';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { GauntletError, type FieldProblem } from '../harness/errors.js';
import { REPORT_SCHEMA_VERSION, type RunReport } from '../harness/model/report.js';
import schema from '../docs/schemas/report.schema.json' with { type: 'json' };

let validator: ValidateFunction | undefined;

/** The compiled published schema (docs/schemas/report.schema.json). */
export function reportSchemaValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    validator = ajv.compile(schema);
  }
  return validator;
}

/**
 * Check that `data` is a report this version can read; throws GAUNTLET_ERR_REPORT_READ
 * listing every problem with its JSON path. A report of another major version is
 * refused with that reason alone, since its fields may mean other things.
 */
export function parseReport(data: unknown, source = 'report'): RunReport {
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'string' && version.split('.')[0] !== REPORT_SCHEMA_VERSION.split('.')[0]) {
    throw new GauntletError('GAUNTLET_ERR_REPORT_READ', `${source} has schemaVersion ${version}; this gauntlet reads ${REPORT_SCHEMA_VERSION.split('.')[0]}.x reports`);
  }
  const validate = reportSchemaValidator();
  if (!validate(data)) {
    const errors = validate.errors ?? [];
    const shown = errors.length > 20 ? ', first 20 listed' : '';
    throw new GauntletError('GAUNTLET_ERR_REPORT_READ', `${source} is not a valid gauntlet report (${errors.length} problem(s)${shown})`, { problems: errors.slice(0, 20).map(problemOf) });
  }
  return data as RunReport;
}

/** Read and validate a report.json written by `gauntlet run`. */
export async function readReport(file: string): Promise<RunReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new GauntletError('GAUNTLET_ERR_REPORT_READ', `cannot read ${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new GauntletError('GAUNTLET_ERR_REPORT_READ', `${file} is not JSON: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  return parseReport(data, file);
}

function problemOf(e: ErrorObject): FieldProblem {
  const path = e.instancePath.replace(/^\//, '').split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
  const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : e.keyword === 'enum' || e.keyword === 'const' ? ` (${JSON.stringify(e.params)})` : '';
  return { path, reason: `${e.message ?? e.keyword}${extra}` };
}
