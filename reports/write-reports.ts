import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GauntletError } from '../harness/errors.js';
import type { RunReport } from '../harness/model/report.js';
import type { Redactor } from '../harness/redact.js';
import { renderJsonReport } from './json.js';
import { renderJunit } from './junit.js';
import { renderHtmlReport } from './html.js';
import { renderSarif } from './sarif.js';

export interface ReportFiles {
  json: string;
  junit: string;
  /** Self-contained HTML report (no network, strict CSP). */
  html?: string;
  /** SARIF 2.1.0 for code scanning. */
  sarif?: string;
}

/**
 * Write report.json, junit.xml, report.html and report.sarif into `dir` (created if
 * missing), all from the redacted report. Each file is written to a temporary name and renamed, so an
 * interrupted run never leaves a half-written report for CI to parse.
 *
 * @example
 * const files = await writeReports(report, 'gauntlet-report', redactor);
 * // { json: 'gauntlet-report/report.json', junit: 'gauntlet-report/junit.xml', html: '…/report.html', sarif: '…/report.sarif' }
 */
export async function writeReports(report: RunReport, dir: string, redactor: Redactor): Promise<ReportFiles> {
  const redacted = redactor.redactDeep(report);
  const files: ReportFiles = {
    json: path.join(dir, 'report.json'),
    junit: path.join(dir, 'junit.xml'),
    html: path.join(dir, 'report.html'),
    sarif: path.join(dir, 'report.sarif'),
  };
  try {
    await mkdir(dir, { recursive: true });
  } catch (cause) {
    throw new GauntletError('GAUNTLET_ERR_REPORT_WRITE', `cannot create the report directory ${dir}: ${messageOf(cause)}`, { cause });
  }
  // Render before writing anything: a rendering bug must not leave one file without the other.
  const json = renderJsonReport(redacted, redactor);
  const junit = renderJunit(redacted);
  const html = renderHtmlReport(redacted);
  const sarif = `${JSON.stringify(renderSarif(redacted), null, 2)}\n`;
  await atomicWrite(files.json, json);
  await atomicWrite(files.junit, junit);
  await atomicWrite(files.html!, html);
  await atomicWrite(files.sarif!, sarif);
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
