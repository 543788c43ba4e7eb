/**
 * Shared pieces of the fault-injection scenarios (clauses 8, 9, 12): which manifest rule to
 * break, bounded polling, money-movement counting and "the hub redelivers until processed".
 */
import type { RunningConnector } from '../../harness/driver/types.js';
import type { EffectRule } from '../../harness/manifest/types.js';
import type { LedgerEntry } from '../../harness/model/ledger.js';
import type { EventEnvelope, ScenarioContext } from '../../harness/runner/context.js';
import { sleep } from '../../harness/runner/context.js';
import type { FaultRule } from '../../harness/sandbox/types.js';
import { isAccepted, type Delivery, type DeliveryOutcome } from '../../harness/model/delivery.js';

/** Routes that move money: a second committed call on one of them is a double refund/capture/payout. */
const MONEY_ROUTES: Record<'hub' | 'acquirer', string[]> = {
  hub: ['/v1/refunds', '/v1/payouts'],
  acquirer: ['/v1/refunds', '/v1/captures', '/v1/authorizations'],
};

export function isMoneyRule(rule: EffectRule): boolean {
  return rule.method === 'POST' && MONEY_ROUTES[rule.target].includes(rule.path);
}

/** A subscribed event type with an effect rule, and that rule; money rules first, the acquirer before the hub. */
export interface RuleChoice {
  type: string;
  rule: EffectRule;
}

export function moneyChoice(ctx: ScenarioContext): RuleChoice | undefined {
  const found: RuleChoice[] = [];
  for (const type of ctx.effectEventTypes()) for (const rule of ctx.rules(type)) if (isMoneyRule(rule)) found.push({ type, rule });
  return found.find((c) => c.rule.target === 'acquirer') ?? found[0];
}

/** Any rule of a subscribed event type with `min ≥ 1` (an effect that must happen), preferring `target`. */
export function requiredChoice(ctx: ScenarioContext, opts: { target?: 'hub' | 'acquirer'; exceptType?: string } = {}): RuleChoice | undefined {
  const found: RuleChoice[] = [];
  for (const type of ctx.effectEventTypes()) {
    if (type === opts.exceptType) continue;
    for (const rule of ctx.rules(type)) if ((rule.min ?? 0) >= 1) found.push({ type, rule });
  }
  return found.find((c) => opts.target === undefined || c.rule.target === opts.target) ?? (opts.target ? undefined : found[0]);
}

/** The fault rule text for an effect rule: `POST /v1/payments/{id}/risk_assessments`. */
export function routeOf(rule: EffectRule): string {
  return `${rule.method} ${rule.path}`;
}

export function injectOn(ctx: ScenarioContext, target: 'hub' | 'acquirer', rule: FaultRule): void {
  (target === 'hub' ? ctx.sandbox.hub : ctx.sandbox.acquirer).injectFault(rule);
}

export function clearAllFaults(ctx: ScenarioContext): void {
  ctx.sandbox.hub.clearFaults();
  ctx.sandbox.acquirer.clearFaults();
}

/** Polls `pred` every `stepMs` until it holds, the scenario aborts, or `maxMs` passes. */
export async function waitFor<T>(ctx: ScenarioContext, probe: () => T | undefined, maxMs: number, stepMs = 20): Promise<T | undefined> {
  const deadline = ctx.now() + maxMs;
  for (;;) {
    const v = probe();
    if (v !== undefined || ctx.signal.aborted || ctx.now() >= deadline) return v;
    await sleep(Math.max(1, Math.min(stepMs, deadline - ctx.now())));
  }
}

/** Sleeps until `until` (bounded by the scenario's abort). */
export async function sleepUntil(ctx: ScenarioContext, until: number): Promise<void> {
  while (!ctx.signal.aborted && ctx.now() < until) await sleep(Math.min(50, until - ctx.now()));
}

/** The payment an event's money moves for (a refund names its payment; a payment is its own). */
export function paymentOf(ev: EventEnvelope): string {
  const o = ev.data.object as { id: string; payment?: unknown };
  return typeof o.payment === 'string' ? o.payment : o.id;
}

/**
 * Double movements for one event: committed calls beyond a money rule's `max` (ledger,
 * attributed), and acquirer movements of one kind beyond one per payment (the acquirer's
 * own book, independent of attribution and of idempotency keys).
 */
export function doubleMovement(ctx: ScenarioContext, ev: EventEnvelope): string | undefined {
  const over = ctx.ruleChecks(ev).filter((c) => isMoneyRule(c.rule) && !c.maxOk);
  if (over.length > 0) {
    const c = over[0]!;
    const keys = ctx.attemptsFor(ev.id).filter((e) => e.committed && e.target === c.rule.target && e.path === c.rule.path).map((e) => e.idempotencyKey ?? '(no key)');
    return `${c.committed} × ${c.rule.call} committed for one ${ev.type} (max ${c.rule.max}); idempotency keys: ${keys.slice(0, 4).join(', ')}`;
  }
  const byKind = new Map<string, string[]>();
  for (const m of ctx.sandbox.acquirer.movements(paymentOf(ev))) byKind.set(m.kind, [...(byKind.get(m.kind) ?? []), m.idempotencyKey ?? '(no key)']);
  for (const [kind, keys] of byKind) if (keys.length > 1) return `the acquirer booked ${keys.length} ${kind}s for payment ${paymentOf(ev)}; idempotency keys: ${keys.slice(0, 4).join(', ')}`;
  return undefined;
}

/** True when every rule of the event has its `min` committed. */
export function processed(ctx: ScenarioContext, ev: EventEnvelope): boolean {
  return ctx.ruleChecks(ev).every((c) => c.minOk);
}

/**
 * Delivers `ev` and, like the hub's at-least-once retries, redelivers the same delivery
 * while its effects are missing: `tries` deliveries in all, `settleMs` apart at most.
 */
export async function deliverUntilProcessed(
  ctx: ScenarioContext,
  ev: EventEnvelope,
  opts: { tries: number; settleMs: number; label: string; to?: RunningConnector },
): Promise<{ ok: boolean; deliveries: number; delivery: Delivery; outcome: DeliveryOutcome }> {
  const delivery = ctx.sign(ev, { label: opts.label });
  let outcome: DeliveryOutcome | undefined;
  for (let i = 0; i < opts.tries; i++) {
    outcome = await ctx.deliver(delivery, { valid: true, ...(opts.to ? { to: opts.to } : {}) });
    if (isAccepted(outcome)) await ctx.settle({ expectEffects: [ev], maxMs: opts.settleMs, quietMs: 150 });
    if (processed(ctx, ev)) return { ok: true, deliveries: i + 1, delivery, outcome };
  }
  return { ok: false, deliveries: opts.tries, delivery, outcome: outcome! };
}

/** Entries in the scenario's scope that arrived in [from, to). */
export function between(entries: readonly LedgerEntry[], from: number, to: number): LedgerEntry[] {
  return entries.filter((e) => e.at >= from && e.at < to);
}

/** Health of the connector process: alive and its health check answers. */
export async function connectorHealthy(ctx: ScenarioContext, connector = ctx.connector()): Promise<string | undefined> {
  const exit = connector.exitInfo();
  if (exit) return `the connector exited (code ${exit.code ?? 'none'}, signal ${exit.signal ?? 'none'})`;
  if (!(await connector.checkHealth(2_000))) return 'the connector stopped answering its health check';
  return undefined;
}
