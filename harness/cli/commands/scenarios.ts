import type { Command } from 'commander';
import { GauntletError } from '../../errors.js';
import { controlById } from '../../scoring/controls.js';
import { SCENARIOS } from '../../../scenarios/index.js';

export function registerScenarios(program: Command, setExit: (code: number) => void): void {
  const cmd = program.command('scenarios').description('The published scenario catalogue.');
  cmd
    .command('list')
    .description('List every scenario with its pack and clauses (controls: scenarios show ID, or --json).')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExamples:\n  $ gauntlet scenarios list\n  $ gauntlet scenarios list --json')
    .action((opts: { json?: boolean }) => {
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(SCENARIOS.map((s) => ({ id: s.id, title: s.title, pack: s.pack, clauses: s.clauses, controls: s.controls })), null, 2)}\n`);
      } else {
        const width = Math.max(...SCENARIOS.map((s) => s.id.length));
        for (const s of SCENARIOS) process.stdout.write(`${s.id.padEnd(width)}  [${s.pack}] clause ${s.clauses.join(',')}  ${s.title}\n`);
        process.stdout.write(`\n${SCENARIOS.length} scenarios. Details: gauntlet scenarios show <id>\n`);
      }
      setExit(0);
    });
  cmd
    .command('show')
    .description('Show what a scenario sends, the safe behaviour expected, and its controls.')
    .argument('<id>', 'scenario id')
    .addHelpText('after', '\nExamples:\n  $ gauntlet scenarios show malformed-bodies')
    .action((id: string) => {
      const s = SCENARIOS.find((x) => x.id === id);
      if (!s) throw new GauntletError('GAUNTLET_ERR_SCENARIO_UNKNOWN', `unknown scenario "${id}"`, { problems: [{ path: 'id', reason: 'not in the catalogue; see `gauntlet scenarios list`' }] });
      const lines = [
        `${s.id} — ${s.title}`,
        `pack: ${s.pack}    clauses: ${s.clauses.join(', ')}`,
        '',
        `sends:   ${s.sends}`,
        `expects: ${s.expects}`,
        '',
        'controls:',
        ...s.controls.map((c) => {
          const d = controlById(c);
          return `  ${d.id} (clause ${d.clause}, ${d.severity}, weight ${d.weight}): ${d.title}`;
        }),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      setExit(0);
    });
}
