import { createHash } from 'node:crypto';
import type { AnyEventEnvelope, SyntheticData } from '../data/synthetic.js';
import type { RunningConnector, StartResult } from '../driver/types.js';
import type { EffectRule, Manifest } from '../manifest/types.js';
import type { CheckOutcome, Counterexample } from '../model/control.js';
import type { Delivery, DeliveryOutcome } from '../model/delivery.js';
import type { LedgerEntry } from '../model/ledger.js';
import type { StartedSandbox } from '../sandbox/types.js';
import { buildDelivery } from '../webhooks/deliveries.js';
import type { WebhookSender } from '../webhooks/sender.js';
import { attributedTo, checkRules, effectAttempts, mentioning, rulesFor, type RuleCheck } from './effects-oracle.js';
import type { RunRecorder } from './recorder.js';

/** The event envelope of contract section 4 (loosely typed: scenarios mutate it on purpose). */
export type EventEnvelope = AnyEventEnvelope;

export interface SettleOptions {
  /** Events whose `effects.min` should be met before settling ends early. */
  expectEffects?: EventEnvelope[];
  /** The ledger must be quiet this long (ms) before settling ends. */
  quietMs?: number;
  /** Hard bound (ms). */
  maxMs?: number;
}

/** Property-scenario budget from `--runs` / `--time-budget`; unset fields use each scenario's defaults. */
export interface RunBudget {
  /** Generated cases per property. */
  runs?: number;
  /** Wall-clock budget (ms) for generating cases in one property scenario. */
  timeBudgetMs?: number;
}

/**
 * An expectation re-checked once more after the whole run settles: a connector that
 * answers 4xx and then acts late is still caught, so scenarios need only short quiet times.
 */
export interface DeferredCheck {
  scenario: string;
  control: string;
  kind: 'no-effect' | 'max';
  event: EventEnvelope;
  label: string;
  /** Built only if the check fails, so passing cases do not consume case ids. */
  counterexample: () => Counterexample;
}

export interface ContextDeps {
  /** False when other scenarios run at the same time: settling then watches only this scenario's own events. */
  exclusive?: boolean;
  manifest: Manifest;
  manifestArg: string;
  scenarioId: string;
  runSeed: number;
  data: SyntheticData;
  sandbox: StartedSandbox;
  sender: () => WebhookSender;
  connector: () => RunningConnector;
  signal: AbortSignal;
  recorder: RunRecorder;
  now: () => number;
  /** Starts an extra connector instance with env overrides (stopped by the runner after the scenario). */
  startExtraConnector: (envOverrides: Record<string, string>) => Promise<StartResult>;
  senderFor: (connector: RunningConnector) => WebhookSender;
  settleMaxMs: number;
  /** Collects expectations the runner re-checks at the end of the run. */
  defer?: (check: DeferredCheck) => void;
  /** Set by `gauntlet replay`: property scenarios replay only this fast-check path. */
  replay?: { caseId: string; path?: string };
  /** Property budget (`--runs`, `--time-budget`). */
  budget?: RunBudget;
  /** Receives every response body (for the leak scan); bounded by the runner. */
  onResponse?: (where: string, text: string) => void;
}

/** Derives a per-scenario seed so `--scenario X` alone reproduces X's inputs. */
export function scenarioSeed(runSeed: number, scenarioId: string): number {
  const h = createHash('sha256').update(`${runSeed}:${scenarioId}`).digest();
  return h.readUInt32BE(0);
}

const MAX_EVIDENCE_BODY = 4096;

/** What a scenario can do. One instance per scenario run. */
export class ScenarioContext {
  readonly manifest: Manifest;
  readonly scenarioId: string;
  /** The manifest path as the user typed it (for replay commands). */
  readonly manifestArg: string;
  readonly runSeed: number;
  readonly seed: number;
  readonly data: SyntheticData;
  readonly sandbox: StartedSandbox;
  readonly signal: AbortSignal;
  /** Present when replaying one recorded case (`gauntlet replay`). */
  readonly replay: { caseId: string; path?: string } | undefined;
  /** Budget for property scenarios (`--runs`, `--time-budget`); empty means scenario defaults. */
  readonly budget: RunBudget;
  /** Ledger sequence number when the scenario started: its scope. */
  readonly startSeq: number;
  private readonly ownEvents = new Set<string>();
  private lastOwnActivity = 0;
  private caseCounter = 0;
  private idCounter = 0;
  deliveries = 0;

  constructor(private readonly deps: ContextDeps) {
    this.manifest = deps.manifest;
    this.scenarioId = deps.scenarioId;
    this.manifestArg = deps.manifestArg;
    this.runSeed = deps.runSeed;
    this.seed = scenarioSeed(deps.runSeed, deps.scenarioId);
    this.data = deps.data;
    this.sandbox = deps.sandbox;
    this.signal = deps.signal;
    this.startSeq = deps.sandbox.ledger.lastSeq;
    this.replay = deps.replay;
    this.budget = deps.budget ?? {};
  }

  connector(): RunningConnector {
    return this.deps.connector();
  }

  now(): number {
    return this.deps.now();
  }

  nowSec(): number {
    return Math.floor(this.deps.now() / 1000);
  }

  // ---- events -------------------------------------------------------------------------

  /** Subscribed event types that have effect rules, best first (min ≥ 1 preferred). */
  effectEventTypes(opts: { withCancel?: boolean } = {}): string[] {
    const subscribed = new Set(this.manifest.webhooks.events);
    const types = Object.keys(this.manifest.effects).filter((t) => subscribed.has(t));
    const withRules = types.filter((t) => {
      const rules = rulesFor(this.manifest, t);
      return rules.length > 0 && (!opts.withCancel || rules.some((r) => r.cancelledBy.length > 0));
    });
    const score = (t: string) => (rulesFor(this.manifest, t).some((r) => (r.min ?? 0) >= 1) ? 0 : 1);
    return withRules.sort((a, b) => score(a) - score(b) || a.localeCompare(b));
  }

  /** The event type most scenarios use: subscribed, with an observable effect. */
  primaryEventType(): string {
    return this.effectEventTypes()[0] ?? this.manifest.webhooks.events[0]!;
  }

  /** A fresh, valid event from the synthetic dataset, registered for ledger attribution. */
  event(type: string = this.primaryEventType(), overrides?: Parameters<SyntheticData['event']>[1]): EventEnvelope {
    const ev = this.data.event(type, overrides) as unknown as EventEnvelope;
    this.register(ev);
    return ev;
  }

  /** Registers (or re-registers, after mutation) an event's object ids in the ledger. */
  register(ev: EventEnvelope): void {
    this.ownEvents.add(ev.id);
    this.sandbox.ledger.registerEvent(ev.id, ev.type, this.data.objectIdsOf(ev as never));
  }

  // ---- deliveries ---------------------------------------------------------------------

  /** Deterministic ids for hand-built deliveries (same seed, same ids). */
  nextId(prefix = 'msg'): string {
    return `${prefix}_${this.seed.toString(36)}_${(++this.idCounter).toString(36)}`;
  }

  /** Signs a body with the run's secret (or `secret`) under the manifest's scheme. */
  sign(body: Buffer | string | EventEnvelope, opts: { label: string; timestamp?: number; deliveryId?: string; secret?: string; event?: EventEnvelope } ): Delivery {
    const ev = opts.event ?? (Buffer.isBuffer(body) || typeof body === 'string' ? undefined : body);
    return buildDelivery({
      scheme: this.manifest.webhooks.scheme,
      secret: opts.secret ?? this.sandbox.secrets.webhookSecret,
      body: body as Buffer | string | object,
      label: opts.label,
      ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp } : {}),
      ...(opts.deliveryId !== undefined ? { deliveryId: opts.deliveryId } : {}),
      ...(ev ? { eventId: ev.id, eventType: ev.type } : {}),
    });
  }

  /** Sends one delivery; `valid` deliveries feed the acknowledgement-latency metric. */
  async deliver(d: Delivery, opts: { valid?: boolean; timeoutMs?: number; to?: RunningConnector } = {}): Promise<DeliveryOutcome> {
    const sender = opts.to ? this.deps.senderFor(opts.to) : this.deps.sender();
    const started = this.deps.now();
    const outcome = await sender.send(d, { timeoutMs: opts.timeoutMs ?? this.deliveryTimeoutMs(), signal: this.signal });
    this.lastOwnActivity = this.deps.now();
    this.deliveries++;
    this.deps.recorder.delivery(this.scenarioId, d, outcome, started, opts.valid === true);
    if (outcome.body) this.deps.onResponse?.(`webhook response to "${d.label}" (${this.scenarioId})`, outcome.body);
    return outcome;
  }

  async deliverAll(ds: Delivery[], opts: { valid?: boolean; concurrency?: number } = {}): Promise<DeliveryOutcome[]> {
    const out: DeliveryOutcome[] = new Array(ds.length);
    const concurrency = Math.max(1, opts.concurrency ?? 4);
    let next = 0;
    const worker = async () => {
      while (next < ds.length && !this.signal.aborted) {
        const i = next++;
        out[i] = await this.deliver(ds[i]!, { valid: opts.valid ?? false });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ds.length) }, worker));
    return out;
  }

  /** Bound for one delivery: generous past the SLA so slow acks are measured, not cut. */
  deliveryTimeoutMs(): number {
    return Math.min(Math.max(this.manifest.sla.ackMs * 3, 5_000), 30_000);
  }

  // ---- oracle ------------------------------------------------------------------------

  /** Ledger entries since the scenario started. */
  ledger(): LedgerEntry[] {
    return this.sandbox.ledger.since(this.startSeq);
  }

  attemptsFor(eventId: string): LedgerEntry[] {
    return effectAttempts(attributedTo(this.ledger(), eventId));
  }

  attemptsMentioning(objectId: string): LedgerEntry[] {
    return effectAttempts(mentioning(this.ledger(), objectId));
  }

  ruleChecks(ev: EventEnvelope): RuleCheck[] {
    return checkRules(this.manifest, ev.type, attributedTo(this.ledger(), ev.id));
  }

  rules(type: string): EffectRule[] {
    return rulesFor(this.manifest, type);
  }

  /**
   * Waits until expected effects are met and the ledger has been quiet for `quietMs`,
   * bounded by `maxMs`. Settling is how "eventually" in `effects.min` is made finite.
   */
  async settle(opts: SettleOptions = {}): Promise<void> {
    const quietMs = opts.quietMs ?? 120;
    const maxMs = opts.maxMs ?? this.deps.settleMaxMs;
    const deadline = this.deps.now() + maxMs;
    const expected = opts.expectEffects ?? [];
    for (;;) {
      if (this.signal.aborted) return;
      const now = this.deps.now();
      if (now >= deadline) return;
      const quiet = now - this.lastActivity() >= quietMs;
      const met = expected.every((ev) => this.ruleChecks(ev).every((c) => c.minOk));
      if (quiet && met) return;
      await sleep(Math.min(25, Math.max(1, deadline - now)));
    }
  }

  /**
   * Alone, any ledger entry or delivery is activity. Among concurrent scenarios only this
   * scenario's deliveries and the calls attributed to its events are, or settling would
   * never end while the others keep working.
   */
  private lastActivity(): number {
    const entries = this.sandbox.ledger.all();
    if (this.deps.exclusive !== false) {
      const last = entries.length ? entries[entries.length - 1]!.at : 0;
      return Math.max(last, this.deps.recorder.lastDeliveryAt);
    }
    let last = this.lastOwnActivity;
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      if (e.at <= last) break;
      if (e.causedBy && this.ownEvents.has(e.causedBy.eventId)) {
        last = e.at;
        break;
      }
    }
    return last;
  }

  /** Starts a second instance of the connector with env overrides (e.g. empty secret). */
  startExtraConnector(envOverrides: Record<string, string>): Promise<StartResult> {
    return this.deps.startExtraConnector(envOverrides);
  }

  /** Re-check after the run settles that `ev` caused no effect at all. */
  deferNoEffect(control: string, ev: EventEnvelope, delivery: Delivery, outcome?: DeliveryOutcome): void {
    this.deps.defer?.({ scenario: this.scenarioId, control, kind: 'no-effect', event: ev, label: delivery.label, counterexample: () => this.counterexample(delivery, outcome) });
  }

  /** Re-check after the run settles that `ev` stayed within effects.max. */
  deferMaxEffects(control: string, ev: EventEnvelope, delivery: Delivery, outcome?: DeliveryOutcome): void {
    this.deps.defer?.({ scenario: this.scenarioId, control, kind: 'max', event: ev, label: delivery.label, counterexample: () => this.counterexample(delivery, outcome) });
  }

  // ---- outcomes ----------------------------------------------------------------------

  pass(control: string, summary: string, details?: Record<string, unknown>): CheckOutcome {
    return { control, status: 'pass', evidence: { summary, ...(details ? { details } : {}) } };
  }

  skip(control: string, reason: string): CheckOutcome {
    return { control, status: 'skip', evidence: { summary: reason } };
  }

  fail(control: string, summary: string, opts: { delivery?: Delivery; outcome?: DeliveryOutcome; details?: Record<string, unknown> } = {}): CheckOutcome {
    const out: CheckOutcome = { control, status: 'fail', evidence: { summary, ...(opts.details ? { details: opts.details } : {}) } };
    if (opts.delivery) out.counterexample = this.counterexample(opts.delivery, opts.outcome);
    return out;
  }

  /** Shapes a delivery and its outcome into a replayable counterexample. */
  counterexample(d: Delivery, outcome?: DeliveryOutcome): Counterexample {
    const n = ++this.caseCounter;
    const utf8 = isUtf8(d.body);
    const text = utf8 ? d.body.toString('utf8') : d.body.toString('base64');
    return {
      caseId: `${this.scenarioId}#${n}`,
      seed: this.runSeed,
      label: d.label,
      request: {
        method: 'POST',
        path: this.manifest.webhooks.path,
        headers: { ...d.headers },
        body: text.length > MAX_EVIDENCE_BODY ? `${text.slice(0, MAX_EVIDENCE_BODY)}…[${text.length - MAX_EVIDENCE_BODY} more chars]` : text,
        bodyEncoding: utf8 ? 'utf8' : 'base64',
        bodyBytes: d.body.length,
      },
      ...(outcome
        ? { response: { status: outcome.status, body: outcome.body.slice(0, 1024), durationMs: Math.round(outcome.durationMs), ...(outcome.error ? { error: `${outcome.error.kind}: ${outcome.error.message}` } : {}) } }
        : {}),
      replay: `gauntlet run ${this.deps.manifestArg} --seed ${this.runSeed} --scenario ${this.scenarioId}`,
    };
  }
}

function isUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
