import type { Command } from 'commander';
import { loadManifest } from '../../manifest/load.js';

export function registerValidate(program: Command, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('Validate a connector manifest (connector.yaml or .json): a one-line summary, or the normalised form with --json.')
    .argument('<manifest>', 'path to connector.yaml / connector.json')
    .option('--json', 'print the normalised manifest as JSON')
    .addHelpText('after', '\nExamples:\n  $ gauntlet validate examples/connectors/careful/connector.yaml\n\nExit codes: 0 valid, 2 invalid (every problem is listed with its field path).')
    .action(async (file: string, opts: { json?: boolean }) => {
      const m = await loadManifest(file);
      if (opts.json) process.stdout.write(`${JSON.stringify(m, null, 2)}\n`);
      else {
        const rules = Object.values(m.effects).reduce((n, rs) => n + rs.length, 0);
        process.stdout.write(`[gauntlet] ${file}: valid — ${m.name}@${m.version}, type ${m.type}, tier ${m.tier}, scheme ${m.webhooks.scheme}, ${m.webhooks.events.length} event type(s), ${rules} effect rule(s)\n`);
      }
      setExit(0);
    });
}
