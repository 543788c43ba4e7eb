import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GauntletError } from '../harness/errors.js';
import type { RunReport } from '../harness/model/report.js';
import type { Redactor } from '../harness/redact.js';
import { renderJsonReport } from './json.js';
import { renderJunit } from './junit.js';

export interface ReportFiles {
  json: string;
  junit: string;
}

/**
 * Write report.json and junit.xml into `dir` (created if missing), both from the
 * redacted report. Each file is written to a temporary name and renamed, so an
 * interrupted run never leaves a half-written report for CI to parse.
 *
 * @example
 * const files = await writeReports(report, 'gauntlet-report', redactor);
 * // { json: 'gauntlet-report/report.json', junit: 'gauntlet-report/junit.xml' }
 */
export async function writeReports(report: RunReport, dir: string, redactor: Redactor): Promise<ReportFiles> {
  const redacted = redactor.redactDeep(report);
  const files: ReportFiles = { json: path.join(dir, 'report.json'), junit: path.join(dir, 'junit.xml') };
  try {
    await mkdir(dir, { recursive: true });
  } catch (cause) {
    throw new GauntletError('GAUNTLET_ERR_REPORT_WRITE', `cannot create the report directory ${dir}: ${messageOf(cause)}`, { cause });
  }
  // Render before writing anything: a rendering bug must not leave one file without the other.
  const json = renderJsonReport(redacted, redactor);
  const junit = renderJunit(redacted);
  await atomicWrite(files.json, json);
  await atomicWrite(files.junit, junit);
  return files;
}

async function atomicWrite(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, file);
  } catch (cause) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new GauntletError('GAUNTLET_ERR_REPORT_WRITE', `cannot write ${file}: ${messageOf(cause)}`, { cause });
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
