import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOG, GauntletError, type ErrorCode } from '../../harness/errors.js';

interface DocSection {
  code: string;
  exitCode?: number;
  when?: string;
  remedy?: string;
}

/** Reads `## CODE` sections with `- Exit code:`, `- When:` and `- Remedy:` lines. */
function parseDocs(markdown: string): DocSection[] {
  const sections: DocSection[] = [];
  let current: DocSection | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^## (\S+)\s*$/.exec(line);
    if (heading) {
      current = { code: heading[1]! };
      sections.push(current);
      continue;
    }
    if (!current) continue;
    const field = /^- (Exit code|When|Remedy): (.*)$/.exec(line);
    if (!field) continue;
    if (field[1] === 'Exit code') current.exitCode = Number(field[2]);
    else if (field[1] === 'When') current.when = field[2]!.trim();
    else current.remedy = field[2]!.trim();
  }
  return sections;
}

describe('docs/errors.md and harness/errors.ts stay in step', async () => {
  const sections = parseDocs(await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8'));
  const byCode = new Map(sections.map((s) => [s.code, s]));
  const codes = Object.keys(ERROR_CATALOG) as ErrorCode[];

  it.each(codes)('%s is documented with the same exit code and remedy', (code) => {
    const doc = byCode.get(code);
    expect(doc, `add a "## ${code}" section to docs/errors.md`).toBeDefined();
    expect(doc!.exitCode).toBe(ERROR_CATALOG[code].exitCode);
    expect(doc!.remedy).toBe(ERROR_CATALOG[code].remedy);
    expect(doc!.when?.length ?? 0, 'say when it happens').toBeGreaterThan(20);
  });

  it('documents only codes that exist, each once', () => {
    for (const s of sections) expect(Object.hasOwn(ERROR_CATALOG, s.code), `${s.code} is documented but not in ERROR_CATALOG`).toBe(true);
    expect(new Set(sections.map((s) => s.code)).size).toBe(sections.length);
    expect(sections.length).toBe(codes.length);
  });

  it('codes follow GAUNTLET_ERR_<AREA>_<WHAT> and errors carry their catalogue entry', () => {
    for (const code of codes) {
      expect(code).toMatch(/^GAUNTLET_ERR_[A-Z]+(_[A-Z]+)*$/);
      const e = new GauntletError(code, 'x');
      expect(e.exitCode).toBe(ERROR_CATALOG[code].exitCode);
      expect(e.format()).toContain(`fix: ${ERROR_CATALOG[code].remedy}`);
    }
  });
});
