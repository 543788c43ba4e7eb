import type { Command } from 'commander';
import { parsePositiveInt } from '../flags.js';

export function registerHistory(program: Command, setExit: (code: number) => void): void {
  program
    .command('history')
    .description('Show the recorded runs: verdict and score trend per connector and version.')
    .option('--history <file>', 'SQLite history store', '.gauntlet/history.sqlite')
    .option('--connector <name>', 'only this connector')
    .option('--limit <n>', 'most recent runs to show', parsePositiveInt('--limit', 10_000), 50)
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExamples:\n  $ gauntlet history\n  $ gauntlet history --connector acme-refunds --limit 10')
    .action(async (opts: { history: string; connector?: string; limit: number; json?: boolean }) => {
      const { HistoryStore, renderHistory } = await import('../../history/store.js');
      const { sanitizeForTerminal } = await import('../../../reports/escape.js');
      const store = new HistoryStore(opts.history);
      try {
        const rows = store.list({ ...(opts.connector ? { connector: opts.connector } : {}), limit: opts.limit });
        if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        else if (rows.length === 0) process.stdout.write(`[gauntlet] no runs recorded in ${opts.history}${opts.connector ? ` for ${opts.connector}` : ''}\n`);
        else process.stdout.write(`${renderHistory(rows).map(sanitizeForTerminal).join('\n')}\n`);
      } finally {
        store.close();
      }
      setExit(0);
    });
}
