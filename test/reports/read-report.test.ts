import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseReport, readReport } from '../../reports/read-report.js';
import { writeReports } from '../../reports/write-reports.js';
import { Redactor } from '../../harness/redact.js';
import { isGauntletError, type GauntletError } from '../../harness/errors.js';
import { FIXTURE_SECRETS, fullReport, hostileReport } from './report-fixture.js';

async function rejects(p: Promise<unknown> | (() => unknown)): Promise<GauntletError> {
  const err = await (typeof p === 'function' ? Promise.resolve().then(p) : p).then(() => undefined, (e: unknown) => e);
  expect(isGauntletError(err) && err.code).toBe('GAUNTLET_ERR_REPORT_READ');
  return err as GauntletError;
}

describe('readReport', () => {
  it('reads back what writeReports wrote', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gauntlet-read-'));
    try {
      const files = await writeReports(hostileReport(), dir, new Redactor(FIXTURE_SECRETS));
      const r = await readReport(files.json);
      expect(r.verdict).toBe('rejected');
      expect(r.controls[0]!.counterexample!.caseId).toBe('forged-signatures#3');
      await writeFile(path.join(dir, 'bad.json'), '{"schemaVersion":');
      expect((await rejects(readReport(path.join(dir, 'bad.json')))).message).toContain('is not JSON');
      expect((await rejects(readReport(path.join(dir, 'missing.json')))).message).toContain('cannot read');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lists each schema problem with its path', async () => {
    const r = JSON.parse(JSON.stringify(fullReport()));
    r.controls[1].status = 'maybe';
    delete r.verdict;
    const err = await rejects(() => parseReport(r));
    expect(err.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['controls.1.status', '']));
    expect(err.format()).toContain('controls.1.status');
  });

  it('refuses another major version with that reason', async () => {
    const r = { ...JSON.parse(JSON.stringify(fullReport())), schemaVersion: '2.0.0' };
    expect((await rejects(() => parseReport(r))).message).toContain('schemaVersion 2.0.0');
  });
});
