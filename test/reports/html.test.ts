import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { renderHtmlReport } from '../../reports/html.js';
import { clauseScores, latencyHistogram, timelinePlot } from '../../reports/html/plots.js';
import { Redactor } from '../../harness/redact.js';
import type { RunReport } from '../../harness/model/report.js';
import { FIXTURE_SECRETS, fullReport, hostileReport, ONE_MB, secretNeedles } from './report-fixture.js';
import { hostileString } from './hostile.js';

function scripts(html: string): Array<{ attrs: string; body: string }> {
  return [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/gi)].map((m) => ({ attrs: m[1]!, body: m[2]! }));
}

/** Elements that must never come from data: anything that can run, load or navigate. */
const DANGEROUS = /<(img|iframe|object|embed|link|base|form|a)\b/i;
/** Event handler attributes inside real tags (escaped text may say `onerror=`; a tag may not). */
function handlerAttributes(html: string): string[] {
  return [...html.matchAll(/<[a-z][^<>]*>/gi)].map((m) => m[0]).filter((tag) => /\son[a-z]+\s*=/i.test(tag));
}

describe('renderHtmlReport', () => {
  it('allows exactly its one inline script by hash, and loads nothing', () => {
    const html = renderHtmlReport(fullReport() as RunReport);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    expect(csp).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    const runnable = scripts(html).filter((s) => !/type="application\/json"/.test(s.attrs));
    expect(runnable).toHaveLength(1);
    const hash = createHash('sha256').update(runnable[0]!.body, 'utf8').digest('base64');
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/@import|url\(/);
  });

  it('shows verdict, score, tier and seed, and a row per control with the failed ones drillable', () => {
    const r = fullReport() as RunReport;
    const html = renderHtmlReport(r);
    expect(html).toContain('id="verdict">rejected<');
    expect(html).toContain('<b>score 72.5</b>/100');
    expect(html).toContain('id="tier">critical<');
    expect(html).toContain('id="seed">42<');
    expect(html.match(/<details class="ctl"/g)).toHaveLength(r.controls.length);
    expect(html).toContain('data-id="signature-forged-rejected" data-status="fail"');
    expect(html).toContain('gauntlet replay gauntlet-report/report.json --case forged-signatures#3');
    expect(html).toContain('<div class="counterexample" data-control="signature-forged-rejected">');
  });

  it('embeds client data that parses back, with </script> inert', () => {
    const r = fullReport() as RunReport;
    r.controls[0]!.evidence[0]!.summary = '</script><script>alert(1)</script>';
    const html = renderHtmlReport(r);
    const data = scripts(html).find((s) => /id="gauntlet-data"/.test(s.attrs))!;
    const parsed = JSON.parse(data.body) as { controls: Array<{ id: string; search: string }> };
    expect(parsed.controls.find((c) => c.id === 'signature-forged-rejected')!.search).toContain('</script><script>alert(1)</script>');
    expect(scripts(html)).toHaveLength(2);
  });

  it('is deterministic', () => {
    expect(renderHtmlReport(fullReport() as RunReport)).toBe(renderHtmlReport(fullReport() as RunReport));
  });

  it('a redacted hostile report: no secret, no live markup, no raw control character, bounded size', () => {
    const redacted = new Redactor(FIXTURE_SECRETS).redactDeep(hostileReport());
    const html = renderHtmlReport(redacted);
    for (const needle of secretNeedles()) expect(html).not.toContain(needle);
    expect(scripts(html)).toHaveLength(2);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u202e]/);
    expect(html.length).toBeLessThan(300_000);
    expect(html).not.toContain(ONE_MB.slice(0, 20_000));
  });

  it('property: whatever the connector said, no element or handler comes from it', () => {
    const hostileMarkup = fc.constantFrom('<img src=x onerror=alert(1)>', '<iframe src=x>', '"><svg onload=alert(1)>', "' onmouseover='x", '<a href="javascript:x">', '</script><script>x</script>', '<base href="//e.test/">');
    fc.assert(
      fc.property(fc.array(fc.tuple(hostileString, hostileMarkup), { minLength: 9, maxLength: 9 }), (parts) => {
        const p = parts.map(([a, b]) => `${a}${b}${a}`);
        const r = fullReport() as RunReport;
        r.connector.name = p[0]!;
        r.controls[0]!.title = p[1]!;
        r.controls[0]!.evidence[0]!.summary = p[2]!;
        r.controls[0]!.counterexample!.request!.headers = { [p[3]!]: p[4]! };
        r.controls[0]!.counterexample!.response!.body = p[5]!;
        r.findings[0]!.excerpt = p[6]!;
        r.metrics.timeline = [{ at: 1, kind: 'effect', label: p[7]!, status: 500 }];
        r.connectorLog.stdoutTail = [p[8]!];
        const html = renderHtmlReport(r);
        expect(scripts(html)).toHaveLength(2);
        expect(html).not.toMatch(DANGEROUS);
        expect(handlerAttributes(html)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});

describe('plots', () => {
  it('latency histogram: p50/p95/p99 markers, empty and non-finite input handled', () => {
    const svg = latencyHistogram([...Array.from({ length: 99 }, (_, i) => i + 1), 10_000]);
    expect(svg).toContain('p50 50 ms');
    expect(svg).toContain('p99 99 ms');
    expect(svg).toContain('max 10 s');
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(latencyHistogram([])).toContain('no acknowledgement latencies');
    expect(latencyHistogram([Number.NaN, -1, Infinity, 'x'])).toContain('no acknowledgement latencies');
  });

  it('timeline: one dot per event up to the cap, labels escaped', () => {
    const svg = timelinePlot([
      { at: 0, kind: 'delivery', label: '<b>x</b>', status: 200 },
      { at: 50, kind: 'effect', label: 'hub POST /v1/refunds', status: null },
    ]);
    expect(svg.match(/<circle/g)).toHaveLength(2);
    expect(svg).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(svg).toContain('st-err');
    const many = timelinePlot(Array.from({ length: 5000 }, (_, i) => ({ at: i, kind: 'delivery' as const, label: 'd', status: 200 })));
    expect((many.match(/<circle/g) ?? []).length).toBeLessThanOrEqual(1500);
  });

  it('clause scores use the run score formula: passed weight over scored weight, skips left out', () => {
    const scores = clauseScores((fullReport() as RunReport).controls);
    expect(scores.find((s) => s.clause === 1)).toEqual({ clause: 1, score: 45.5, pass: 1, fail: 2, skip: 0 });
    expect(scores.find((s) => s.clause === 4)).toEqual({ clause: 4, score: null, pass: 0, fail: 0, skip: 1 });
  });
});

describe('renderHtmlReport: merged and baseline runs', () => {
  it('shows shard, merge and baseline facts, escaped', () => {
    const r = fullReport() as RunReport;
    r.shard = { index: 2, total: 3 };
    r.mergedFrom = { runIds: ['a', 'b'], shards: 2 };
    r.baseline = { file: 'base/<b>.json', runId: 'run_0', score: 80, scoreDelta: -7.5, verdict: 'conditional', newFailures: [{ id: 'signature-forged-rejected', clause: 1, severity: 'critical' }], fixed: [], regression: true };
    const html = renderHtmlReport(r);
    expect(html).toContain('<dd>2/3</dd>');
    expect(html).toContain('<dd>2 shards</dd>');
    expect(html).toContain('<b>Regression</b> against baseline run_0 (base/&lt;b&gt;.json): score -7.5');
    expect(html).toContain('New failures: <code>signature-forged-rejected</code>');
  });
});

describe('renderHtmlReport: invisible bytes', () => {
  it('says when a request body ends with whitespace', () => {
    const r = fullReport() as RunReport;
    r.controls[0]!.counterexample!.request!.body = '{"id":"evt_1"}\r\n';
    expect(renderHtmlReport(r)).toContain('the body ends with &quot;\\r\\n&quot;');
    expect(renderHtmlReport(fullReport() as RunReport)).not.toContain('trailing-whitespace');
  });
});
