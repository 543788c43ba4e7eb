import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { renderHtmlReport } from '../../reports/html.js';
import type { RunReport } from '../../harness/model/report.js';
import { fullReport } from '../reports/report-fixture.js';

/** Everything the page did that it must not: console errors, page errors, and any request but its own file. */
function watch(page: Page, ownUrl: string) {
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  return {
    problems,
    foreignRequests: () => requests.filter((u) => u !== ownUrl),
  };
}

function reportDir(): string {
  const dir = process.env.GAUNTLET_BROWSER_REPORT_DIR;
  if (!dir) throw new Error('GAUNTLET_BROWSER_REPORT_DIR is not set: run through `npm run test:browser` (playwright.config.ts globalSetup)');
  return dir;
}

test.describe('HTML report of a real run (naive example, seed 3)', () => {
  let url: string;
  let report: RunReport;

  test.beforeAll(() => {
    const dir = reportDir();
    url = pathToFileURL(path.join(dir, 'report.html')).href;
    report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as RunReport;
  });

  test('shows verdict, score, tier and seed, makes no request and logs no error', async ({ page }, info) => {
    const w = watch(page, url);
    await page.goto(url);
    await expect(page.locator('html')).toHaveAttribute('data-ready', 'true');
    await expect(page.locator('#verdict')).toHaveText('rejected');
    await expect(page.locator('#score')).toContainText(`score ${report.score.toFixed(1)}`);
    await expect(page.locator('#tier')).toHaveText(report.tier);
    await expect(page.locator('#seed')).toHaveText('3');
    await expect(page.locator('#plot-latency rect.bar').first()).toBeVisible();
    await expect(page.locator('#plot-timeline circle.dot')).toHaveCount(Math.min(report.metrics.timeline.length, 1500));
    await expect(page.locator('#plot-clauses')).toBeVisible();
    await expect(page.locator('#scenarios tbody tr')).toHaveCount(report.scenarios.length);
    await page.screenshot({ path: info.outputPath('naive-overview.png'), fullPage: true });
    expect(w.problems).toEqual([]);
    expect(w.foreignRequests()).toEqual([]);
  });

  test('status filters and search change the visible rows', async ({ page }, info) => {
    const w = watch(page, url);
    await page.goto(url);
    const rows = page.locator('details.ctl');
    const visible = page.locator('details.ctl:visible');
    const count = (s: string) => report.controls.filter((c) => c.status === s).length;
    expect(count('fail')).toBeGreaterThan(0);
    await expect(visible).toHaveCount(report.controls.length);

    await page.getByRole('button', { name: /^Fail \(/ }).click();
    await expect(visible).toHaveCount(count('fail'));
    for (const status of await visible.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))) expect(status).toBe('fail');
    await expect(page.locator('#matrix-count')).toHaveText(`showing ${count('fail')} of ${report.controls.length} controls`);
    await page.screenshot({ path: info.outputPath('filter-fail.png') });

    await page.getByRole('button', { name: /^Pass \(/ }).click();
    await expect(visible).toHaveCount(count('pass'));
    await page.getByRole('button', { name: /^Skip \(/ }).click();
    await expect(visible).toHaveCount(count('skip'));
    // A clause with no row left is hidden with its rows.
    await expect(page.locator('section.clause:visible')).toHaveCount(new Set(report.controls.filter((c) => c.status === 'skip').map((c) => c.clause)).size);

    await page.getByRole('button', { name: /^All \(/ }).click();
    await page.getByLabel('search controls').fill('signature-forged');
    await expect(visible).toHaveCount(1);
    await expect(visible.first()).toHaveAttribute('data-id', 'signature-forged-rejected');
    await page.getByLabel('search controls').fill('no control is called this');
    await expect(visible).toHaveCount(0);
    await expect(page.locator('#matrix-empty')).toBeVisible();
    await page.getByLabel('search controls').fill('');
    await expect(rows.filter({ visible: true })).toHaveCount(report.controls.length);
    expect(w.problems).toEqual([]);
  });

  test('drill-down shows the counterexample and a replay command that copies', async ({ page }, info) => {
    // Headless clipboards may read back empty: record what the page hands to the browser's clipboard API.
    await page.addInitScript(() => {
      const clip = navigator.clipboard;
      if (!clip) return;
      const original = clip.writeText.bind(clip);
      clip.writeText = (text: string) => {
        (window as unknown as { __copied?: string }).__copied = text;
        return original(text);
      };
    });
    const w = watch(page, url);
    await page.goto(url);
    const failed = report.controls.find((c) => c.status === 'fail' && c.counterexample?.request)!;
    const row = page.locator(`details.ctl[data-id="${failed.id}"]`);
    const cx = row.locator('.counterexample');
    await expect(cx).toBeHidden();
    await row.locator('summary').click();
    await expect(cx).toBeVisible();
    await expect(cx).toContainText(failed.counterexample!.label);
    await expect(cx.locator('.mono').first()).toContainText(`${failed.counterexample!.request!.method} ${failed.counterexample!.request!.path}`);
    await expect(cx.locator('pre.request-body')).toContainText(failed.counterexample!.request!.body.slice(0, 40));
    await expect(cx.locator('.response-status')).toContainText(String(failed.counterexample!.response!.status));
    const replay = cx.locator('.replay code');
    await expect(replay).toHaveText(failed.counterexample!.replay);
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: info.outputPath('drill-down.png') });

    const copy = cx.getByRole('button', { name: 'copy the replay command' });
    await copy.click();
    await expect(copy).toHaveText(/Copied|Selected/);
    // Whichever path copied it, the replay command is what the user got or has selected.
    const got = await page.evaluate(() => (window as unknown as { __copied?: string }).__copied ?? String(window.getSelection()));
    expect(got).toBe(failed.counterexample!.replay);
    expect(w.problems).toEqual([]);
    expect(w.foreignRequests()).toEqual([]);
  });
});

test.describe('HTML report with hostile connector text', () => {
  const SCRIPT = '<script>window.__pwned=1</script>';
  const IMG = '<img src=x onerror="window.__pwned=2">';
  const ANSI = '\u001b[31mred\u001b[0m';
  const MB = 'M'.repeat(1024 * 1024);
  const ALL = `${SCRIPT} ${IMG} ${ANSI} </script> ]]> <!-- <style>body{display:none}</style>`;

  function hostile(): RunReport {
    const r = fullReport() as RunReport;
    r.connector.name = `acme ${ALL} ${MB}`;
    r.connector.version = SCRIPT;
    r.runId = `run ${ALL}`;
    r.replay = `gauntlet run x.yaml ${ALL}`;
    r.verdictReasons = [ALL];
    const c = r.controls[0]!;
    c.title = `title ${ALL}`;
    c.evidence[0]!.summary = `summary ${ALL} ${MB}`;
    c.evidence[0]!.details = { body: MB, html: ALL };
    c.counterexample!.label = `label ${ALL}`;
    c.counterexample!.request!.headers = { 'x-evil': ALL, [SCRIPT]: IMG };
    c.counterexample!.request!.body = `${ALL}${MB}`;
    c.counterexample!.request!.path = `/webhooks/${MB}`;
    c.counterexample!.response!.body = `${ALL}${MB}`;
    c.counterexample!.response!.error = ALL;
    c.counterexample!.replay = `gauntlet replay r.json --case "${ALL}"`;
    r.scenarios[0]!.title = ALL;
    r.scenarios[5]!.reason = `${ALL} ${MB}`;
    r.findings[0]!.excerpt = `${ALL} ${MB}`;
    r.findings[0]!.where = ALL;
    r.metrics.timeline = [{ at: 5, kind: 'delivery', label: `${ALL}${MB}`, status: 200 }];
    r.connectorLog.stdoutTail = [ALL, MB, `${ANSI}${SCRIPT}`];
    r.connectorLog.stderrTail = [MB + ALL];
    return r;
  }

  test('injected markup stays inert text, the page stays narrow and small', async ({ page }, info) => {
    const html = renderHtmlReport(hostile());
    expect(html.length).toBeLessThan(1_000_000);
    const file = info.outputPath('hostile-report.html');
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;
    const w = watch(page, url);
    await page.goto(url);
    await expect(page.locator('html')).toHaveAttribute('data-ready', 'true');
    await page.locator('details.ctl[data-status="fail"] summary').first().click();

    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // One script runs (the report's own), no injected element exists.
    expect(await page.locator('script:not([type="application/json"])').count()).toBe(1);
    expect(await page.locator('main img, main style, main script').count()).toBe(0);
    // The hostile text is shown, as text.
    await expect(page.locator('h1')).toContainText(`acme ${SCRIPT} ${IMG}`);
    await expect(page.locator('.counterexample pre.request-body')).toContainText(`${SCRIPT} ${IMG} \\x1b[31mred\\x1b[0m </script> ]]>`);
    await expect(page.locator('#findings td.mono')).toContainText(SCRIPT);
    await expect(page.locator('#connector-log pre.stdout')).toContainText(IMG);
    await expect(page.locator('body')).toBeVisible();
    // Layout: nothing widens the page beyond the viewport.
    const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
    expect(widths.doc).toBeLessThanOrEqual(widths.view);
    await page.screenshot({ path: info.outputPath('hostile.png'), fullPage: false });
    expect(w.foreignRequests()).toEqual([]);
    expect(w.problems).toEqual([]);
  });
});
