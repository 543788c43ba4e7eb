import type { LogTail } from '../driver/types.js';
import { leakContextOf } from '../leaks/context.js';
import { scanForLeaks, type LeakSource } from '../leaks/scan.js';
import type { Manifest } from '../manifest/types.js';
import { entryMatchesRule } from './effects-oracle.js';
import type { CheckOutcome } from '../model/control.js';
import type { Finding } from '../model/report.js';
import type { StartedSandbox } from '../sandbox/types.js';

export interface RunScanInput {
  manifest: Manifest;
  sandbox: StartedSandbox;
  logs: LogTail[];
  responses: Array<{ where: string; text: string }>;
  secrets: Array<{ name: string; value: string }>;
  /** False when the connector never ran a scenario: nothing to judge. */
  ranScenarios: boolean;
  /** The synthetic datasets the run's events came from (planted canaries, customer names). */
  datasets: Iterable<{ plantedValues(): string[]; knownNames(): string[] }>;
}

const MAX_FINDINGS_IN_EVIDENCE = 10;

/**
 * Whole-run checks over what the connector said and sent (clauses 8, 10, 11): leaks in
 * logs, responses and outbound requests; egress outside the allow-list; unused scopes.
 */
export function scanRunForLeaks(input: RunScanInput): { outcomes: CheckOutcome[]; findings: Finding[] } {
  if (!input.ranScenarios) return { outcomes: [], findings: [] };
  const sources: LeakSource[] = [];
  input.logs.forEach((l, i) => {
    const suffix = input.logs.length > 1 ? ` (instance ${i + 1})` : '';
    sources.push({ where: `connector stdout${suffix}`, text: l.text('stdout') });
    sources.push({ where: `connector stderr${suffix}`, text: l.text('stderr') });
  });
  sources.push(...input.responses);
  for (const e of input.sandbox.ledger.all()) {
    if (!e.requestBody) continue;
    const where = `${e.target} request ${e.method} ${e.path}${e.destination ? ` to ${e.destination}` : ''}`;
    // Hub and acquirer are entitled to card tokens and customer references; third parties (egress) are not.
    const ignore = e.target === 'egress' ? [] : ['card-token', 'customer-email', 'customer-name'];
    sources.push({ where, text: e.requestBody, ignore });
  }
  const ctx = leakContextOf({ secrets: input.secrets, datasets: input.datasets, allowedEmails: input.manifest.owner ? [input.manifest.owner] : [] });
  const findings: Finding[] = scanForLeaks(sources, ctx).map((f) => ({ kind: f.kind, control: f.control, where: f.where, excerpt: f.excerpt }));

  const outcomes: CheckOutcome[] = [];
  for (const control of ['no-secret-leak', 'no-sensitive-data-leak'] as const) {
    const mine = findings.filter((f) => f.control === control);
    outcomes.push(
      mine.length === 0
        ? { control, status: 'pass', evidence: { summary: `no ${control === 'no-secret-leak' ? 'secret' : 'card data, token or customer email'} found in ${sources.length} scanned sources` } }
        : { control, status: 'fail', evidence: { summary: `${mine.length} finding(s); first: ${mine[0]!.kind} in ${mine[0]!.where}: ${mine[0]!.excerpt}`, details: { findings: mine.slice(0, MAX_FINDINGS_IN_EVIDENCE) } } },
    );
  }

  // Clause 11: every egress attempt outside the allow-list, by destination.
  const denied = input.sandbox.ledger.all().filter((e) => e.target === 'egress' && e.status === 403);
  if (denied.length > 0) {
    const dests = [...new Set(denied.map((e) => e.destination ?? e.path))];
    outcomes.push({ control: 'egress-allowlisted', status: 'fail', evidence: { summary: `${denied.length} request(s) to destinations outside egress [${input.manifest.egress.join(', ')}]: ${dests.slice(0, 5).join(', ')}`, details: { destinations: dests } } });
    for (const d of dests.slice(0, 20)) findings.push({ kind: 'egress', control: 'egress-allowlisted', where: `egress proxy`, excerpt: `attempted ${d}` });
  } else {
    outcomes.push({ control: 'egress-allowlisted', status: 'pass', evidence: { summary: 'no request through the egress proxy left the allow-list (see docs: connectors that bypass HTTP_PROXY are only seen with the interceptor or in containers)' } });
  }

  // Clause 8: least privilege — judged only when every effect rule was exercised, so a
  // partial run (one scenario, one shard) cannot call a scope unused that it never needed.
  const used = new Set(input.sandbox.hub.usedScopes());
  const unexercised = unexercisedRules(input.manifest, input.sandbox);
  if (used.size > 0 && unexercised.length === 0) {
    const unused = input.manifest.scopes.filter((s) => !used.has(s));
    outcomes.push(
      unused.length === 0
        ? { control: 'least-privilege-scopes', status: 'pass', evidence: { summary: `all ${input.manifest.scopes.length} requested scopes were used` } }
        : { control: 'least-privilege-scopes', status: 'fail', evidence: { summary: `scopes requested but never used: ${unused.join(', ')} (used: ${[...used].join(', ')})`, details: { requested: input.manifest.scopes, used: [...used] } } },
    );
    for (const s of unused) findings.push({ kind: 'unused-scope', control: 'least-privilege-scopes', where: 'manifest scopes', excerpt: s });
  } else if (used.size > 0) {
    outcomes.push({ control: 'least-privilege-scopes', status: 'skip', evidence: { summary: `not judged: effect rule(s) never exercised in this run: ${unexercised.join('; ')}` } });
  }
  return { outcomes, findings };
}

/** Effect rules (as written in the manifest) with no committed effect in the whole run. */
export function unexercisedRules(manifest: Manifest, sandbox: StartedSandbox): string[] {
  const entries = sandbox.ledger.all().filter((e) => e.committed);
  const out: string[] = [];
  for (const [type, rules] of Object.entries(manifest.effects)) {
    for (const rule of rules) if (!entries.some((e) => entryMatchesRule(e, rule))) out.push(`${type}: ${rule.call}`);
  }
  return out;
}
