import path from 'node:path';
import type { ControlResult, RunReport } from '../harness/model/report.js';
import type { Severity } from '../harness/model/control.js';
import type { Redactor } from '../harness/redact.js';
import { clauseTitle } from './clauses.js';
import { describeInput, describeResponse } from './counterexample.js';
import { sanitizeForTerminal, terminalLine } from './escape.js';
import type { Reporter } from './reporter.js';

export interface ConsoleSummaryOptions {
  /** Where the report files were written, shown before the verdict. */
  files?: { json: string; junit: string; html?: string; sarif?: string };
  /** Applied to the whole report before anything is printed. */
  redactor?: Redactor;
  /** Force colour on or off; default: only on a TTY with NO_COLOR unset. */
  color?: boolean;
  /** Environment consulted for NO_COLOR (default process.env). */
  env?: Record<string, string | undefined>;
  /** Longest line of connector-originated text (default 160). */
  width?: number;
}

type Stream = { write(text: string): unknown; isTTY?: boolean };

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const MAX_FAILED_SHOWN = 50;
const MAX_LIST = 10;

/**
 * The human summary of a run: header, failed controls first (each with its
 * evidence, smallest failing input and replay command), counts by clause, then the
 * report paths and, as the last line, `VERDICT: <verdict>  score <n>/100  tier <tier>`.
 * All text from the connector (and the manifest) is sanitised and truncated.
 */
export function renderConsoleSummary(input: RunReport, opts: ConsoleSummaryOptions & { colorize?: boolean } = {}): string {
  const report = opts.redactor ? opts.redactor.redactDeep(input) : input;
  const c = palette(opts.colorize ?? false);
  const width = opts.width ?? 160;
  const t = (s: unknown, max = width) => terminalLine(typeof s === 'string' ? s : String(s), max);
  const out: string[] = [];

  out.push(c.bold(`Gauntlet ${t(report.tool.version, 40)}`) + ` · connector ${t(report.connector.name, 80)} ${t(report.connector.version, 40)} (${t(report.connector.type, 40)})`);
  out.push(c.dim(`tier ${report.tier} · seed ${report.seed} · sandbox ${report.sandbox} · run ${t(report.runId, 80)} · ${(report.durationMs / 1000).toFixed(1)} s`));
  if (report.partial) out.push(c.yellow(`PARTIAL RUN: ${t(report.partialReason ?? 'interrupted', width)} (the verdict covers only what was measured)`));

  const failed = report.controls
    .filter((r) => r.status === 'fail')
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.clause - b.clause || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  out.push('');
  if (failed.length === 0) out.push(c.green('No failed controls.'));
  else {
    out.push(c.red(c.bold(`FAILED CONTROLS (${failed.length})`)));
    for (const r of failed.slice(0, MAX_FAILED_SHOWN)) out.push(...failedControlLines(r, report, c, t, width, opts.files?.json));
    if (failed.length > MAX_FAILED_SHOWN) out.push(`  … ${failed.length - MAX_FAILED_SHOWN} more failed controls in the JSON report`);
  }

  out.push('');
  const s = countBy(report.scenarios.map((x) => x.status));
  out.push(
    c.bold('SCENARIOS') +
      `  ${s.get('passed') ?? 0} passed · ${s.get('failed') ?? 0} failed · ${s.get('errored') ?? 0} errored · ${s.get('timed-out') ?? 0} timed out · ${s.get('skipped') ?? 0} skipped`,
  );
  const broken = report.scenarios.filter((x) => x.status === 'errored' || x.status === 'timed-out');
  for (const x of broken.slice(0, MAX_LIST)) out.push(`  ${c.red('!')} ${t(x.id, 80)} ${x.status}: ${t(x.reason ?? 'no reason recorded', width)}`);
  if (broken.length > MAX_LIST) out.push(`  … ${broken.length - MAX_LIST} more`);

  out.push('', c.bold('CONTROLS BY CLAUSE') + c.dim('  (pass / fail / skip)'));
  const clauses = [...new Set(report.controls.map((r) => r.clause))].sort((a, b) => a - b);
  for (const clause of clauses) {
    const rs = report.controls.filter((r) => r.clause === clause);
    const n = countBy(rs.map((r) => r.status));
    const fail = n.get('fail') ?? 0;
    const counts = `${String(n.get('pass') ?? 0).padStart(3)} ${(fail ? c.red : (x: string) => x)(String(fail).padStart(3))} ${String(n.get('skip') ?? 0).padStart(3)}`;
    out.push(`  ${String(clause).padStart(2)}  ${clauseTitle(clause).padEnd(40)} ${counts}`);
  }

  if (report.findings.length > 0) {
    out.push('', c.bold(`FINDINGS (${report.findings.length})`));
    for (const f of report.findings.slice(0, MAX_LIST)) out.push(`  ${t(f.kind, 40)} [${t(f.control, 60)}] in ${t(f.where, 80)}: ${t(f.excerpt, 120)}`);
    if (report.findings.length > MAX_LIST) out.push(`  … ${report.findings.length - MAX_LIST} more in the JSON report`);
  }

  const log = report.connectorLog;
  const exitedBadly = log.exit !== undefined && (log.exit.code !== 0 || log.exit.signal !== null);
  if ((broken.length > 0 || exitedBadly) && (log.stderrTail.length > 0 || log.stdoutTail.length > 0)) {
    const lines = log.stderrTail.length > 0 ? log.stderrTail : log.stdoutTail;
    const exit = log.exit ? ` (exit code ${log.exit.code ?? '-'}, signal ${log.exit.signal ?? '-'})` : '';
    out.push('', c.bold(`CONNECTOR ${log.stderrTail.length > 0 ? 'STDERR' : 'STDOUT'}, last lines${exit}`));
    for (const l of lines.slice(-5)) out.push(c.dim(`  | ${t(l, width)}`));
  }

  const reasons = report.verdictReasons ?? [];
  if (reasons.length > 0) {
    out.push('');
    for (const r of reasons.slice(0, MAX_LIST)) out.push(c.dim(`why: ${t(r, 2 * width)}`));
  }
  out.push('');
  if (opts.files) out.push(`reports: ${[opts.files.json, opts.files.html, opts.files.junit, opts.files.sarif].filter((f): f is string => !!f).map(sanitizeForTerminal).join('  ')}`);
  out.push(`replay run: ${t(report.replay, 2 * width)}`);
  const verdictColour = report.verdict === 'certified' ? c.green : report.verdict === 'conditional' ? c.yellow : c.red;
  out.push(`${c.bold(verdictColour(`VERDICT: ${report.verdict}`))}  score ${report.score.toFixed(1)}/100  tier ${report.tier}`);
  return out.join('\n') + '\n';
}

/** Write the summary to a stream (colour decided from the stream and NO_COLOR). */
export function printConsoleSummary(report: RunReport, stream: Stream, opts: ConsoleSummaryOptions = {}): void {
  stream.write(renderConsoleSummary(report, { ...opts, colorize: opts.color ?? shouldColor(stream, opts.env ?? process.env) }));
}

/** True when a stream should get ANSI colour: a TTY, and NO_COLOR unset or empty (no-color.org). */
export function shouldColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

/** Prints the summary when the run ends. */
export class ConsoleReporter implements Reporter {
  readonly name = 'console';
  constructor(
    private readonly stream: Stream,
    private readonly opts: ConsoleSummaryOptions = {},
  ) {}

  onEnd(report: RunReport): void {
    printConsoleSummary(report, this.stream, this.opts);
  }
}

function failedControlLines(r: ControlResult, report: RunReport, c: Palette, t: (s: unknown, max?: number) => string, width: number, reportFile?: string): string[] {
  const lines = [`  ${c.red('✗')} ${c.bold(t(r.id, 80))}  ${c.dim(`[${r.severity} · clause ${r.clause} ${clauseTitle(r.clause)} · weight ${r.weight}]`)}`];
  const fails = r.evidence.filter((e) => e.status === 'fail');
  const first = fails[0] ?? r.evidence[0];
  if (first) {
    const more = fails.length > 1 ? ` (+${fails.length - 1} more)` : '';
    lines.push(`    evidence: ${t(`${first.scenario}: ${first.summary}`, width)}${more}`);
  }
  const cx = r.counterexample;
  if (cx) {
    lines.push(`    smallest input: ${t(describeInput(cx), 2 * width)} → got ${t(describeResponse(cx.response), 160)}`);
    lines.push(`    replay: ${t(cx.replay, 2 * width)}`);
    // The case id is what `gauntlet replay` takes; show it ready to paste when the run command was shown above.
    if (!cx.replay.startsWith('gauntlet replay')) {
      const file = reportFile ? path.relative(process.cwd(), reportFile) || reportFile : 'report.json';
      lines.push(`    case:   ${t(cx.caseId, 120)} → gauntlet replay ${t(file, 200)} --case ${t(cx.caseId, 120)}`);
    }
  } else {
    lines.push(`    replay: ${t(report.replay, 2 * width)}`);
  }
  return lines;
}

function countBy<T>(xs: T[]): Map<T, number> {
  const m = new Map<T, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

type Paint = (s: string) => string;
interface Palette {
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
}

function palette(on: boolean): Palette {
  const wrap = (open: number, close: number): Paint => (on ? (s) => `\u001b[${open}m${s}\u001b[${close}m` : (s) => s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39) };
}
