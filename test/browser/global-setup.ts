import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Build the CLI, then certify the naive example once (seed 3, four scenarios): the browser tests open
 * the report.html that this real run wrote. The directory is passed to the tests in
 * GAUNTLET_BROWSER_REPORT_DIR and removed by the returned teardown.
 */
export default function globalSetup(): () => void {
  if (!existsSync('/usr/bin/chromium')) {
    throw new Error('[gauntlet] browser tests need Debian\'s Chromium at /usr/bin/chromium: run `apt-get install -y chromium` (never `npx playwright install`).');
  }
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gauntlet-browser-'));
  // A real run, cut to the scenarios the page needs (passes, failures with smallest
  // inputs, latencies, effects, findings) so the suite stays well under two minutes.
  const scenarios = ['valid-events-processed', 'webhook-signature-authenticity', 'duplicate-delivery-sequential', 'malformed-bodies'].flatMap((s) => ['--scenario', s]);
  const run = spawnSync(process.execPath, ['bin/gauntlet.js', 'run', 'examples/connectors/naive/connector.yaml', '--seed', '3', ...scenarios, '--report-dir', dir], {
    cwd: root,
    encoding: 'utf8',
    timeout: 150_000,
    env: { ...process.env, GITHUB_ACTIONS: '', NO_COLOR: '1' },
  });
  // The naive connector is rejected: exit 1 is the expected outcome, anything else is a broken run.
  if (run.status !== 1 || !existsSync(path.join(dir, 'report.html'))) {
    throw new Error(`[gauntlet] the naive example run did not produce a rejected report (exit ${run.status}, signal ${run.signal}):\n${(run.stderr ?? '').slice(-2000)}`);
  }
  process.env.GAUNTLET_BROWSER_REPORT_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
