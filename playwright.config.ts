import { defineConfig } from '@playwright/test';

/**
 * Browser tests of the HTML report in Debian's Chromium (`apt-get install chromium`;
 * Playwright's own browser download is not used). The report is opened from disk
 * (file://), so there is no web server. globalSetup builds the CLI and runs it once
 * on the naive example to get a real report.
 */
export default defineConfig({
  testDir: 'test/browser',
  globalSetup: './test/browser/global-setup.ts',
  outputDir: 'test-results',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 30_000,
  // A guard against hangs, not the target: the suite takes about a minute on an idle machine.
  globalTimeout: 240_000,
  reporter: [['list']],
  use: {
    headless: true,
    viewport: { width: 1280, height: 900 },
    screenshot: 'on',
    trace: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    },
  },
});
