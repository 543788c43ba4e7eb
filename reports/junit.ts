import type { ControlResult, RunReport, ScenarioResult } from '../harness/model/report.js';
import { clauseTitle } from './clauses.js';
import { describeCounterexample } from './counterexample.js';
import { escapeXml, escapeXmlAttribute, truncate } from './escape.js';

/** Caps that keep junit.xml small enough for CI viewers whatever the connector said. */
const MAX_MESSAGE = 500;
const MAX_FAILURE_TEXT = 16 * 1024;
const MAX_EVIDENCE_LINES = 20;

/**
 * JUnit XML for CI: one `<testsuite>` per contract clause, one `<testcase>` per control
 * (name = control id, stable across runs for history). A failed control has a
 * `<failure>` (message: evidence summary; text: evidence, smallest failing input and
 * replay command); a skipped one `<skipped>`. Scenarios that errored or timed out
 * are listed in an extra `harness` suite as `<error>`s. Expects a redacted report;
 * escapes everything, so the output is well-formed XML 1.0 for any input.
 */
export function renderJunit(report: RunReport): string {
  const byClause = new Map<number, ControlResult[]>();
  for (const c of report.controls) byClause.set(c.clause, [...(byClause.get(c.clause) ?? []), c]);
  const durations = new Map(report.scenarios.map((s) => [s.id, s.durationMs]));
  const clauses = [...byClause.keys()].sort((a, b) => a - b);

  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  let errors = 0;
  let totalTime = 0;
  clauses.forEach((clause, i) => {
    const controls = [...(byClause.get(clause) ?? [])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const f = controls.filter((c) => c.status === 'fail').length;
    const s = controls.filter((c) => c.status === 'skip').length;
    const suiteScenarios = new Set(controls.flatMap((c) => c.evidence.map((e) => e.scenario)));
    const time = sumSeconds(suiteScenarios, durations);
    tests += controls.length;
    failures += f;
    skipped += s;
    totalTime += time;
    const cases = controls.map((c) => testcase(c, clause, durations, report));
    suites.push(
      `  <testsuite name="${attr(`clause ${clause}: ${clauseTitle(clause)}`)}" id="${i}" package="gauntlet" tests="${controls.length}" failures="${f}" errors="0" skipped="${s}" time="${time.toFixed(3)}" timestamp="${attr(report.startedAt)}">\n` +
        properties(report) +
        cases.join('') +
        '  </testsuite>\n',
    );
  });

  const broken = report.scenarios.filter((s) => s.status === 'errored' || s.status === 'timed-out');
  if (broken.length > 0) {
    errors = broken.length;
    tests += broken.length;
    const time = broken.reduce((t, s) => t + s.durationMs / 1000, 0);
    totalTime += time;
    suites.push(
      `  <testsuite name="harness: scenarios that errored or timed out" id="${clauses.length}" package="gauntlet" tests="${broken.length}" failures="0" errors="${broken.length}" skipped="0" time="${time.toFixed(3)}" timestamp="${attr(report.startedAt)}">\n` +
        properties(report) +
        broken.map(scenarioError).join('') +
        '  </testsuite>\n',
    );
  }

  const name = `gauntlet ${report.connector.name} ${report.connector.version}`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="${attr(name)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${totalTime.toFixed(3)}" timestamp="${attr(report.startedAt)}">\n` +
    suites.join('') +
    '</testsuites>\n'
  );
}

function testcase(c: ControlResult, clause: number, durations: Map<string, number>, report: RunReport): string {
  const time = sumSeconds(new Set(c.evidence.map((e) => e.scenario)), durations);
  const open = `    <testcase name="${attr(c.id)}" classname="gauntlet.clause${String(clause).padStart(2, '0')}" time="${time.toFixed(3)}"`;
  if (c.status === 'pass') return `${open}/>\n`;
  if (c.status === 'skip') {
    const why = c.evidence.find((e) => e.status === 'skip')?.summary ?? 'not exercised';
    return `${open}>\n      <skipped message="${attr(truncate(why, MAX_MESSAGE))}"/>\n    </testcase>\n`;
  }
  const fails = c.evidence.filter((e) => e.status === 'fail');
  const message = fails[0]?.summary ?? 'failed';
  return (
    `${open}>\n      <failure message="${attr(truncate(message, MAX_MESSAGE))}" type="${attr(c.severity)}">` +
    escapeXml(truncate(failureText(c, fails, report), MAX_FAILURE_TEXT)) +
    '</failure>\n    </testcase>\n'
  );
}

function failureText(c: ControlResult, fails: ControlResult['evidence'], report: RunReport): string {
  const lines = [`${c.title}`, `control ${c.id} · severity ${c.severity} · weight ${c.weight} · clause ${c.clause}`, '', 'evidence:'];
  for (const e of fails.slice(0, MAX_EVIDENCE_LINES)) lines.push(`  - ${truncate(`${e.scenario}: ${e.summary}`, 1000)}`);
  if (fails.length > MAX_EVIDENCE_LINES) lines.push(`  … ${fails.length - MAX_EVIDENCE_LINES} more in report.json`);
  const cx = c.counterexample;
  if (cx) {
    lines.push('', 'smallest failing input:', `  ${describeCounterexample(cx, { maxBody: 2000, maxHeaders: 2000 })}`);
    if (cx.response) lines.push(`  response body: ${JSON.stringify(truncate(cx.response.body, 1000))}`);
    lines.push(`  case ${cx.caseId} · seed ${cx.seed}${cx.path !== undefined ? ` · path ${cx.path}` : ''}`, '', `replay: ${cx.replay}`);
  } else {
    lines.push('', `replay: ${report.replay}`);
  }
  return lines.join('\n');
}

function scenarioError(s: ScenarioResult): string {
  const reason = s.reason ?? s.status;
  return (
    `    <testcase name="${attr(s.id)}" classname="gauntlet.scenario.${attr(s.pack)}" time="${(s.durationMs / 1000).toFixed(3)}">\n` +
    `      <error message="${attr(truncate(reason, MAX_MESSAGE))}" type="${s.status}">${escapeXml(truncate(`${s.title}\n${reason}`, MAX_FAILURE_TEXT))}</error>\n` +
    '    </testcase>\n'
  );
}

function properties(report: RunReport): string {
  const props: Array<[string, string]> = [
    ['runId', report.runId],
    ['connector', `${report.connector.name} ${report.connector.version}`],
    ['tier', report.tier],
    ['seed', String(report.seed)],
    ['verdict', report.verdict],
    ['score', report.score.toFixed(1)],
    ['partial', String(report.partial)],
    ['replay', report.replay],
  ];
  return '    <properties>\n' + props.map(([k, v]) => `      <property name="${attr(k)}" value="${attr(truncate(v, 2000))}"/>\n`).join('') + '    </properties>\n';
}

function sumSeconds(scenarios: Set<string>, durations: Map<string, number>): number {
  let ms = 0;
  for (const s of scenarios) ms += durations.get(s) ?? 0;
  return Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0;
}

function attr(s: string): string {
  return escapeXmlAttribute(s);
}
