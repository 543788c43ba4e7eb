/**
 * Clause 9: the hub and the acquirer misbehave on purpose (mocks/faults.ts). The ledger
 * shows each faulted call, when the connector gave up on it (`abandonedAfterMs`), its
 * retries and their idempotency keys; the acquirer's own book counts money movements.
 */
import type { Manifest } from '../harness/manifest/types.js';
import type { CheckOutcome } from '../harness/model/control.js';
import type { LedgerEntry } from '../harness/model/ledger.js';
import type { EventEnvelope, ScenarioContext } from '../harness/runner/context.js';
import { defineScenario } from '../harness/runner/scenario.js';
import type { FaultSpec } from '../harness/sandbox/types.js';
import { clearAllFaults, doubleMovement, injectOn, moneyChoice, processed, requiredChoice, routeOf, waitFor, type RuleChoice } from './lib/outbound.js';

/** Slack on top of sla.outboundTimeoutMs for timers and a busy machine (ms). */
export const TIMEOUT_SLACK_MS = 300;
/** A retry may come this much before Retry-After elapses (timer and clock granularity, ms). */
export const RETRY_AFTER_SLACK_MS = 100;
const RETRY_AFTER_SEC = 1;

function hasMoney(m: Manifest): true | string {
  const subscribed = new Set(m.webhooks.events);
  return Object.entries(m.effects).some(([t, rules]) => subscribed.has(t) && rules.some((r) => (r.min ?? 0) >= 1 || r.max !== undefined))
    ? true
    : 'no subscribed event has an effect rule, so no outbound call is expected';
}

/** Faulted entries in scope whose object ids include one of `ev`'s (the call it caused). */
function faultedFor(ctx: ScenarioContext, ev: EventEnvelope, kinds: string[]): LedgerEntry | undefined {
  const ids = new Set([ev.data.object.id, ...ctx.data.objectIdsOf(ev as never)]);
  return ctx.ledger().find((e) => e.fault !== undefined && kinds.some((k) => e.fault!.startsWith(k)) && e.objectIds.some((id) => ids.has(id)));
}

/** Judges how long the connector held a call the sandbox never answered. */
function timeoutVerdict(ctx: ScenarioContext, entry: LedgerEntry | undefined, what: string, waitedMs: number): { ok: boolean; text: string } {
  const limit = ctx.manifest.sla.outboundTimeoutMs;
  if (!entry) return { ok: true, text: `${what}: the faulted call never came (nothing to time)` };
  if (entry.abandonedAfterMs === undefined) return { ok: false, text: `${what}: ${entry.method} ${entry.path} still open ${waitedMs} ms after it arrived (sla.outboundTimeoutMs ${limit} ms): no outbound timeout` };
  if (entry.abandonedAfterMs > limit + TIMEOUT_SLACK_MS) return { ok: false, text: `${what}: ${entry.method} ${entry.path} given up after ${entry.abandonedAfterMs} ms, beyond sla.outboundTimeoutMs ${limit} ms` };
  return { ok: true, text: `${what}: given up after ${entry.abandonedAfterMs} ms (≤ ${limit} ms)` };
}

/** Judges a call the sandbox answered late (after committing): given up in time, or waited past the limit. */
function slowVerdict(ctx: ScenarioContext, entry: LedgerEntry, call: string): { ok: boolean; text: string } {
  const limit = ctx.manifest.sla.outboundTimeoutMs;
  if (entry.abandonedAfterMs === undefined) return { ok: false, text: `delay on ${call}: waited for an answer that took ${limit + TIMEOUT_SLACK_MS} ms (sla.outboundTimeoutMs ${limit} ms): no outbound timeout` };
  return timeoutVerdict(ctx, entry, `delay past the limit on ${call}`, 0);
}

/** Clause 9: a call that never answers, one that commits and then never answers, and one answered too late. */
export const outboundHang = defineScenario({
  id: 'outbound-hang-and-commit-timeout',
  title: 'Hung outbound calls are given up within sla.outboundTimeoutMs; a call that committed before hanging is not repeated',
  pack: 'outbound-faults',
  clauses: [9],
  controls: ['outbound-timeout-respected', 'no-double-money-movement'],
  sends: 'Three valid events at once: one whose call the hub (or acquirer) never answers (hang); one whose money call the acquirer commits and then never answers (commit-then-hang); one whose first call is answered (and committed) only after sla.outboundTimeoutMs (delay). The sandbox notes when the connector closes each call.',
  expects: 'Each slow or hung call is closed within sla.outboundTimeoutMs; retries reuse the idempotency key, so nothing is booked twice.',
  applies: hasMoney,
  timeLimitMs: 30_000,
  async run(ctx) {
    const money = moneyChoice(ctx) ?? requiredChoice(ctx);
    if (!money) return [ctx.skip('outbound-timeout-respected', 'no effect rule to fault'), ctx.skip('no-double-money-movement', 'no effect rule to fault')];
    // The plain hang goes on another event type's call when there is one, so both run at once.
    const hangOn: RuleChoice = requiredChoice(ctx, { exceptType: money.type }) ?? money;
    const limit = ctx.manifest.sla.outboundTimeoutMs;
    const out: CheckOutcome[] = [];
    try {
      const sameRoute = hangOn.type === money.type;
      injectOn(ctx, money.rule.target, { route: routeOf(money.rule), fault: { kind: 'commit-then-hang' }, times: 1 });
      const committedEv = ctx.event(money.type);
      const dc = ctx.sign(committedEv, { label: `valid ${money.type}; ${money.rule.call} commits, then never answers` });
      const oc = await ctx.deliver(dc, { valid: true });
      const cEntry = await waitFor(ctx, () => faultedFor(ctx, committedEv, ['commit-then-hang']), 5_000);
      let hangEv: EventEnvelope | undefined;
      if (!sameRoute || cEntry) {
        injectOn(ctx, hangOn.rule.target, { route: routeOf(hangOn.rule), fault: { kind: 'hang' }, times: 1 });
        hangEv = ctx.event(hangOn.type);
        await ctx.deliver(ctx.sign(hangEv, { label: `valid ${hangOn.type}; ${hangOn.rule.call} never answers` }), { valid: true });
      }
      const hEntry = hangEv ? await waitFor(ctx, () => faultedFor(ctx, hangEv!, ['hang']), 5_000) : undefined;
      // A slow server: the money event's first call (when it is not the commit-then-hang route) answers only after
      // sla.outboundTimeoutMs, committing late. A retry sent meanwhile meets the original still in flight.
      const slowRule = ctx.rules(money.type).find((r) => r.target !== money.rule.target || routeOf(r) !== routeOf(money.rule));
      let slowEv: EventEnvelope | undefined;
      if (slowRule && cEntry) {
        injectOn(ctx, slowRule.target, { route: routeOf(slowRule), fault: { kind: 'delay', ms: limit + TIMEOUT_SLACK_MS }, times: 1 });
        slowEv = ctx.event(money.type);
        await ctx.deliver(ctx.sign(slowEv, { label: `valid ${money.type}; ${slowRule.call} answers only after ${limit + TIMEOUT_SLACK_MS} ms` }), { valid: true });
      }
      const slowSentAt = ctx.now();
      // Wait for both calls to be closed, or for the limit (plus slack) to pass since each arrived.
      const deadline = Math.max(cEntry?.at ?? 0, hEntry?.at ?? 0) + limit + TIMEOUT_SLACK_MS + 200;
      await waitFor(ctx, () => ([cEntry, hEntry].every((e) => !e || e.abandonedAfterMs !== undefined) ? true : undefined), Math.max(0, deadline - ctx.now()), 25);
      // The delayed call is recorded when its late work commits; by then the client has given up, or has waited too long.
      const sEntry = slowEv ? await waitFor(ctx, () => faultedFor(ctx, slowEv!, ['delay']), Math.max(0, slowSentAt + limit + TIMEOUT_SLACK_MS + 2_000 - ctx.now()), 25) : undefined;
      const now = ctx.now();
      const verdicts = [timeoutVerdict(ctx, cEntry, `commit-then-hang on ${money.rule.call}`, cEntry ? now - cEntry.at : 0), timeoutVerdict(ctx, hEntry, `hang on ${hangOn.rule.call}`, hEntry ? now - hEntry.at : 0)];
      if (slowRule && slowEv) verdicts.push(sEntry ? slowVerdict(ctx, sEntry, slowRule.call) : { ok: true, text: `delay on ${slowRule.call}: the faulted call never came` });
      const bad = verdicts.filter((v) => !v.ok);
      if (!cEntry && !hEntry) out.push(ctx.skip('outbound-timeout-respected', 'the connector made none of the faulted calls'));
      else out.push(bad.length ? ctx.fail('outbound-timeout-respected', bad.map((v) => v.text).join('; '), { delivery: dc, outcome: oc, details: { verdicts: verdicts.map((v) => v.text) } }) : ctx.pass('outbound-timeout-respected', verdicts.map((v) => v.text).join('; ')));

      // Retries (if any) now go through; then count the money.
      await ctx.settle({ expectEffects: [committedEv, ...(hangEv ? [hangEv] : [])], maxMs: Math.min(8_000, limit + 3_000), quietMs: 300 });
      const double = doubleMovement(ctx, committedEv) ?? (slowEv ? doubleMovement(ctx, slowEv) : undefined);
      out.push(
        double
          ? ctx.fail('no-double-money-movement', `after a call committed and then timed out: ${double}`, { delivery: dc, outcome: oc })
          : ctx.pass('no-double-money-movement', `commit-then-hang on ${money.rule.call}: one movement${processed(ctx, committedEv) ? '' : ' (the event was not completed)'}`),
      );
      return out;
    } finally {
      clearAllFaults(ctx);
    }
  },
});

/** The faults of the error-response scenario, in the order calls consume them. */
const ERROR_FAULTS: Array<{ on: 'first' | 'money'; fault: FaultSpec; label: string }> = [
  { on: 'first', fault: { kind: 'status', status: 503, retryAfterSec: RETRY_AFTER_SEC }, label: `503 Retry-After: ${RETRY_AFTER_SEC}` },
  { on: 'money', fault: { kind: 'status', status: 429, retryAfterSec: RETRY_AFTER_SEC }, label: `429 Retry-After: ${RETRY_AFTER_SEC}` },
  { on: 'first', fault: { kind: 'status', status: 500 }, label: '500' },
  { on: 'money', fault: { kind: 'status', status: 502 }, label: '502' },
  { on: 'money', fault: { kind: 'reset' }, label: 'connection reset' },
  { on: 'money', fault: { kind: 'truncated' }, label: 'truncated body (committed)' },
  { on: 'money', fault: { kind: 'malformed' }, label: 'malformed JSON' },
  { on: 'money', fault: { kind: 'slow-body', ms: 300 }, label: 'slow body (committed)' },
  { on: 'money', fault: { kind: 'status', status: 504 }, label: '504' },
];
/** Every 429/503 above carries Retry-After, so the ledger's `status:429`/`status:503` label identifies them. */
const RETRY_AFTER_LABELS = new Set(['status:429', 'status:503']);
const ERROR_EVENTS = 4;

/** For each Retry-After answer, the next call for the same object on the same route, when it came too early. */
function retryAfterViolations(entries: readonly LedgerEntry[]): Array<{ faulted: LedgerEntry; retry: LedgerEntry; gapMs: number }> {
  const out: Array<{ faulted: LedgerEntry; retry: LedgerEntry; gapMs: number }> = [];
  for (const f of entries) {
    if (!RETRY_AFTER_LABELS.has(f.fault ?? '')) continue;
    const retry = entries.find((e) => e.seq > f.seq && e.target === f.target && e.method === f.method && e.route === f.route && e.objectIds.some((id) => f.objectIds.includes(id)));
    if (!retry) continue;
    const gapMs = retry.at - f.at;
    if (gapMs < RETRY_AFTER_SEC * 1000 - RETRY_AFTER_SLACK_MS) out.push({ faulted: f, retry, gapMs });
  }
  return out;
}

/** Clause 9: 5xx, 429/503 with Retry-After, resets, damaged and slow answers. */
export const outboundErrors = defineScenario({
  id: 'outbound-error-responses',
  title: 'Error answers are retried with backoff, Retry-After is honored, and retries never move money twice',
  pack: 'outbound-faults',
  clauses: [9],
  controls: ['retry-after-honored', 'no-double-money-movement'],
  sends: `${ERROR_EVENTS} valid events at once while the hub and the acquirer answer, call by call: ${ERROR_FAULTS.map((f) => f.label).join(', ')}.`,
  expects: `No retry of a 429/503 before its Retry-After (${RETRY_AFTER_SEC} s); at most one money movement per event (retries after committed-but-damaged answers reuse the idempotency key).`,
  applies: hasMoney,
  timeLimitMs: 30_000,
  async run(ctx) {
    const money = moneyChoice(ctx) ?? requiredChoice(ctx);
    if (!money) return [ctx.skip('retry-after-honored', 'no effect rule to fault'), ctx.skip('no-double-money-movement', 'no effect rule to fault')];
    const first = ctx.rules(money.type)[0]!;
    try {
      for (const f of ERROR_FAULTS) {
        const rule = f.on === 'first' ? first : money.rule;
        injectOn(ctx, rule.target, { route: routeOf(rule), fault: f.fault, times: 1 });
      }
      const events = Array.from({ length: ERROR_EVENTS }, () => ctx.event(money.type));
      const deliveries = events.map((ev, i) => ctx.sign(ev, { label: `valid ${money.type} #${i + 1} while the hub and acquirer answer with faults` }));
      const outcomes = await ctx.deliverAll(deliveries, { valid: true, concurrency: ERROR_EVENTS });
      // A 200 with a malformed body came before any work: the connector cannot tell that nothing
      // happened, so an event hit by it may end without its effect (not judged here; not waited for).
      const owed = () => events.filter((ev) => !processed(ctx, ev) && !faultedFor(ctx, ev, ['malformed']));
      const until = ctx.now() + 5_000;
      while (ctx.now() < until && !ctx.signal.aborted) {
        const t = ctx.now();
        await ctx.settle({ expectEffects: owed(), maxMs: Math.min(400, until - t), quietMs: 400 });
        if (ctx.now() - t < 400 && owed().length === 0) break;
      }
      // Like the hub: an event still unprocessed is delivered again once the faults are spent.
      const unfinished = owed();
      if (unfinished.length > 0) {
        clearAllFaults(ctx);
        await ctx.deliverAll(unfinished.map((ev) => deliveries[events.indexOf(ev)]!), { valid: true, concurrency: ERROR_EVENTS });
        await ctx.settle({ expectEffects: unfinished, maxMs: 2_500, quietMs: 300 });
      }
      const out: CheckOutcome[] = [];
      const scope = ctx.ledger();
      const early = retryAfterViolations(scope);
      const honoredCount = scope.filter((e) => RETRY_AFTER_LABELS.has(e.fault ?? '')).length;
      if (honoredCount === 0) out.push(ctx.skip('retry-after-honored', 'no call received a Retry-After answer'));
      else if (early.length > 0) {
        const e = early[0]!;
        out.push(ctx.fail('retry-after-honored', `retried ${e.retry.method} ${e.retry.path} ${e.gapMs} ms after a ${e.faulted.status} with Retry-After: ${RETRY_AFTER_SEC} (must wait ≥ ${RETRY_AFTER_SEC * 1000} ms); ${early.length} early retr${early.length === 1 ? 'y' : 'ies'}`, { details: { early: early.slice(0, 5).map((x) => ({ faulted: x.faulted.seq, retry: x.retry.seq, gapMs: x.gapMs })) } }));
      } else out.push(ctx.pass('retry-after-honored', `${honoredCount} Retry-After answer(s); no retry came before it elapsed`));

      const doubles = events.map((ev, i) => ({ ev, i, why: doubleMovement(ctx, ev) })).filter((x) => x.why);
      out.push(
        doubles.length > 0
          ? ctx.fail('no-double-money-movement', `${doubles.length}/${events.length} events moved money twice under error answers; first: ${doubles[0]!.why}`, { delivery: deliveries[doubles[0]!.i]!, outcome: outcomes[doubles[0]!.i]! })
          : ctx.pass('no-double-money-movement', `${events.length} events under ${ERROR_FAULTS.length} faults: at most one movement each`),
      );
      return out;
    } finally {
      clearAllFaults(ctx);
    }
  },
});
