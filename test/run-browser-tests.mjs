#!/usr/bin/env node
// Runs the Playwright browser tests of the HTML report in Debian's Chromium. Without
// /usr/bin/chromium they cannot run: say so loudly and skip (CI installs it first).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  process.stdout.write(`\n[gauntlet] browser tests SKIPPED: ${CHROMIUM} is missing. Install Debian's Chromium (apt-get install -y chromium) to run them; never \`npx playwright install\`.\n`);
  process.exit(0);
}
const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
const r = spawnSync(process.execPath, [cli, 'test', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
