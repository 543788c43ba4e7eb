import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GauntletError } from '../errors.js';
import type { Redactor } from '../redact.js';
import type { LoadReport } from './types.js';

/** Writes `load.json` (redacted) into `dir` via a temporary file, so CI never reads half a report. */
export async function writeLoadReport(report: LoadReport, dir: string, redactor?: Redactor): Promise<string> {
  const file = path.join(dir, 'load.json');
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, `${JSON.stringify(redactor ? redactor.redactDeep(report) : report, null, 2)}\n`, 'utf8');
    await rename(tmp, file);
  } catch (cause) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new GauntletError('GAUNTLET_ERR_REPORT_WRITE', `cannot write ${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  return file;
}
