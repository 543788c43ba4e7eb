import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { marked } from 'marked';
import { code, emitGithubOutputs, escapeCommandData, escapeCommandProperty, md, MAX_SUMMARY_CHARS, renderAnnotations, renderStepSummary } from '../../reports/github.js';
import { Redactor } from '../../harness/redact.js';
import type { RunReport } from '../../harness/model/report.js';
import { FIXTURE_SECRETS, fullReport, hostileReport, secretNeedles } from './report-fixture.js';
import { hostileString } from './hostile.js';

/** How the runner reads a workflow command back (its documented unescaping). */
function unescapeData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
function unescapeProperty(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

/** Parse `::level k=v,k=v::message` the way the runner does: properties split on `,` then the first `=`. */
function parseCommand(line: string): { level: string; props: Record<string, string>; message: string } {
  const m = /^::(\w+)(?: ([^:]*))?::(.*)$/s.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const props: Record<string, string> = {};
  for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
    const i = kv.indexOf('=');
    props[kv.slice(0, i)] = unescapeProperty(kv.slice(i + 1));
  }
  return { level: m[1]!, props, message: unescapeData(m[3]!) };
}

describe('workflow command escaping', () => {
  it('property: data and property escaping round-trip and leave no delimiter or line break', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), hostileString), (s) => {
        const data = escapeCommandData(s);
        expect(data).not.toMatch(/[\r\n]/);
        expect(unescapeData(data)).toBe(s);
        const prop = escapeCommandProperty(s);
        expect(prop).not.toMatch(/[\r\n:,]/);
        expect(unescapeProperty(prop)).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  it('escapes % first, so a literal %0A stays literal', () => {
    expect(escapeCommandData('50%0A\n')).toBe('50%250A%0A');
    expect(escapeCommandProperty('a:b,c')).toBe('a%3Ab%2Cc');
  });
});

describe('renderAnnotations', () => {
  it('one annotation per failed control, most severe first, at the manifest, with the replay command', () => {
    const lines = renderAnnotations(fullReport() as RunReport);
    expect(lines).toHaveLength(3); // 2 failed controls + the errored/timed-out scenarios warning
    const first = parseCommand(lines[0]!);
    expect(first.level).toBe('error');
    expect(first.props).toMatchObject({ file: 'examples/connectors/acme/connector.yaml', line: '1', title: 'gauntlet critical: signature-forged-rejected (clause 1)' });
    expect(first.message).toContain('replay: gauntlet replay gauntlet-report/report.json --case forged-signatures#3');
    expect(parseCommand(lines[1]!).level).toBe('notice');
    expect(parseCommand(lines[2]!)).toMatchObject({ level: 'warning' });
  });

  it('caps at 10 per level and says how many were left out', () => {
    const r = fullReport() as RunReport;
    const base = r.controls[0]!;
    r.controls = Array.from({ length: 25 }, (_, i) => ({ ...base, id: `c-${String(i).padStart(2, '0')}` }));
    r.scenarios = [];
    const lines = renderAnnotations(r);
    expect(lines.filter((l) => l.startsWith('::error '))).toHaveLength(10);
    expect(parseCommand(lines.at(-1)!).message).toContain('15 more failed control(s)');
  });

  it('property: hostile connector text cannot break out of its annotation line', () => {
    fc.assert(
      fc.property(hostileString, hostileString, (summary, name) => {
        const r = fullReport() as RunReport;
        r.controls[0]!.evidence[0]!.summary = `${summary}\n::error::injected\r\n`;
        r.controls[0]!.counterexample!.replay = name;
        for (const line of renderAnnotations(r)) {
          expect(line).not.toMatch(/[\r\n\x00-\x08\x0b-\x1f\x7f]/);
          const parsed = parseCommand(line);
          expect(Object.keys(parsed.props).every((k) => ['file', 'line', 'title'].includes(k))).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('leaves file= out when the manifest path is absolute or leaves the checkout', () => {
    const r = fullReport() as RunReport;
    r.connector.manifest = '/home/ci/connector.yaml';
    expect(parseCommand(renderAnnotations(r)[0]!).props.file).toBeUndefined();
    r.connector.manifest = '../other/connector.yaml';
    expect(parseCommand(renderAnnotations(r)[0]!).props.file).toBeUndefined();
  });
});

describe('renderStepSummary', () => {
  it('renders as Markdown with a verdict heading, a clause table and a failed controls table', () => {
    const htmlOut = marked.parse(renderStepSummary(fullReport() as RunReport), { async: false, gfm: true }) as string;
    expect(htmlOut).toMatch(/<h2>.*Gauntlet: acme-refunds 1\.4\.2 is <strong>rejected<\/strong><\/h2>/);
    expect(htmlOut).toContain('<h3>Score by clause</h3>');
    expect(htmlOut).toContain('<h3>Failed controls (2)</h3>');
    expect((htmlOut.match(/<table>/g) ?? []).length).toBe(2);
    expect(htmlOut).toContain('<code>signature-forged-rejected</code>');
    expect(htmlOut).toContain('<code>gauntlet replay gauntlet-report/report.json --case forged-signatures#3</code>');
    // Clause 1: 1 pass (w10) of 3 scored (w22) → 45.5.
    expect(htmlOut).toMatch(/<td>1\. Signatures are verified<\/td>\s*<td align="right">45\.5<\/td>/);
  });

  it('connector text adds no HTML, link, image or table cell, and shows as written', () => {
    const r = fullReport() as RunReport;
    const evil = '<script>alert(1)</script> | x | ![img](http://e.test/a.png) [link](http://e.test) **bold** `tick` <img src=x onerror=alert(2)>';
    r.controls[0]!.evidence[0]!.summary = evil;
    r.connector.name = '# heading <b>x</b>';
    r.controls[0]!.counterexample!.replay = 'gauntlet replay "a|b" `x` <script>';
    const summary = renderStepSummary(r);
    const htmlOut = marked.parse(summary, { async: false, gfm: true }) as string;
    expect(htmlOut).not.toMatch(/<script|<img|<a |<b>|<strong>bold/);
    expect(htmlOut).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const failedRows = htmlOut.split('<h3>Failed controls')[1]!.match(/<tr>[\s\S]*?<\/tr>/g)!;
    for (const row of failedRows.slice(1)) expect((row.match(/<td/g) ?? []).length).toBe(5);
    expect(htmlOut).toContain('<code>gauntlet replay &quot;a|b&quot; `x` &lt;script&gt;</code>');
  });

  it('property: hostile text never yields raw HTML elements beyond what the summary itself uses', () => {
    const allowed = new Set(['h2', 'h3', 'p', 'strong', 'em', 'code', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'ul', 'li', 'blockquote']);
    fc.assert(
      fc.property(fc.array(hostileString, { minLength: 4, maxLength: 4 }), fc.constantFrom('<script>x</script>', '<img src=x>', '[a](javascript:x)', '<a href=x>y</a>'), (texts, tag) => {
        const r = fullReport() as RunReport;
        r.controls[0]!.evidence[0]!.summary = `${texts[0]}${tag}`;
        r.connector.name = `${texts[1]}${tag}`;
        r.scenarios[5]!.reason = `${texts[2]}${tag}`;
        r.controls[0]!.counterexample!.replay = `${texts[3]}${tag}`;
        const htmlOut = marked.parse(renderStepSummary(r), { async: false, gfm: true }) as string;
        for (const m of htmlOut.matchAll(/<([a-z][a-z0-9]*)\b/gi)) expect(allowed, m[0]).toContain(m[1]!.toLowerCase());
      }),
      { numRuns: 80 },
    );
  });

  it('is bounded whatever the report holds', () => {
    const r = fullReport() as RunReport;
    const base = r.controls[0]!;
    r.controls = Array.from({ length: 2000 }, (_, i) => ({ ...base, id: `c-${i}`, evidence: [{ scenario: 's', status: 'fail', summary: 'x'.repeat(5000) }] }));
    const s = renderStepSummary(r);
    expect(s.length).toBeLessThanOrEqual(MAX_SUMMARY_CHARS);
    expect(s).toContain('more failed controls in report.json');
  });

  it('a redacted hostile report leaks no secret into annotations or summary', () => {
    const redacted = new Redactor(FIXTURE_SECRETS).redactDeep(hostileReport());
    const all = renderAnnotations(redacted).join('\n') + renderStepSummary(redacted);
    for (const needle of secretNeedles()) expect(all).not.toContain(needle);
    expect(all).not.toMatch(/\x1b/);
  });

  it('md and code keep text literal', () => {
    expect(marked.parseInline(md('*a* _b_ [c](d) <e>', 100), { async: false })).toBe('*a* _b_ [c](d) &lt;e&gt;');
    expect(marked.parseInline(code('a `b` c'), { async: false })).toBe('<code>a `b` c</code>');
    expect(marked.parseInline(code('`x`'), { async: false })).toBe('<code>`x`</code>');
  });
});

describe('emitGithubOutputs', () => {
  it('does nothing outside GitHub Actions', async () => {
    let out = '';
    await emitGithubOutputs(fullReport() as RunReport, { env: {}, stdout: { write: (s: string) => (out += s) } });
    expect(out).toBe('');
  });

  it('prints annotations and appends the summary to GITHUB_STEP_SUMMARY', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gauntlet-gh-'));
    try {
      const file = path.join(dir, 'summary.md');
      let out = '';
      const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file };
      await emitGithubOutputs(fullReport() as RunReport, { env, stdout: { write: (s: string) => (out += s) } });
      await emitGithubOutputs(fullReport() as RunReport, { env, stdout: { write: () => true } });
      expect(out.split('\n').filter(Boolean).every((l) => l.startsWith('::'))).toBe(true);
      const text = await readFile(file, 'utf8');
      expect(text.match(/### Score by clause/g)).toHaveLength(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports an unwritable summary file on stderr instead of failing the run', async () => {
    let err = '';
    await emitGithubOutputs(fullReport() as RunReport, {
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: '/nonexistent-dir/summary.md' },
      stdout: { write: () => true },
      stderr: { write: (s: string) => (err += s) },
    });
    expect(err).toContain('GITHUB_STEP_SUMMARY');
  });
});

describe('example nightly workflow (docs/ci/nightly-conformance.yml)', () => {
  it('shards match --shard i/n, shards merge with gauntlet merge, SARIF goes to code scanning', async () => {
    const { parse } = await import('yaml');
    const wf = parse(await readFile(new URL('../../docs/ci/nightly-conformance.yml', import.meta.url), 'utf8')) as {
      on: { schedule: Array<{ cron: string }> };
      jobs: Record<string, { needs?: string; strategy?: { matrix: { shard: number[] } }; steps: Array<{ uses?: string; run?: string; with?: Record<string, unknown> }>; permissions?: Record<string, string> }>;
    };
    expect(wf.on.schedule[0]!.cron).toMatch(/^\S+ \S+ \* \* \*$/);
    const shards = wf.jobs.shard!.strategy!.matrix.shard;
    expect(shards).toEqual([1, 2, 3]);
    const runStep = wf.jobs.shard!.steps.find((s) => s.run?.includes('gauntlet run'))!;
    expect(runStep.run).toContain(`--shard \${{ matrix.shard }}/${shards.length}`);
    expect(runStep.run).toContain('--seed "$SEED"');
    const merge = wf.jobs.merge!;
    expect(merge.needs).toBe('shard');
    expect(merge.steps.some((s) => s.run?.includes('npx gauntlet merge shard-*/report.json --report-dir merged'))).toBe(true);
    const sarif = merge.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))!;
    expect(sarif.with!.sarif_file).toBe('merged/report.sarif');
    expect(merge.permissions!['security-events']).toBe('write');
  });
});
