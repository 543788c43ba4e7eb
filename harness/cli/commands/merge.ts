import path from 'node:path';
import type { Command } from 'commander';
import { parseReportDir } from '../flags.js';
import { exitCodeFor } from './run.js';

export function registerMerge(program: Command, setExit: (code: number) => void): void {
  program
    .command('merge')
    .description('Combine shard reports (gauntlet run --shard i/n) into one report with one verdict.')
    .argument('<reports...>', 'report.json files of every shard')
    .option('--report-dir <dir>', 'where the merged report.json and junit.xml are written', parseReportDir, 'gauntlet-report')
    .addHelpText('after', '\nExamples:\n  $ gauntlet merge shard-1/report.json shard-2/report.json shard-3/report.json --report-dir merged\n\nExit codes: 0 certified, 1 not certified, 2 bad input (reports of different runs).')
    .action(async (files: string[], opts: { reportDir: string }) => {
      const { readReport } = await import('../../../reports/read-report.js');
      const { mergeReports } = await import('../../../reports/merge.js');
      const { writeReports } = await import('../../../reports/write-reports.js');
      const { printConsoleSummary } = await import('../../../reports/console.js');
      const { Redactor } = await import('../../redact.js');
      const reports = [];
      for (const f of files) reports.push(await readReport(f));
      const merged = mergeReports(reports);
      // Shard reports are already redacted; the merged one holds nothing new to redact.
      const redactor = new Redactor([]);
      const written = await writeReports(merged, path.resolve(opts.reportDir), redactor);
      printConsoleSummary(merged, process.stdout, { files: written, redactor });
      const { emitGithubOutputs } = await import('../../../reports/github.js');
      await emitGithubOutputs(merged);
      setExit(exitCodeFor(merged.verdict));
    });
}
