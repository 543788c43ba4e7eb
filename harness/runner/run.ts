import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { SyntheticData } from '../data/synthetic.js';
import { DEFAULT_INHERITED_ENV } from '../driver/process-connector.js';
import { startConnector } from '../driver/start.js';
import type { RunningConnector, StartResult } from '../driver/types.js';
import { GauntletError, isGauntletError } from '../errors.js';
import { expandEnv } from '../manifest/env-expand.js';
import type { Manifest } from '../manifest/types.js';
import type { CheckOutcome } from '../model/control.js';
import { REPORT_SCHEMA_VERSION, type ControlResult, type Finding, type RunReport, type ScenarioResult } from '../model/report.js';
import { Redactor } from '../redact.js';
import { EmbeddedSandbox } from '../sandbox/embedded.js';
import { ContainersSandbox, type StartedContainersSandbox } from '../sandbox/containers/containers-sandbox.js';
import type { StartedSandbox } from '../sandbox/types.js';
import { CONTROLS } from '../scoring/controls.js';
import { aggregateControl, scoreControls } from '../scoring/score.js';
import { WebhookSender } from '../webhooks/sender.js';
import { ScenarioContext, scenarioSeed, type DeferredCheck, type RunBudget } from './context.js';
import { attributedTo, checkRules, describeEntry, effectAttempts, entryMatchesRule, rulesFor } from './effects-oracle.js';
import type { LedgerEntry } from '../model/ledger.js';
import { RunRecorder } from './recorder.js';
import type { ScenarioDefinition } from './scenario.js';
import type { Reporter } from '../../reports/reporter.js';
import { scanRunForLeaks, unexercisedRules } from './leak-scan.js';
import { leakContextOf } from '../leaks/context.js';
import { maskSensitiveLines } from '../leaks/scan.js';
import { startEgressInterception, type EgressInterception } from '../egress/interception.js';
import { TOOL_VERSION } from '../version.js';
import { BETWEEN_SCENARIOS_HEALTH_MS, DEFAULT_SCENARIO_LIMIT_MS, MAX_RESTARTS } from './run-bound.js';

export interface RunOptions {
  manifest: Manifest;
  /** The manifest path as the user typed it (for replay commands). */
  manifestArg: string;
  scenarios: ScenarioDefinition[];
  seed?: number;
  sandbox?: 'embedded' | 'containers';
  reporter?: Reporter;
  /** Aborting ends the run early with a partial report (SIGINT/SIGTERM). */
  signal?: AbortSignal;
  now?: () => number;
  /** Extra replay flags (e.g. `--shard 1/3`). */
  replayFlags?: string[];
  /** Recorded in the report when the scenarios are one shard of the catalogue. */
  shard?: { index: number; total: number };
  /** How many parallel-safe scenarios run at once (default 3; 1 runs everything in order). */
  concurrency?: number;
  /** Replay one recorded case: property scenarios use `path` to regenerate just that input. */
  replay?: { caseId: string; path?: string };
  /** Property budget (`--runs`, `--time-budget`); property scenarios use their defaults when unset. */
  budget?: RunBudget;
  /** Environment the connector inherits from the harness (PATH etc.); default: a safe subset of process.env. */
  baseEnv?: Record<string, string>;
}

export interface RunResult {
  report: RunReport;
  /** Every secret of the run, for the writers' redactor. */
  redactor: Redactor;
}

/** Parallel-safe scenarios in flight at once: their waits are mostly idle settle time. */
export const DEFAULT_CONCURRENCY = 3;

/** Logs of a connector that never ran. */
const NO_LOGS: RunningConnector['logs'] = { stdoutTail: () => [], stderrTail: () => [], text: () => '', truncatedBytes: () => 0 };

export function newRunId(now: number): string {
  return `run_${now.toString(36)}_${randomBytes(4).toString('hex')}`;
}

export function newSeed(): number {
  return randomBytes(4).readUInt32BE(0) & 0x7fffffff;
}

function safeBaseEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  // One allow-list for what a connector may inherit: the driver's.
  for (const k of DEFAULT_INHERITED_ENV) {
    const v = process.env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * Runs one certification: one sandbox, one connector (restarted if it dies, bounded),
 * scenarios in order with a time limit each. Connector misbehaviour never throws;
 * only harness faults and bad input do.
 */
export async function runCertification(opts: RunOptions): Promise<RunResult> {
  const now = opts.now ?? Date.now;
  const manifest = opts.manifest;
  const seed = opts.seed ?? newSeed();
  const startedAt = now();
  const runId = newRunId(startedAt);
  const reporter = opts.reporter ?? {};
  const signal = opts.signal ?? new AbortController().signal;
  const recorder = new RunRecorder(startedAt);
  const outcomesByControl = new Map<string, Array<CheckOutcome & { scenario: string }>>();
  const scenarioResults: ScenarioResult[] = [];
  const extraConnectors: RunningConnector[] = [];
  const webhookResponses: Array<{ where: string; text: string }> = [];
  const datasets: SyntheticData[] = [];
  const deferred: DeferredCheck[] = [];
  let partialReason: string | undefined;

  const addOutcome = (scenario: string, o: CheckOutcome) => {
    const list = outcomesByControl.get(o.control) ?? [];
    list.push({ ...o, scenario });
    outcomesByControl.set(o.control, list);
  };

  reporter.onBegin?.({ runId, connector: { name: manifest.name, version: manifest.version }, tier: manifest.tier, seed, scenarios: opts.scenarios.map((s) => ({ id: s.id, title: s.title, pack: s.pack })) });

  // Containers: the sandbox services and the connector run in Docker (issue 5); same seams, same scenarios.
  const sandbox: StartedSandbox =
    opts.sandbox === 'containers'
      ? await new ContainersSandbox(manifest).withSeed(seed).withClock(now).withRunId(runId).withSignal(signal).start()
      : await new EmbeddedSandbox(manifest).withSeed(seed).withClock(now).start();
  sandbox.ledger.onEntry((e) => recorder.effect(e));
  sandbox.ledger.setAttributionPolicy((entry, candidates) =>
    candidates.find((c) => rulesFor(manifest, c.eventType).some((r) => entryMatchesRule(entry as LedgerEntry, r))) ?? candidates[0]);
  // Clause 11 for Node connectors, whose fetch ignores HTTP_PROXY: a preloaded interceptor shows every destination (docs/egress.md).
  let egress: EgressInterception | undefined;
  try {
    egress = sandbox.kind === 'embedded' && sandbox.egressAllows ? await startEgressInterception({ manifest, ledger: sandbox.ledger, allows: (h, p) => sandbox.egressAllows!(h, p), ...(sandbox.egressProxyUrl ? { egressProxyUrl: sandbox.egressProxyUrl } : {}) }) : undefined;
  } catch (err) {
    await sandbox.stop();
    throw err;
  }
  const harnessEnv = sandbox.connectorEnv();
  const baseEnv = opts.baseEnv ?? safeBaseEnv();
  const connectorEnv = (overrides: Record<string, string> = {}) => {
    const h = { ...harnessEnv, ...overrides };
    const env = { ...baseEnv, ...h, ...expandEnv(manifest.run.env, h) };
    return egress ? egress.apply(env) : env;
  };
  const startRaw = (overrides?: Record<string, string>): Promise<StartResult> =>
    sandbox.kind === 'containers' ? (sandbox as StartedContainersSandbox).startConnector(manifest, connectorEnv(overrides), { signal }) : startConnector(manifest, connectorEnv(overrides), { signal });
  // The driver rejects a start cut short by the run's signal (it has already stopped the
  // connector); for the run that is an interrupt, which ends in a partial report, not a throw.
  const start = async (overrides?: Record<string, string>): Promise<StartResult> => {
    try {
      return await startRaw(overrides);
    } catch (err) {
      if (signal.aborted && isGauntletError(err) && err.code === 'GAUNTLET_ERR_INTERRUPTED') {
        return { ok: false, reason: 'not-healthy-in-time', message: 'start interrupted: the run is being stopped', logs: NO_LOGS, elapsedMs: 0 };
      }
      throw err;
    }
  };

  let connector: RunningConnector | undefined;
  let sender: WebhookSender | undefined;
  // One keep-alive pool per connector instance; closed before connectors stop so their graceful shutdown is not held up by idle sockets.
  const senders = new Map<RunningConnector, WebhookSender>();
  const senderFor = (c: RunningConnector) => {
    let s = senders.get(c);
    if (!s) {
      s = new WebhookSender({ baseUrl: c.baseUrl, path: manifest.webhooks.path, timeoutMs: 30_000 });
      senders.set(c, s);
    }
    return s;
  };
  let restarts = 0;
  let connectorExit: RunReport['connectorLog']['exit'];
  const logsOf: RunningConnector[] = [];
  // A connector that dies mid-run drops every event sent while it is down: the verdict must say so,
  // not just restart it. Recorded once per instance.
  const diedOnce = new Set<RunningConnector>();
  // Only an exit counts: a slow health answer on a loaded machine is not proof of a crash (the
  // connector is still restarted, and the scenarios that follow judge it).
  const recordDeath = (c: RunningConnector, during: string, exit: NonNullable<RunReport['connectorLog']['exit']>) => {
    if (diedOnce.has(c)) return;
    diedOnce.add(c);
    const what = `exited (${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`})`;
    const when = during === 'connector-start' ? 'after becoming healthy, before the first scenario' : `during scenario ${during}`;
    addOutcome(during, { control: 'connector-starts-healthy', status: 'fail', evidence: { summary: `connector ${what} ${when}`, details: { stderrTail: c.logs.stderrTail(20), stdoutTail: c.logs.stdoutTail(20) } } });
  };
  let lastScenario = 'connector-start';

  try {
    const first = await start();
    if (!first.ok && signal.aborted) {
      // Stopped while starting: the connector was not given its start time, so no verdict on it.
      partialReason = 'interrupted';
      connectorExit = first.exit;
      for (const s of opts.scenarios) scenarioResults.push({ id: s.id, title: s.title, pack: s.pack, clauses: s.clauses, status: 'skipped', durationMs: 0, reason: 'run interrupted', deliveries: 0, outcomes: [] });
      return await finish(first.logs);
    }
    if (!first.ok) {
      addOutcome('connector-start', { control: 'connector-starts-healthy', status: 'fail', evidence: { summary: first.message, details: { reason: first.reason, elapsedMs: first.elapsedMs, stderrTail: first.logs.stderrTail(20), stdoutTail: first.logs.stdoutTail(20) } } });
      connectorExit = first.exit;
      for (const s of opts.scenarios) scenarioResults.push({ id: s.id, title: s.title, pack: s.pack, clauses: s.clauses, status: 'skipped', durationMs: 0, reason: 'connector did not start', deliveries: 0, outcomes: [] });
      partialReason = undefined;
      return await finish(first.logs);
    }
    connector = first.connector;
    logsOf.push(connector);
    sender = senderFor(connector);
    addOutcome('connector-start', { control: 'connector-starts-healthy', status: 'pass', evidence: { summary: `healthy after ${Math.round(first.startMs)} ms` } });

    // Scenarios that touch no sandbox-global state run concurrently first; the rest run alone, in order.
    const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
    const isParallel = (s: ScenarioDefinition) => s.parallel === true && concurrency > 1;
    const order = new Map(opts.scenarios.map((s, i) => [s.id, i]));
    let restartLock: Promise<boolean> | undefined;
    const ensureConnector = async (): Promise<string | undefined> => {
      // One restart at a time: concurrent scenarios that see the same death share it.
      while (restartLock) await restartLock;
      if (connector!.exitInfo() === undefined && (await connector!.checkHealth(BETWEEN_SCENARIOS_HEALTH_MS))) return undefined;
      if (restartLock) return ensureConnector();
      let reason: string | undefined;
      restartLock = (async () => {
        const exit = connector!.exitInfo();
        if (exit) recordDeath(connector!, lastScenario, exit);
        senders.get(connector!)?.close();
        await connector!.stop();
        if (restarts >= MAX_RESTARTS) {
          reason = partialReason = `connector died ${restarts + 1} times; stopped restarting`;
          return false;
        }
        restarts++;
        const again = await start();
        if (!again.ok && signal.aborted) {
          reason = partialReason = 'interrupted';
          return false;
        }
        if (!again.ok) {
          reason = partialReason = `connector could not be restarted after ${exit ? `exit code=${exit.code} signal=${exit.signal}` : 'becoming unhealthy'}: ${again.message}`;
          restarts = MAX_RESTARTS;
          return false;
        }
        connector = again.connector;
        logsOf.push(connector);
        sender = senderFor(connector);
        return true;
      })();
      try {
        await restartLock;
      } finally {
        restartLock = undefined;
      }
      return reason;
    };
    const runOne = async (scenario: ScenarioDefinition, exclusive: boolean) => {
      const skipped = (reason: string) => scenarioResults.push({ id: scenario.id, title: scenario.title, pack: scenario.pack, clauses: scenario.clauses, status: 'skipped', durationMs: 0, reason, deliveries: 0, outcomes: [] });
      if (signal.aborted) {
        partialReason = 'interrupted';
        return skipped('run interrupted');
      }
      // A connector that died in an earlier scenario is restarted (bounded) so one crash does not void the run.
      const cannot = await ensureConnector();
      if (cannot) return skipped(cannot);
      lastScenario = scenario.id;
      const result = await runScenario(scenario, exclusive);
      scenarioResults.push(result);
      reporter.onScenarioEnd?.(result);
    };
    const parallel = opts.scenarios.filter(isParallel);
    let next = 0;
    const worker = async () => {
      while (next < parallel.length) await runOne(parallel[next++]!, false);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, parallel.length) }, worker));
    for (const scenario of opts.scenarios.filter((s) => !isParallel(s))) await runOne(scenario, true);
    scenarioResults.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    // Died during the last scenario (nothing after it would have noticed).
    const lastExit = connector.exitInfo();
    if (lastExit && !signal.aborted) recordDeath(connector, lastScenario, lastExit);
    return await finish(connector.logs);
  } finally {
    for (const s of senders.values()) s.close();
    await Promise.allSettled([...extraConnectors, ...(connector ? [connector] : [])].map((c) => c.stop()));
    await egress?.close();
    await sandbox.stop();
  }

  async function runScenario(scenario: ScenarioDefinition, exclusive: boolean): Promise<ScenarioResult> {
    const mine: RunningConnector[] = [];
    reporter.onScenarioBegin?.({ id: scenario.id, title: scenario.title, pack: scenario.pack });
    const t0 = now();
    const base = { id: scenario.id, title: scenario.title, pack: scenario.pack, clauses: scenario.clauses };
    const applies = scenario.applies ? scenario.applies(manifest) : true;
    if (applies !== true) {
      for (const c of scenario.controls) addOutcome(scenario.id, { control: c, status: 'skip', evidence: { summary: applies } });
      return { ...base, status: 'skipped', durationMs: 0, reason: applies, deliveries: 0, outcomes: scenario.controls.map((c) => ({ control: c, status: 'skip' as const, summary: applies })) };
    }
    const limitMs = scenario.timeLimitMs ?? DEFAULT_SCENARIO_LIMIT_MS;
    const ac = new AbortController();
    const onAbort = () => ac.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    // Ledger entries carry the scenario id only when it runs alone; concurrent ones are told apart by event attribution.
    if (exclusive) sandbox.ledger.setScenario(scenario.id);
    const ctx = new ScenarioContext({
      exclusive,
      manifest,
      manifestArg: opts.manifestArg,
      scenarioId: scenario.id,
      runSeed: seed,
      data: (() => {
        const d = new SyntheticData(scenarioSeed(seed, scenario.id));
        datasets.push(d);
        return d;
      })(),
      sandbox,
      sender: () => sender!,
      connector: () => connector!,
      signal: ac.signal,
      recorder,
      now,
      senderFor,
      settleMaxMs: Math.max(3_000, Math.min(manifest.sla.outboundTimeoutMs + 2_000, 15_000)),
      startExtraConnector: async (overrides) => {
        const r = await start(overrides);
        if (r.ok) {
          extraConnectors.push(r.connector);
          mine.push(r.connector);
        }
        return r;
      },
      ...(opts.replay ? { replay: opts.replay } : {}),
      defer: (check) => {
        if (deferred.length < 10_000) deferred.push(check);
      },
      ...(opts.budget ? { budget: opts.budget } : {}),
      onResponse: (where, text) => {
        if (webhookResponses.length < 2_000) webhookResponses.push({ where, text });
      },
    });
    let timer: NodeJS.Timeout | undefined;
    let onRunAbort: (() => void) | undefined;
    try {
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), limitMs);
      });
      // An interrupt ends the scenario now, not when its own waits run out.
      const interrupted = new Promise<'interrupted'>((resolve) => {
        onRunAbort = () => resolve('interrupted');
        if (signal.aborted) onRunAbort();
        else signal.addEventListener('abort', onRunAbort, { once: true });
      });
      const running = scenario.run(ctx);
      // Once the race is decided by the time limit or an interrupt, a late rejection must not crash the harness.
      running.catch(() => undefined);
      const outcome = await Promise.race([running, timeout, interrupted]);
      // Outcomes measured while the run was being stopped (aborted deliveries) say nothing about the connector.
      if (outcome === 'interrupted' || signal.aborted) {
        partialReason = 'interrupted';
        return { ...base, status: 'skipped', durationMs: now() - t0, reason: 'run interrupted', deliveries: ctx.deliveries, outcomes: [] };
      }
      if (outcome === 'timeout') {
        ac.abort(new Error('scenario time limit'));
        const summary = `scenario exceeded its time limit of ${limitMs} ms (the connector kept it waiting)`;
        for (const c of scenario.controls) addOutcome(scenario.id, { control: c, status: 'fail', evidence: { summary } });
        return { ...base, status: 'timed-out', durationMs: now() - t0, reason: summary, deliveries: ctx.deliveries, outcomes: scenario.controls.map((c) => ({ control: c, status: 'fail' as const, summary })) };
      }
      for (const o of outcome) addOutcome(scenario.id, o);
      const failed = outcome.some((o) => o.status === 'fail');
      return { ...base, status: failed ? 'failed' : 'passed', durationMs: now() - t0, deliveries: ctx.deliveries, outcomes: outcome.map((o) => ({ control: o.control, status: o.status, summary: o.evidence.summary })) };
    } catch (err) {
      if (signal.aborted) {
        partialReason = 'interrupted';
        return { ...base, status: 'skipped', durationMs: now() - t0, reason: 'run interrupted', deliveries: ctx.deliveries, outcomes: [] };
      }
      // A throw is a harness fault: reported as errored, never as a pass.
      const reason = `harness error: ${err instanceof Error ? err.message : String(err)}`;
      reporter.onError?.(err);
      return { ...base, status: 'errored', durationMs: now() - t0, reason, deliveries: ctx.deliveries, outcomes: [] };
    } finally {
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (onRunAbort) signal.removeEventListener('abort', onRunAbort);
      if (exclusive) sandbox.ledger.setScenario(undefined);
      for (const c of mine) {
        senders.get(c)?.close();
        senders.delete(c);
        extraConnectors.splice(extraConnectors.indexOf(c), 1);
        await c.stop();
      }
    }
  }

  /** Late effects: wait for the ledger to go quiet once, then re-check every deferred expectation. */
  async function recheckDeferred(): Promise<void> {
    if (deferred.length === 0 || signal.aborted) return;
    const deadline = now() + 5_000;
    for (;;) {
      const entries = sandbox.ledger.all();
      const last = entries.length ? entries[entries.length - 1]!.at : 0;
      if (now() - Math.max(last, recorder.lastDeliveryAt) >= 500 || now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const all = sandbox.ledger.all();
    const reported = new Set<string>();
    for (const d of deferred) {
      const key = `${d.scenario}|${d.control}`;
      const already = (outcomesByControl.get(d.control) ?? []).some((o) => o.scenario === d.scenario && o.status === 'fail');
      if (already || reported.has(key)) continue;
      const mine = attributedTo(all, d.event.id);
      let problem: string | undefined;
      if (d.kind === 'no-effect') {
        const attempts = effectAttempts(mine);
        if (attempts.length) problem = `caused ${attempts.slice(0, 3).map(describeEntry).join('; ')}`;
      } else {
        const over = checkRules(manifest, d.event.type, mine).filter((c) => !c.maxOk);
        if (over.length) problem = `${over[0]!.committed} × ${over[0]!.rule.call} for one event (max ${over[0]!.rule.max})`;
      }
      if (!problem) continue;
      reported.add(key);
      addOutcome(d.scenario, { control: d.control, status: 'fail', evidence: { summary: `found after the run settled: "${d.label}" ${problem}` }, counterexample: d.counterexample() });
    }
  }

  async function finish(logs: RunningConnector['logs']): Promise<RunResult> {
    await recheckDeferred();
    const finishedAt = now();
    const secrets = [
      { name: 'webhook-secret', value: sandbox.secrets.webhookSecret },
      { name: 'client-secret', value: sandbox.secrets.clientSecret },
      ...sandbox.hub.issuedTokens().map((t) => ({ name: 'bearer-token', value: t })),
    ];
    const redactor = new Redactor(secrets);
    // Clause 10/11: scanned over everything the connector said or sent during the run.
    const leaks = scanRunForLeaks({ manifest, sandbox, logs: logsOf.length ? logsOf.map((c) => c.logs) : [logs], responses: webhookResponses, secrets, datasets, ranScenarios: scenarioResults.some((s) => s.status !== 'skipped') });
    for (const o of leaks.outcomes) addOutcome('run-scan', o);

    const controls: ControlResult[] = CONTROLS.map((def) => {
      const outs = outcomesByControl.get(def.id) ?? [];
      const status = aggregateControl(outs);
      const firstFail = outs.find((o) => o.status === 'fail' && o.counterexample);
      return {
        id: def.id,
        title: def.title,
        clause: def.clause,
        severity: def.severity,
        weight: def.weight,
        status,
        evidence: outs.length
          ? outs.map((o) => ({ scenario: o.scenario, status: o.status, summary: o.evidence.summary, ...(o.evidence.details ? { details: o.evidence.details } : {}) }))
          : [{ scenario: '-', status: 'skip' as const, summary: 'not exercised by the scenarios of this run' }],
        ...(firstFail?.counterexample ? { counterexample: firstFail.counterexample } : {}),
      };
    });
    // Log tails quote the connector verbatim: mask what it should never have printed.
    const leakCtx = leakContextOf({ secrets, datasets, allowedEmails: manifest.owner ? [manifest.owner] : [] });
    const scored = scoreControls(controls, manifest.tier);
    const replayFlags = [`--seed ${seed}`, ...(opts.replayFlags ?? [])];
    const report: RunReport = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      tool: { name: 'gauntlet', version: TOOL_VERSION },
      runId,
      connector: { name: manifest.name, version: manifest.version, type: manifest.type, manifest: path.relative(process.cwd(), manifest.source.path) || manifest.source.path },
      tier: manifest.tier,
      seed,
      sandbox: sandbox.kind,
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
      durationMs: finishedAt - startedAt,
      verdict: scored.verdict,
      score: scored.score,
      verdictReasons: scored.reasons,
      partial: partialReason !== undefined,
      ...(partialReason !== undefined ? { partialReason } : {}),
      controls,
      scenarios: scenarioResults,
      findings: mergeFindings(leaks.findings, [...outcomesByControl.values()].flat()),
      scopeUsage: { requested: [...manifest.scopes], used: sandbox.hub.usedScopes(), unexercisedRules: unexercisedRules(manifest, sandbox) },
      ...(opts.shard ? { shard: opts.shard } : {}),
      replay: `gauntlet run ${opts.manifestArg} ${replayFlags.join(' ')}`,
      metrics: { ackLatencyMs: recorder.ackLatencyMs, timeline: recorder.timeline },
      connectorLog: {
        stdoutTail: maskSensitiveLines(logs.stdoutTail(50), leakCtx),
        stderrTail: maskSensitiveLines(logs.stderrTail(50), leakCtx),
        truncatedBytes: logs.truncatedBytes(),
        ...(connectorExit ?? connector?.exitInfo() ? { exit: (connectorExit ?? connector?.exitInfo())! } : {}),
      },
      ledger: sandbox.ledger.all().slice(0, 5_000).map((e) => ({ seq: e.seq, at: e.at, target: e.target, method: e.method, path: e.path, status: e.status, committed: e.committed, ...(e.idempotencyKey ? { idempotencyKey: e.idempotencyKey } : {}), ...(e.scenarioId ? { scenarioId: e.scenarioId } : {}), ...(e.fault ? { fault: e.fault } : {}), ...(e.destination ? { destination: e.destination } : {}) })),
    };
    return { report, redactor };
  }
}


/** Findings a scenario reported in its evidence (e.g. a signing oracle) join the whole-run scan's, once each. */
function mergeFindings(scan: Finding[], outcomes: Array<CheckOutcome & { scenario: string }>): Finding[] {
  const out = [...scan];
  const seen = new Set(out.map((f) => `${f.kind}|${f.control}|${f.where}|${f.excerpt}`));
  for (const o of outcomes) {
    if (o.status !== 'fail' || o.scenario === 'run-scan') continue;
    const listed = (o.evidence.details as { findings?: unknown } | undefined)?.findings;
    if (!Array.isArray(listed)) continue;
    for (const f of listed) {
      if (!f || typeof f !== 'object') continue;
      const { kind, control, where, excerpt } = f as Record<string, unknown>;
      if (typeof kind !== 'string' || typeof control !== 'string' || typeof where !== 'string' || typeof excerpt !== 'string') continue;
      const key = `${kind}|${control}|${where}|${excerpt}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ kind, control, where, excerpt });
    }
  }
  return out;
}
