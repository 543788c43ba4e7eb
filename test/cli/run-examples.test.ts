import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

const CAREFUL = 'examples/connectors/careful/connector.yaml';
const NAIVE = 'examples/connectors/naive/connector.yaml';

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'gauntlet-cli-'));
}

function validateReport(file: string): { report: Record<string, any>; errors: unknown } {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'docs/schemas/report.schema.json'), 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  const validate = ajv.compile(schema);
  const report = JSON.parse(readFileSync(file, 'utf8'));
  validate(report);
  return { report, errors: validate.errors };
}

describe('gauntlet run (black box, real example connectors)', { timeout: 240_000 }, () => {
  it('certifies the careful example: exit 0, verdict certified, valid report.json and JUnit', async () => {
    const dir = tmp();
    const r = await runCli(['run', CAREFUL, '--seed', '7', '--report-dir', dir]);
    expect(r.stdout).toContain('VERDICT: certified');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(path.join(dir, 'report.json'));
    const { report, errors } = validateReport(path.join(dir, 'report.json'));
    expect(errors).toBeNull();
    expect(report.verdict).toBe('certified');
    expect(report.seed).toBe(7);
    expect(report.controls.filter((c: { status: string }) => c.status === 'fail')).toEqual([]);
    const xml = readFileSync(path.join(dir, 'junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml);
    expect(parsed.testsuites).toBeDefined();
  });

  it('rejects the naive example: exit 1 and names each flawed control with its clause', async () => {
    const dir = tmp();
    const r = await runCli(['run', NAIVE, '--seed', '7', '--report-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('VERDICT: rejected');
    const { report, errors } = validateReport(path.join(dir, 'report.json'));
    expect(errors).toBeNull();
    const failed = new Map<string, number>(report.controls.filter((c: { status: string }) => c.status === 'fail').map((c: { id: string; clause: number }) => [c.id, c.clause]));
    // Each flaw the naive connector carries (see its server.mjs comments) must be caught by name.
    const expected: Record<string, number> = {
      'signature-forged-rejected': 1, // re-serialised verification accepts tampered key order
      'signature-rotation-accepted': 1, // RW-10: only the first v1 is checked
      'signature-future-rejected': 1, // RW-05: past-only timestamp check
      'raw-body-verified': 2, // RW-01
      'equivalent-bytes-accepted': 2, // RW-01/RW-02
      'duplicate-delivery-single-effect': 4,
      'concurrent-duplicate-single-effect': 4,
      'cancelled-object-no-effect': 5,
      'malformed-rejected-4xx': 6, // RW-09: 500 on bad JSON
      'drifted-critical-data-no-effect': 7,
      'no-sensitive-data-leak': 10, // logs whole bodies
      'least-privilege-scopes': 8,
    };
    for (const [id, clause] of Object.entries(expected)) {
      expect(failed.get(id), `control ${id} should fail`).toBe(clause);
      expect(r.stdout).toMatch(new RegExp(`✗ ${id}\\s+\\[\\w+ · clause ${clause}\\b`));
    }
    // The naive connector logs whole bodies; the report quotes its log tail only masked.
    const logText = JSON.stringify(report.connectorLog);
    expect(logText).toContain('tok_****');
    expect(logText).not.toMatch(/tok_[A-Za-z0-9]{6,}/);
    expect(logText).not.toMatch(/[A-Za-z0-9._-]+@example\.test/);
    // Every failed control with an input carries a replay command.
    for (const c of report.controls.filter((x: { status: string; counterexample?: unknown }) => x.status === 'fail' && x.counterexample)) {
      expect(c.counterexample.replay).toMatch(/^gauntlet (run .* --seed 7 --scenario [a-z0-9-]+$|replay \S*report\.json --case [a-z0-9-]+#\S+)/);
      expect(c.counterexample.replay).not.toContain('<report.json>');
    }
  });

  it('a replayed scenario reproduces the same failure with the same seed', async () => {
    const r = await runCli(['run', NAIVE, '--seed', '11', '--scenario', 'duplicate-delivery-sequential', '--report-dir', tmp()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ duplicate-delivery-single-effect/);
  });
});
