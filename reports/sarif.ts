import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ControlDefinition, Severity } from '../harness/model/control.js';
import type { ControlResult, Finding, RunReport } from '../harness/model/report.js';
import { CONTROLS } from '../harness/scoring/controls.js';
import { clauseTitle } from './clauses.js';
import { sanitizeForTerminal, truncate } from './escape.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** Caps that keep report.sarif within what code-scanning uploads accept, whatever the connector said. */
const MAX_MESSAGE = 1000;
const MAX_FINDING_RESULTS = 500;
const MAX_NOTIFICATIONS = 100;

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, SarifLevel> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
// GitHub code scanning ranks security alerts by this property (CVSS-like, 0.0–10.0).
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

export interface SarifOptions {
  /**
   * Repository root the manifest path is made relative to (default: process.cwd()).
   * Code scanning needs repository-relative URIs to place the alert on a file.
   */
  repoRoot?: string;
  /** Catalogue that becomes tool.driver.rules (default: CONTROLS). */
  controls?: readonly ControlDefinition[];
}

/**
 * SARIF 2.1.0 for code scanning: every control in the catalogue is a rule (id =
 * control id), every failed control is a result located at the connector's manifest,
 * and every leak or egress finding is a result under its control. Fingerprints depend
 * only on control id and connector name (plus kind and place for findings), so the
 * same failure in tomorrow's run is the same alert. Expects a redacted report;
 * connector text is sanitised (control characters shown escaped) and truncated.
 *
 * @example
 * await writeFile('report.sarif', JSON.stringify(renderSarif(redacted), null, 2));
 */
export function renderSarif(report: RunReport, opts: SarifOptions = {}): SarifLog {
  const catalogue = opts.controls ?? CONTROLS;
  const rules: SarifRule[] = catalogue.map(ruleOf);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const addRule = (rule: SarifRule) => {
    if (!ruleIndex.has(rule.id)) {
      ruleIndex.set(rule.id, rules.length);
      rules.push(rule);
    }
    return ruleIndex.get(rule.id)!;
  };
  // Results can name controls the catalogue no longer has (an old report, a renamed id): they still get a rule.
  for (const c of report.controls) addRule(ruleOf({ id: c.id, title: c.title, clause: c.clause, severity: c.severity, weight: c.weight, rationale: c.title }));

  const location = manifestLocation(report.connector.manifest, opts.repoRoot ?? process.cwd());
  const connector = String(report.connector.name);
  const results: SarifResult[] = [];
  const failed = report.controls.filter((c) => c.status === 'fail').sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const c of failed) results.push(controlResult(c, ruleIndex.get(c.id)!, location, connector, report));

  const severityOf = new Map<string, Severity>([...catalogue.map((c) => [c.id, c.severity] as const), ...report.controls.map((c) => [c.id, c.severity] as const)]);
  for (const f of report.findings.slice(0, MAX_FINDING_RESULTS)) {
    const severity = severityOf.get(f.control) ?? 'high';
    const index = addRule(ruleOf({ id: f.control, title: `${f.control} finding`, clause: 10, severity, weight: 0, rationale: 'Finding reported by the leak and egress scanners.' }));
    results.push(findingResult(f, index, severity, location, connector));
  }

  const broken = report.scenarios.filter((s) => s.status === 'errored' || s.status === 'timed-out');
  const notifications = broken.slice(0, MAX_NOTIFICATIONS).map((s) => ({
    level: 'error' as const,
    message: { text: text(`scenario ${s.id} ${s.status}: ${s.reason ?? 'no reason recorded'}`) },
    descriptor: { id: `scenario-${s.status}` },
  }));

  const run: SarifRun = {
    tool: {
      driver: {
        name: 'gauntlet',
        semanticVersion: String(report.tool.version),
        version: String(report.tool.version),
        rules,
      },
    },
    automationDetails: { id: `gauntlet/${slug(connector)}/${slug(String(report.runId))}` },
    invocations: [
      {
        executionSuccessful: !report.partial && broken.length === 0,
        commandLine: text(report.replay),
        ...isoField('startTimeUtc', report.startedAt),
        ...isoField('endTimeUtc', report.finishedAt),
        toolExecutionNotifications: notifications,
        ...(report.partial ? { exitCodeDescription: text(`partial run: ${report.partialReason ?? 'interrupted'}`) } : {}),
      },
    ],
    results,
    properties: {
      connector: text(connector),
      connectorVersion: text(String(report.connector.version)),
      verdict: report.verdict,
      score: report.score,
      tier: report.tier,
      seed: report.seed,
      runId: text(String(report.runId)),
      ...(report.findings.length > MAX_FINDING_RESULTS ? { findingsOmitted: report.findings.length - MAX_FINDING_RESULTS } : {}),
    },
  };
  // No originalUriBaseIds: SRCROOT is the checkout wherever the SARIF is read, and an absolute path would leak the CI machine's layout.
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
}

function ruleOf(c: ControlDefinition): SarifRule {
  return {
    id: c.id,
    name: c.id.replace(/(^|-)([a-z0-9])/g, (_, __, ch: string) => ch.toUpperCase()),
    shortDescription: { text: text(c.title) },
    fullDescription: { text: text(c.rationale) },
    help: {
      text: text(`${c.rationale}\nContract section 6, clause ${c.clause} (${clauseTitle(c.clause)}). Severity ${c.severity}, weight ${c.weight}.`),
      markdown: `${mdText(c.rationale)}\n\nContract section 6, clause ${c.clause} (*${mdText(clauseTitle(c.clause))}*). Severity **${c.severity}**, weight ${c.weight}.`,
    },
    defaultConfiguration: { level: LEVEL[c.severity] ?? 'error' },
    properties: {
      clause: c.clause,
      severity: c.severity,
      weight: c.weight,
      tags: ['security', 'gauntlet', `clause-${c.clause}`],
      'security-severity': SECURITY_SEVERITY[c.severity] ?? '8.0',
    },
  };
}

function controlResult(c: ControlResult, ruleIndex: number, location: ArtifactLocation, connector: string, report: RunReport): SarifResult {
  const fails = c.evidence.filter((e) => e.status === 'fail');
  const summary = fails[0]?.summary ?? 'failed';
  const more = fails.length > 1 ? ` (+${fails.length - 1} more scenario(s))` : '';
  const replay = c.counterexample?.replay ?? report.replay;
  return {
    ruleId: c.id,
    ruleIndex,
    level: LEVEL[c.severity] ?? 'error',
    message: { text: text(`${c.title}: ${summary}${more}. Replay: ${replay}`) },
    locations: [physical(location)],
    partialFingerprints: { 'gauntletControl/v1': fingerprint(c.id, connector) },
    properties: {
      clause: c.clause,
      severity: c.severity,
      scenarios: [...new Set(fails.map((e) => text(e.scenario)))].slice(0, 20),
      replay: text(replay),
      ...(c.counterexample ? { caseId: text(c.counterexample.caseId), seed: c.counterexample.seed } : {}),
    },
  };
}

function findingResult(f: Finding, ruleIndex: number, severity: Severity, location: ArtifactLocation, connector: string): SarifResult {
  return {
    ruleId: f.control,
    ruleIndex,
    level: LEVEL[severity],
    message: { text: text(`${f.kind} in ${f.where}: ${f.excerpt}`) },
    locations: [physical(location)],
    partialFingerprints: { 'gauntletFinding/v1': fingerprint(f.control, connector, f.kind, f.where) },
    properties: { kind: text(f.kind), where: text(f.where) },
  };
}

function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.map(String).join('\u0000'), 'utf8').digest('hex').slice(0, 32);
}

interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

function physical(a: ArtifactLocation) {
  return { physicalLocation: { artifactLocation: { ...a }, region: { startLine: 1 } } };
}

/** The manifest as a repository-relative URI when it lies inside repoRoot, else an absolute file URI. */
export function manifestLocation(manifest: string, repoRoot: string): ArtifactLocation {
  // Lone surrogates would make encodeURIComponent throw.
  const raw = String(manifest).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  const abs = path.resolve(repoRoot, raw);
  const rel = path.relative(path.resolve(repoRoot), abs);
  if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) {
    return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: 'SRCROOT' };
  }
  return { uri: pathToFileUri(abs) };
}

function pathToFileUri(p: string): string {
  const segments = path.resolve(p).split(path.sep).map(encodeURIComponent).join('/');
  return `file://${segments.startsWith('/') ? '' : '/'}${segments}`;
}

function text(s: unknown): string {
  return truncate(sanitizeForTerminal(typeof s === 'string' ? s : String(s)), MAX_MESSAGE);
}

// Only used on our own catalogue text, but keep it inert anyway: no HTML, no links.
function mdText(s: string): string {
  return s.replace(/[\\`*_{}[\]()<>#|!~]/g, (c) => `\\${c}`);
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80) || 'unnamed';
}

function isoField(key: string, s: string): Record<string, string> {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? {} : { [key]: d.toISOString() };
}

// The subset of SARIF 2.1.0 this writer produces (validated against the official schema in tests).
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}
export interface SarifRun {
  tool: { driver: { name: string; version: string; semanticVersion: string; rules: SarifRule[] } };
  automationDetails: { id: string };
  invocations: Array<Record<string, unknown>>;
  results: SarifResult[];
  properties: Record<string, unknown>;
}
export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { clause: number; severity: Severity; weight: number; tags: string[]; 'security-severity': string };
}
export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: Array<ReturnType<typeof physical>>;
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}
