import { appendFile } from 'node:fs/promises';
import type { Severity } from '../harness/model/control.js';
import type { ControlResult, RunReport } from '../harness/model/report.js';
import { clauseTitle } from './clauses.js';
import { sanitizeForTerminal, truncate } from './escape.js';
import { clauseScores } from './html/plots.js';

/**
 * GitHub Actions outputs: workflow-command annotations (shown on the run and the
 * PR) and a Markdown job summary. Everything the connector said is sanitised,
 * escaped for its medium and truncated; both outputs are bounded in size.
 */

type AnnotationLevel = 'error' | 'warning' | 'notice';
const LEVEL: Record<Severity, AnnotationLevel> = { critical: 'error', high: 'error', medium: 'warning', low: 'notice' };
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
/** GitHub shows at most 10 annotations of each level per step; more are dropped silently. */
const MAX_PER_LEVEL = 10;
const MAX_MESSAGE = 1000;
/** The summary is capped well below GitHub's 1 MiB per step. */
export const MAX_SUMMARY_CHARS = 64 * 1024;
const MAX_FAILED_ROWS = 100;
const MAX_CELL = 300;

/** Escape workflow-command data (the message): `%`, CR and LF, so text cannot end the command or start a new one. */
export function escapeCommandData(s: string): string {
  return String(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escape a workflow-command property value: as data, plus `:` and `,`, which delimit properties. */
export function escapeCommandProperty(s: string): string {
  return escapeCommandData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * One `::error|warning|notice file=…,line=1,title=…::message` line per failed control,
 * most severe first, at most 10 per level (GitHub's display limit), then a notice
 * saying how many were left out. Expects a redacted report.
 *
 * @example
 * for (const line of renderAnnotations(redacted)) process.stdout.write(line + '\n');
 */
export function renderAnnotations(report: RunReport): string[] {
  const failed = sortFailed(report.controls);
  const perLevel = new Map<AnnotationLevel, number>();
  const lines: string[] = [];
  let omitted = 0;
  const file = manifestPath(report.connector.manifest);
  for (const c of failed) {
    const level = LEVEL[c.severity] ?? 'error';
    const n = perLevel.get(level) ?? 0;
    if (n >= MAX_PER_LEVEL) {
      omitted++;
      continue;
    }
    perLevel.set(level, n + 1);
    const summary = c.evidence.find((e) => e.status === 'fail')?.summary ?? 'failed';
    const replay = c.counterexample?.replay ?? report.replay;
    const title = `gauntlet ${c.severity}: ${c.id} (clause ${c.clause})`;
    const message = clean(`${c.title}\n${summary}\nreplay: ${replay}`, MAX_MESSAGE);
    const props = [...(file ? [`file=${escapeCommandProperty(file)}`, 'line=1'] : []), `title=${escapeCommandProperty(clean(title, 200))}`];
    lines.push(`::${level} ${props.join(',')}::${escapeCommandData(message)}`);
  }
  if (omitted > 0) lines.push(`::notice title=${escapeCommandProperty('gauntlet: more failures')}::${escapeCommandData(`${omitted} more failed control(s) are not annotated (GitHub shows 10 per level); see the job summary or report.json.`)}`);
  const broken = report.scenarios.filter((s) => s.status === 'errored' || s.status === 'timed-out');
  if (broken.length > 0) {
    const list = broken.slice(0, 5).map((s) => `${s.id} ${s.status}: ${s.reason ?? ''}`).join('\n');
    lines.push(`::warning title=${escapeCommandProperty(`gauntlet: ${broken.length} scenario(s) errored or timed out`)}::${escapeCommandData(clean(list, MAX_MESSAGE))}`);
  }
  return lines;
}

/**
 * The job summary in GitHub-flavoured Markdown: verdict line, score by clause, failed
 * controls (severity, evidence, replay command in a code span), scenarios that broke.
 * Connector text is escaped so it cannot add Markdown structure, HTML or links, and
 * the whole is capped at MAX_SUMMARY_CHARS.
 */
export function renderStepSummary(report: RunReport): string {
  const out: string[] = [];
  const icon = report.verdict === 'certified' ? '✅' : report.verdict === 'conditional' ? '⚠️' : '❌';
  out.push(`## ${icon} Gauntlet: ${md(report.connector.name, 120)} ${md(report.connector.version, 40)} is **${md(report.verdict, 20)}**`, '');
  out.push(`Score **${Number.isFinite(report.score) ? report.score.toFixed(1) : '?'}**/100 · tier \`${codeSafe(report.tier)}\` · seed \`${codeSafe(String(report.seed))}\` · ${(Number(report.durationMs) / 1000).toFixed(1)} s`, '');
  if (report.partial) out.push(`> **Partial run:** ${md(report.partialReason ?? 'interrupted', 500)}. The verdict covers only what was measured.`, '');
  const baseline = report.baseline;
  if (baseline) {
    const delta = Number.isFinite(baseline.scoreDelta) ? `${baseline.scoreDelta >= 0 ? '+' : ''}${baseline.scoreDelta.toFixed(1)}` : '?';
    out.push(`Baseline ${md(baseline.runId, 80)}: score ${delta}, ${baseline.newFailures.length} new failure(s), ${baseline.fixed.length} fixed${baseline.regression ? ' · **regression**' : ''}`, '');
  }
  for (const reason of (report.verdictReasons ?? []).slice(0, 10)) out.push(`- ${md(reason, 500)}`);
  if ((report.verdictReasons ?? []).length > 0) out.push('');
  out.push(`Replay: ${code(report.replay)}`, '');

  out.push('### Score by clause', '', '| Clause | Score | Pass | Fail | Skip |', '| --- | ---: | ---: | ---: | ---: |');
  for (const s of clauseScores(report.controls)) {
    out.push(`| ${s.clause}. ${md(clauseTitle(s.clause), 80)} | ${s.score === null ? '—' : s.score.toFixed(1)} | ${s.pass} | ${s.fail} | ${s.skip} |`);
  }
  out.push('');

  const failed = sortFailed(report.controls);
  out.push(`### Failed controls (${failed.length})`, '');
  if (failed.length === 0) out.push('None.', '');
  else {
    out.push('| Severity | Control | Clause | Evidence | Replay |', '| --- | --- | ---: | --- | --- |');
    for (const c of failed.slice(0, MAX_FAILED_ROWS)) {
      const summary = c.evidence.find((e) => e.status === 'fail')?.summary ?? 'failed';
      const replay = c.counterexample?.replay ?? report.replay;
      out.push(`| ${c.severity} | ${code(c.id, MAX_CELL, true)} | ${c.clause} | ${md(summary, MAX_CELL)} | ${code(replay, MAX_CELL, true)} |`);
    }
    if (failed.length > MAX_FAILED_ROWS) out.push('', `… ${failed.length - MAX_FAILED_ROWS} more failed controls in report.json.`);
    out.push('');
  }

  const broken = report.scenarios.filter((s) => s.status === 'errored' || s.status === 'timed-out');
  if (broken.length > 0) {
    out.push(`### Scenarios that errored or timed out (${broken.length})`, '');
    for (const s of broken.slice(0, 20)) out.push(`- ${code(s.id)} ${s.status}: ${md(s.reason ?? 'no reason recorded', MAX_CELL)}`);
    out.push('');
  }
  if (report.findings.length > 0) out.push(`${report.findings.length} leak/egress finding(s): see report.html or report.json.`, '');
  return bound(out.join('\n'));
}

/**
 * In GitHub Actions (`GITHUB_ACTIONS=true`): print the annotations and append the job
 * summary to `$GITHUB_STEP_SUMMARY`. Does nothing elsewhere. Never throws for a summary
 * file it cannot write: annotations and the report files still tell the story.
 */
export async function emitGithubOutputs(
  report: RunReport,
  io: { env?: Record<string, string | undefined>; stdout?: { write(s: string): unknown }; stderr?: { write(s: string): unknown } } = {},
): Promise<void> {
  const env = io.env ?? process.env;
  if (env.GITHUB_ACTIONS !== 'true') return;
  const stdout = io.stdout ?? process.stdout;
  for (const line of renderAnnotations(report)) stdout.write(`${line}\n`);
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    await appendFile(file, `${renderStepSummary(report)}\n`, 'utf8');
  } catch (e) {
    (io.stderr ?? process.stderr).write(`[gauntlet] could not append the job summary to GITHUB_STEP_SUMMARY: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

function sortFailed(controls: readonly ControlResult[]): ControlResult[] {
  return controls
    .filter((c) => c.status === 'fail')
    .sort((a, b) => (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) || a.clause - b.clause || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A repository-relative manifest path for `file=`, or nothing when it is absolute or leaves the checkout. */
function manifestPath(p: string): string | undefined {
  const s = String(p).replace(/\\/g, '/').replace(/^\.\//, '');
  if (s === '' || s.startsWith('/') || /^[A-Za-z]:/.test(s) || s.split('/').includes('..')) return undefined;
  return s;
}

/** Control characters shown as escapes (no ANSI in the log), then truncated. */
function clean(s: unknown, max: number): string {
  return truncate(sanitizeForTerminal(typeof s === 'string' ? s : String(s)), max);
}

/**
 * Markdown-inert text: one line, every ASCII punctuation character that Markdown or
 * GFM gives meaning to backslash-escaped, and `<`, `>`, `&` as entities so no HTML
 * or autolink survives.
 */
export function md(s: unknown, max: number): string {
  return clean(s, max)
    .replace(/\r?\n|\t/g, ' ')
    .replace(/[\\`*_{}[\]()#+\-.!|~:"'=^$@]/g, (c) => `\\${c}`)
    .replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));
}

/**
 * A code span that shows `s` literally: fenced with more backticks than any run
 * inside it. In a table cell `|` is escaped so it cannot split the cell (GFM
 * removes that backslash before parsing the span).
 */
export function code(s: unknown, max = MAX_CELL, inTable = false): string {
  const flat = clean(s, max).replace(/\r?\n|\t/g, ' ');
  const body = inTable ? flat.replace(/\|/g, '\\|') : flat;
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || body === '' ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

function codeSafe(s: string): string {
  return clean(s, 60).replace(/[`|\r\n]/g, '');
}

function bound(s: string): string {
  if (s.length <= MAX_SUMMARY_CHARS) return s;
  const note = '\n\n… summary truncated; see report.html or report.json.\n';
  const cut = s.lastIndexOf('\n', MAX_SUMMARY_CHARS - note.length);
  return s.slice(0, cut > 0 ? cut : MAX_SUMMARY_CHARS - note.length) + note;
}
