import { describe, expect, it } from 'vitest';
import { ConsoleReporter, printConsoleSummary, renderConsoleSummary, shouldColor } from '../../reports/console.js';
import { Redactor } from '../../harness/redact.js';
import type { RunReport } from '../../harness/model/report.js';
import { FIXTURE_SECRETS, fullReport, hostileReport, secretNeedles } from './report-fixture.js';

const files = { json: 'out/report.json', junit: 'out/junit.xml' };
// Our own SGR colour codes; anything else starting with ESC would be connector text leaking through.
const OUR_SGR = /\u001b\[(?:1|2|22|31|32|33|39)m/g;

function capture(isTTY: boolean) {
  let text = '';
  return { stream: { isTTY, write: (s: string) => ((text += s), true) }, text: () => text };
}

describe('console summary', () => {
  it('lists failed controls first, most severe first, each with evidence, smallest input and a replay command', () => {
    const out = renderConsoleSummary(fullReport() as RunReport, { files });
    const failedAt = out.indexOf('FAILED CONTROLS (2)');
    expect(failedAt).toBeGreaterThan(0);
    expect(failedAt).toBeLessThan(out.indexOf('CONTROLS BY CLAUSE'));
    expect(out.indexOf('signature-forged-rejected')).toBeLessThan(out.indexOf('signature-future-rejected'));
    expect(out).toContain('evidence: forged-signatures: accepted a delivery signed with another secret (200) (+1 more)');
    expect(out).toMatch(/smallest input: signature from another secret · POST \/webhooks · .*body 20 B .* → got 200 in 12 ms/);
    expect(out).toContain('replay: gauntlet replay gauntlet-report/report.json --case forged-signatures#3');
    // A failure without a counterexample falls back to the run's replay command.
    expect(out).toContain('replay: gauntlet run examples/connectors/acme/connector.yaml --seed 42');
    expect(out).toContain('out/report.json');
    expect(out).toMatch(/^ {3}1 {2}Signatures are verified +1 +2 +0$/m);
    expect(out).toContain('kill-switch timed-out');
  });

  it('ends with the verdict line, after the report locations', () => {
    const lines = renderConsoleSummary(fullReport() as RunReport, { files }).trimEnd().split('\n');
    expect(lines.at(-1)).toBe('VERDICT: rejected  score 72.5/100  tier critical');
    const r = fullReport() as RunReport;
    r.verdict = 'certified';
    r.score = 97.46;
    expect(renderConsoleSummary(r).trimEnd().split('\n').at(-1)).toBe('VERDICT: certified  score 97.5/100  tier critical');
  });

  it('neutralises hostile connector text, truncates megabyte strings and redacts secrets', () => {
    const out = renderConsoleSummary(hostileReport(), { files, redactor: new Redactor(FIXTURE_SECRETS) });
    expect(out).not.toContain('\u001b');
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
    expect(out).toContain('\\x1b[2J');
    expect(out.length).toBeLessThan(10_000);
    for (const needle of secretNeedles()) expect(out).not.toContain(needle);
    expect(out).toContain('[REDACTED:webhook-secret]');
  });

  it('colours only a TTY without NO_COLOR, and never lets connector escapes through', () => {
    expect(shouldColor({ isTTY: true }, {})).toBe(true);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(shouldColor({ isTTY: false }, {})).toBe(false);
    expect(shouldColor({}, {})).toBe(false);

    const tty = capture(true);
    printConsoleSummary(hostileReport(), tty.stream, { env: {} });
    expect(tty.text()).toMatch(OUR_SGR);
    expect(tty.text().replace(OUR_SGR, '')).not.toContain('\u001b');

    const noColor = capture(true);
    printConsoleSummary(hostileReport(), noColor.stream, { env: { NO_COLOR: '1' } });
    expect(noColor.text()).not.toContain('\u001b');
  });

  it('ConsoleReporter prints the summary when the run ends', () => {
    const sink = capture(false);
    new ConsoleReporter(sink.stream, { files }).onEnd(fullReport() as RunReport);
    expect(sink.text()).toContain('VERDICT: rejected');
  });

  it('says so when the run was partial', () => {
    const r = fullReport() as RunReport;
    r.partial = true;
    r.partialReason = 'interrupted by signal';
    expect(renderConsoleSummary(r)).toContain('PARTIAL RUN: interrupted by signal');
  });
});
