import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTable, runBench, type BenchResults } from '../../bench/run.js';

/** Smoke only: tiny durations, no timing asserts (speed targets are the bench's job, not the tests'). */
describe('npm run bench (smoke)', () => {
  it('runs a section, prints the table, writes <timestamp>.json and latest.json, and shows the change since the previous latest.json', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gauntlet-bench-'));
    const previous = { kind: 'gauntlet-bench', version: 1, sections: [{ id: 'runner-overhead', status: 'ok', figures: [{ id: 'runner.deliver', figure: 'x', value: 12.5, unit: 'ms' }] }] };
    writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(previous));
    let text = '';
    const out = { write: (s: string) => (text += s) };
    const first = await runBench({ quick: true, only: ['runner-overhead'], resultsDir: dir, out, build: false });
    const section = first.sections.find((s) => s.id === 'runner-overhead')!;
    expect(section.status, section.message).toBe('ok');
    expect(section.figures.map((f) => f.id)).toEqual(['runner.deliver', 'runner.sign-deliver']);
    for (const f of section.figures) {
      expect(Number.isFinite(f.value)).toBe(true);
      expect(Number.isFinite(f.baseline)).toBe(true);
    }
    expect(text).toMatch(/figure\s+value\s+baseline\s+ratio\s+target\s+result\s+change/);
    expect(text).toContain('ctx.deliver per delivery');
    expect(text).toContain('(was 12.5)');
    expect(text).toMatch(/ctx\.sign \+ ctx\.deliver.*new/);
    const files = readdirSync(dir);
    expect(files.filter((f) => /^\d{4}-.*\.json$/.test(f))).toHaveLength(1);
    const latest = JSON.parse(readFileSync(path.join(dir, 'latest.json'), 'utf8')) as BenchResults;
    expect(latest.sections[0]!.figures[0]!.id).toBe('runner.deliver');
    expect(latest.sections[0]!.figures[0]!.value).not.toBe(12.5);
  });

  it('says which sections are not available or failed, and marks figures without a target as information', () => {
    const r: BenchResults = {
      kind: 'gauntlet-bench',
      version: 1,
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1,
      quick: true,
      machine: { cpus: 2, loadBefore: 0, loadAfter: 0, node: 'v20', platform: 'linux' },
      sections: [
        { id: 'properties', title: 'p', status: 'not available', message: 'bench/properties.ts is not available', durationMs: 0, figures: [] },
        { id: 'mocks', title: 'm', status: 'error', message: 'boom', durationMs: 0, figures: [] },
        { id: 'fault-proxy', title: 'f', status: 'ok', durationMs: 0, figures: [
          { id: 'a', figure: 'with target', value: 0.4, unit: '×', baseline: 1, ratio: 0.4, target: '≥ 0.55×', pass: false },
          { id: 'b', figure: 'no target', value: 3, unit: 'ms' },
        ] },
      ],
    };
    const text = renderTable(r);
    expect(text).toContain('properties: not available — bench/properties.ts is not available');
    expect(text).toContain('mocks: error — boom');
    expect(text).toMatch(/with target.*FAIL/);
    expect(text).toMatch(/no target.*info/);
    expect(text).toContain('0 targets met, 1 missed');
  });

  it('refuses an unknown section name', async () => {
    await expect(runBench({ only: ['nope'], out: { write: () => 0 } })).rejects.toThrow(/unknown bench section/);
  });
});
