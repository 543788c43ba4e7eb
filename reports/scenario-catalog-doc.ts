import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ControlDefinition, Severity } from '../harness/model/control.js';
import type { ScenarioDefinition } from '../harness/runner/scenario.js';
import { clauseTitle } from './clauses.js';

/** Only what the catalogue doc reads from a scenario (run/applies are code, not documentation). */
export type DocumentedScenario = Pick<ScenarioDefinition, 'id' | 'title' | 'pack' | 'clauses' | 'controls' | 'sends' | 'expects' | 'tiers' | 'timeLimitMs' | 'ownConnector'>;

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
export const SCENARIO_DOC_PATH = 'docs/scenarios.md';
export const REGENERATE_COMMAND = 'npm run docs:scenarios';

/**
 * docs/scenarios.md from the catalogues: per pack, each scenario's id, title, clauses,
 * what it sends, the safe behaviour expected and the controls it scores (severity,
 * weight), then the controls no scenario exercises yet. Deterministic: the same
 * catalogues always give the same bytes, so a test can keep the doc in step.
 *
 * @example
 * await writeFile('docs/scenarios.md', renderScenarioCatalog(SCENARIOS, CONTROLS));
 */
export function renderScenarioCatalog(scenarios: readonly DocumentedScenario[], controls: readonly ControlDefinition[]): string {
  const byId = new Map(controls.map((c) => [c.id, c]));
  const packs: string[] = [];
  for (const s of scenarios) if (!packs.includes(s.pack)) packs.push(s.pack);
  const covered = new Set(scenarios.flatMap((s) => s.controls));
  const out: string[] = [];

  out.push('# Scenario catalogue', '');
  out.push(`<!-- Generated from scenarios/index.ts and harness/scoring/controls.ts. Do not edit: run \`${REGENERATE_COMMAND}\`. -->`, '');
  out.push(
    `${scenarios.length} scenarios in ${packs.length} packs score ${covered.size} of the ${controls.length} controls. ` +
      'Each scenario is self-contained (its own seed and ledger scope); a control fails when any scenario that scores it finds an unsafe case. ' +
      'Clauses refer to section 6 of the Connector Contract. Run one scenario with `gauntlet run connector.yaml --scenario <id>`, one pack with `--pack <name>`.',
    '',
  );
  out.push('## Packs', '');
  for (const p of packs) {
    const n = scenarios.filter((s) => s.pack === p).length;
    out.push(`- [${cell(p)}](#pack-${anchor(p)}): ${n} scenario${n === 1 ? '' : 's'}`);
  }
  out.push('');

  for (const p of packs) {
    out.push(`## Pack: ${cell(p)}`, '', `<a id="pack-${anchor(p)}"></a>`, '');
    for (const s of scenarios.filter((x) => x.pack === p)) {
      out.push(`### \`${s.id}\``, '', `**${cell(s.title)}**`, '');
      out.push(`- Clauses: ${[...s.clauses].sort((a, b) => a - b).map((c) => `${c} (${clauseTitle(c)})`).join(', ')}`);
      out.push(`- Tiers: ${s.tiers && s.tiers.length > 0 ? s.tiers.join(', ') : 'all'}`);
      if (s.timeLimitMs !== undefined) out.push(`- Time limit: ${(s.timeLimitMs / 1000).toFixed(s.timeLimitMs % 1000 === 0 ? 0 : 1)} s`);
      if (s.ownConnector) out.push('- Runs on its own connector instance');
      out.push('', `**Sends:** ${cell(s.sends)}`, '', `**Expected safe behaviour:** ${cell(s.expects)}`, '');
      out.push('| Control | Severity | Weight | Clause | What it protects |', '| --- | --- | ---: | ---: | --- |');
      const rows = s.controls
        .map((id) => byId.get(id) ?? { id, title: '(not in the controls catalogue)', clause: 0, severity: 'low' as Severity, weight: 0, rationale: '' })
        .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const c of rows) out.push(`| \`${c.id}\` | ${c.severity} | ${c.weight} | ${c.clause || '?'} | ${cell(c.title)} |`);
      out.push('');
    }
  }

  const uncovered = controls.filter((c) => !covered.has(c.id));
  out.push('## Controls no scenario scores', '');
  if (uncovered.length === 0) out.push('None: every control is scored by at least one scenario.', '');
  else {
    out.push(
      'Some of these are scored by the run itself rather than by a scenario (start-up, the leak and egress scanners); ' +
        'the others are reported as `skip`, which leaves them out of the score, until a scenario covers them.',
      '',
    );
    out.push('| Control | Severity | Weight | Clause | What it protects |', '| --- | --- | ---: | ---: | --- |');
    for (const c of [...uncovered].sort((a, b) => a.clause - b.clause || (a.id < b.id ? -1 : 1))) out.push(`| \`${c.id}\` | ${c.severity} | ${c.weight} | ${c.clause} | ${cell(c.title)} |`);
    out.push('');
  }
  return out.join('\n');
}

/** Our own catalogue text, but a `|` or `<` in it must not break a table or become HTML. */
function cell(s: string): string {
  return String(s).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;');
}

function anchor(s: string): string {
  return String(s).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** The doc generated from the real catalogues (imported lazily: reports/ does not depend on scenarios/ otherwise). */
export async function generateScenarioCatalog(): Promise<string> {
  const [{ SCENARIOS }, { CONTROLS }] = await Promise.all([import('../scenarios/index.js'), import('../harness/scoring/controls.js')]);
  return renderScenarioCatalog(SCENARIOS, CONTROLS);
}

async function main(argv: string[]): Promise<number> {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const file = `${root}${SCENARIO_DOC_PATH}`;
  const text = await generateScenarioCatalog();
  if (argv.includes('--write')) {
    await writeFile(file, text, 'utf8');
    process.stdout.write(`wrote ${SCENARIO_DOC_PATH}\n`);
    return 0;
  }
  if (argv.includes('--check')) {
    const current = await readFile(file, 'utf8').catch(() => '');
    if (current === text) return 0;
    process.stderr.write(`${SCENARIO_DOC_PATH} is out of date: run \`${REGENERATE_COMMAND}\`\n`);
    return 1;
  }
  process.stdout.write(text);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`[gauntlet] docs:scenarios failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
