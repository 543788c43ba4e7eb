import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { writeReports } from '../../reports/write-reports.js';
import { Redactor } from '../../harness/redact.js';
import { isGauntletError } from '../../harness/errors.js';
import { FIXTURE_SECRETS, hostileReport, secretNeedles } from './report-fixture.js';
import { reportValidator } from './report-schema.js';

describe('writeReports', () => {
  it('creates the directory and writes a schema-valid report.json, a parseable junit.xml, report.html and report.sarif, all without secrets', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'gauntlet-reports-'));
    try {
      const dir = path.join(base, 'nested', 'out');
      const files = await writeReports(hostileReport(), dir, new Redactor(FIXTURE_SECRETS));
      expect(files).toEqual({ json: path.join(dir, 'report.json'), junit: path.join(dir, 'junit.xml'), html: path.join(dir, 'report.html'), sarif: path.join(dir, 'report.sarif') });
      expect((await readdir(dir)).sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'report.sarif']);
      const json = await readFile(files.json, 'utf8');
      const xml = await readFile(files.junit, 'utf8');
      const html = await readFile(files.html!, 'utf8');
      const sarif = await readFile(files.sarif!, 'utf8');
      expect(JSON.parse(sarif).version).toBe('2.1.0');
      expect(html).toMatch(/^<!doctype html>/);
      const validate = reportValidator();
      expect(validate(JSON.parse(json)), JSON.stringify(validate.errors)).toBe(true);
      expect(XMLValidator.validate(xml)).toBe(true);
      const suites = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xml).testsuites;
      expect(suites['@tests']).toBe('6');
      for (const needle of secretNeedles()) {
        expect(json).not.toContain(needle);
        expect(xml).not.toContain(needle);
        expect(html).not.toContain(needle);
        expect(sarif).not.toContain(needle);
      }
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('fails with GAUNTLET_ERR_REPORT_WRITE naming the path when the directory cannot be made', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'gauntlet-reports-'));
    try {
      const blocker = path.join(base, 'file');
      await writeFile(blocker, 'x');
      const err = await writeReports(hostileReport(), path.join(blocker, 'out'), new Redactor([])).catch((e: unknown) => e);
      expect(isGauntletError(err) && err.code).toBe('GAUNTLET_ERR_REPORT_WRITE');
      expect((err as Error).message).toContain(blocker);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
