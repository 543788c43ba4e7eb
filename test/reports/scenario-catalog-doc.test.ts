import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { marked } from 'marked';
import { REGENERATE_COMMAND, renderScenarioCatalog, SCENARIO_DOC_PATH } from '../../reports/scenario-catalog-doc.js';
import { SCENARIOS } from '../../scenarios/index.js';
import { CONTROLS } from '../../harness/scoring/controls.js';
import type { ControlDefinition } from '../../harness/model/control.js';

describe('scenario catalogue doc', () => {
  it(`${SCENARIO_DOC_PATH} is the generated text (regenerate with \`${REGENERATE_COMMAND}\`)`, () => {
    const generated = renderScenarioCatalog(SCENARIOS, CONTROLS);
    const current = readFileSync(new URL(`../../${SCENARIO_DOC_PATH}`, import.meta.url), 'utf8');
    // toBe would print a 300-line diff first; say what to do instead.
    if (current !== generated) expect.fail(`${SCENARIO_DOC_PATH} is out of date with scenarios/index.ts or harness/scoring/controls.ts: run \`${REGENERATE_COMMAND}\` and commit the result`);
  });

  it('documents every scenario with its sends, expects and controls, grouped by pack', () => {
    const doc = renderScenarioCatalog(SCENARIOS, CONTROLS);
    const html = marked.parse(doc, { async: false, gfm: true }) as string;
    for (const s of SCENARIOS) {
      expect(html).toContain(`<h3><code>${s.id}</code></h3>`);
      const section = doc.split(`### \`${s.id}\``)[1]!.split('\n### ')[0]!.split('\n## ')[0]!;
      expect(section).toContain(s.sends.replace(/\|/g, '\\|').replace(/</g, '&lt;'));
      expect(section).toContain(s.expects.replace(/\|/g, '\\|').replace(/</g, '&lt;'));
      for (const c of s.controls) expect(section).toContain(`| \`${c}\` | ${CONTROLS.find((x) => x.id === c)!.severity} |`);
    }
    for (const pack of new Set(SCENARIOS.map((s) => s.pack))) expect(html).toContain(`<h2>Pack: ${pack}</h2>`);
  });

  it('lists controls no scenario scores, and a table cell cannot be split by a pipe', () => {
    const controls: ControlDefinition[] = [
      { id: 'a-control', title: 'A | B <b>', clause: 1, severity: 'high', weight: 5, rationale: 'r' },
      { id: 'orphan-control', title: 'Orphan', clause: 12, severity: 'low', weight: 1, rationale: 'r' },
    ];
    const doc = renderScenarioCatalog([{ id: 's1', title: 'S', pack: 'p', clauses: [1], controls: ['a-control'], sends: 'x | y', expects: 'z' }], controls);
    const html = marked.parse(doc, { async: false, gfm: true }) as string;
    expect(html).toContain('<td>A | B &lt;b&gt;</td>');
    expect(html).not.toContain('<b>');
    expect(doc.split('## Controls no scenario scores')[1]).toContain('`orphan-control`');
    expect(doc.split('## Controls no scenario scores')[1]).not.toContain('`a-control`');
  });
});
