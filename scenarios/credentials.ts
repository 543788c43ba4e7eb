/**
 * Clause 8: revoked and expired credentials, missing scopes. The hub mock revokes, expires
 * and refuses on purpose; the ledger shows what the connector did about it.
 *
 * Secret rotation is not here: the connector learns WEBHOOK_SECRET once, at start, so the
 * only rotation a running process can show is "accept a header carrying the old and the new
 * signature in either order" (RW-10), which the authenticity pack already checks
 * (`signature-rotation-accepted`). See docs/egress.md § "What the fault scenarios cannot see".
 */
import { DEFAULT_TOKEN_TTL_SECONDS } from '../mocks/hub.js';
import type { Manifest } from '../harness/manifest/types.js';
import type { CheckOutcome } from '../harness/model/control.js';
import type { LedgerEntry } from '../harness/model/ledger.js';
import type { EventEnvelope, ScenarioContext } from '../harness/runner/context.js';
import { describeEntry } from '../harness/runner/effects-oracle.js';
import { defineScenario } from '../harness/runner/scenario.js';
import { between, clearAllFaults, connectorHealthy, deliverUntilProcessed, injectOn, requiredChoice, routeOf, sleepUntil, waitFor } from './lib/outbound.js';

/** Calls per second after a 401/403 above which the connector is storming. */
export const STORM_RATE_PER_SEC = 10;
/** Calls per event after a 401/403 above which the connector is storming, whatever the rate. */
export const STORM_CALLS_PER_EVENT = 20;
/** Observation window after revocation (ms): long enough to see a backoff, short for the run. */
const REVOKED_WINDOW_MS = 1_500;
const SCOPE_WINDOW_MS = 1_000;
/** Token lifetime in the expiry scenario (s). */
const SHORT_TTL_SEC = 1;

function hubCalls(entries: readonly LedgerEntry[]): LedgerEntry[] {
  return entries.filter((e) => e.target === 'hub' && e.route !== '/v1/health');
}

/** An event type whose effects need the hub (an authenticated call), else undefined. */
function authenticatedType(ctx: ScenarioContext): string | undefined {
  return requiredChoice(ctx, { target: 'hub' })?.type;
}

function needsHubEffect(m: Manifest): true | string {
  const subscribed = new Set(m.webhooks.events);
  return Object.entries(m.effects).some(([t, rules]) => subscribed.has(t) && rules.some((r) => r.target === 'hub' && (r.min ?? 0) >= 1))
    ? true
    : 'no subscribed event has a required (min ≥ 1) hub effect, so credentials are never exercised';
}

function stormVerdict(ctx: ScenarioContext, calls: LedgerEntry[], windowMs: number, events: number, after: string): CheckOutcome {
  const rate = calls.length / (windowMs / 1000);
  const perEvent = calls.length / Math.max(1, events);
  const details = { calls: calls.length, windowMs, ratePerSec: Math.round(rate * 10) / 10, events, statuses: countBy(calls.map((c) => `${c.method} ${c.route ?? c.path} → ${c.status ?? 'none'}`)) };
  if (rate > STORM_RATE_PER_SEC || perEvent > STORM_CALLS_PER_EVENT) {
    return ctx.fail('no-retry-storm-on-401', `retry storm ${after}: ${calls.length} hub calls in ${windowMs} ms (${details.ratePerSec}/s, limit ${STORM_RATE_PER_SEC}/s; ${Math.round(perEvent)} per event, limit ${STORM_CALLS_PER_EVENT})`, { details });
  }
  return ctx.pass('no-retry-storm-on-401', `${after}: ${calls.length} hub calls in ${windowMs} ms (${details.ratePerSec}/s), bounded`, details);
}

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

/** Clause 8: tokens that expire (and are revoked) mid-run must be replaced, and processing must go on. */
export const tokenExpiry = defineScenario({
  id: 'credentials-token-expiry',
  title: 'Tokens revoked and then expiring within the run are replaced, and events keep being processed',
  pack: 'credentials',
  clauses: [8],
  controls: ['expired-token-refreshed'],
  sends: `Every token issued so far is revoked and new ones live ${SHORT_TTL_SEC} s; one valid event, then, once that event's token has expired, another.`,
  expects: 'Both events are processed, the second with a token issued after the first one expired (a refresh, not a reuse).',
  applies: needsHubEffect,
  timeLimitMs: 20_000,
  async run(ctx) {
    const type = authenticatedType(ctx)!;
    const hub = ctx.sandbox.hub;
    hub.setTokenTtlSeconds(SHORT_TTL_SEC);
    hub.revokeAllTokens();
    try {
      const a = ctx.event(type);
      const ra = await deliverUntilProcessed(ctx, a, { tries: 2, settleMs: 2_500, label: `valid ${type} after every token was revoked (new tokens live ${SHORT_TTL_SEC} s)` });
      if (!ra.ok) {
        const rejected = ctx.attemptsFor(a.id).filter((e) => e.status === 401);
        return [ctx.fail('expired-token-refreshed', `after the hub revoked every token, the event was not processed: ${rejected.length} call(s) answered 401${rejected[0] ? ` (first: ${describeEntry(rejected[0])}, token ${rejected[0].tokenId ?? 'none'})` : ''}; the connector never fetched a usable token`, { delivery: ra.delivery, outcome: ra.outcome, details: { tokenRequests: tokenRequests(ctx).length } })];
      }
      const usedA = tokensUsedBy(ctx, a);
      // Wait until every token issued so far has expired (plus scheduling slack).
      const lastIssue = Math.max(0, ...tokenRequests(ctx).filter((e) => e.status === 200).map((e) => e.at));
      await sleepUntil(ctx, lastIssue + SHORT_TTL_SEC * 1000 + 200);
      const b = ctx.event(type);
      const rb = await deliverUntilProcessed(ctx, b, { tries: 2, settleMs: 2_500, label: `valid ${type} after its predecessor's ${SHORT_TTL_SEC} s token expired` });
      const usedB = tokensUsedBy(ctx, b);
      if (!rb.ok) {
        const rejected = ctx.attemptsFor(b.id).filter((e) => e.status === 401);
        return [ctx.fail('expired-token-refreshed', `once its token expired, the next event was not processed: ${rejected.length} call(s) answered 401 with token(s) ${[...new Set(rejected.map((e) => e.tokenId ?? 'none'))].join(', ')}; no refresh followed`, { delivery: rb.delivery, outcome: rb.outcome, details: { tokensForFirst: usedA, tokensForSecond: usedB } })];
      }
      const reused = usedB.filter((t) => usedA.includes(t));
      if (reused.length > 0 && usedB.every((t) => usedA.includes(t))) {
        return [ctx.fail('expired-token-refreshed', `the second event succeeded with the first event's token ${reused[0]} although it had expired (hub clock); check the hub's expiry`, { details: { tokensForFirst: usedA, tokensForSecond: usedB } })];
      }
      return [ctx.pass('expired-token-refreshed', `revoked and expired tokens were replaced (tokens ${usedA.join(', ')} then ${usedB.join(', ')}); both events processed`, { tokenRequests: tokenRequests(ctx).length })];
    } finally {
      hub.setTokenTtlSeconds(DEFAULT_TOKEN_TTL_SECONDS);
    }
  },
});

function tokenRequests(ctx: ScenarioContext): LedgerEntry[] {
  return ctx.ledger().filter((e) => e.target === 'hub' && e.route === '/oauth/token');
}

/** Tokens (opaque ids) of the successful hub calls caused by `ev`. */
function tokensUsedBy(ctx: ScenarioContext, ev: EventEnvelope): string[] {
  return [...new Set(ctx.attemptsFor(ev.id).filter((e) => e.target === 'hub' && e.status !== null && e.status < 300 && e.tokenId).map((e) => e.tokenId!))];
}

/** Clause 8: revocation mid-run, the call rate after the 401s, and recovery with fresh credentials. */
export const revokedMidRun = defineScenario({
  id: 'credentials-revoked-mid-run',
  title: 'After the client is revoked nothing succeeds and calls stay bounded; restored, the connector recovers',
  pack: 'credentials',
  clauses: [8],
  controls: ['revoked-credentials-no-effect', 'no-retry-storm-on-401', 'expired-token-refreshed'],
  sends: `A valid event (processed), then the client and its tokens are revoked and a valid event is sent; the connector's hub calls are counted for ${REVOKED_WINDOW_MS} ms. Then the client is restored and a fresh event is sent (redelivered like the hub would while unprocessed).`,
  expects: `No committed effect while revoked; at most ${STORM_RATE_PER_SEC} hub calls/s and ${STORM_CALLS_PER_EVENT} per event after the 401s; the connector stays up; after restoration the fresh event is processed.`,
  applies: needsHubEffect,
  timeLimitMs: 30_000,
  async run(ctx) {
    const type = authenticatedType(ctx)!;
    const hub = ctx.sandbox.hub;
    const clientId = ctx.sandbox.secrets.clientId;
    const before = ctx.event(type);
    const r0 = await deliverUntilProcessed(ctx, before, { tries: 2, settleMs: 3_000, label: `valid ${type} before revocation` });
    if (!r0.ok) {
      const why = 'the connector did not process a valid event before revocation, so revocation cannot be judged';
      return [ctx.skip('revoked-credentials-no-effect', why), ctx.skip('no-retry-storm-on-401', why), ctx.skip('expired-token-refreshed', why)];
    }
    const out: CheckOutcome[] = [];
    const revokedAt = ctx.now();
    hub.revokeClient(clientId);
    try {
      const during = ctx.event(type);
      const d = ctx.sign(during, { label: `valid ${type} while the client is revoked` });
      const o = await ctx.deliver(d, { valid: true });
      await sleepUntil(ctx, revokedAt + REVOKED_WINDOW_MS);
      const restoredAt = ctx.now();
      const window = between(ctx.ledger(), revokedAt, restoredAt);
      const committed = window.filter((e) => e.committed);
      out.push(
        committed.length > 0
          ? ctx.fail('revoked-credentials-no-effect', `${committed.length} effect(s) committed after revocation; first: ${describeEntry(committed[0]!)}`, { delivery: d, outcome: o, details: { committed: committed.slice(0, 5).map(describeEntry) } })
          : ctx.pass('revoked-credentials-no-effect', `no effect committed in the ${restoredAt - revokedAt} ms the client was revoked (${hubCalls(window).filter((e) => e.status === 401).length} calls answered 401)`),
      );
      // The rate counts from the first 401 the connector saw, so a slow worker is not flattered.
      const first401 = hubCalls(window).find((e) => e.status === 401)?.at ?? revokedAt;
      const storm = stormVerdict(ctx, hubCalls(between(window, first401, restoredAt)), Math.max(500, restoredAt - first401), 1, 'after revocation (401s)');
      const sick = await connectorHealthy(ctx);
      out.push(sick && storm.status === 'pass' ? ctx.fail('no-retry-storm-on-401', `after revocation ${sick}`, { delivery: d, outcome: o }) : storm);
    } finally {
      hub.restoreClient(clientId);
    }
    // Fresh credentials: the client is valid again (its old tokens stay dead).
    const after = ctx.event(type);
    const r2 = await deliverUntilProcessed(ctx, after, { tries: 3, settleMs: 2_500, label: `valid ${type} after the client was restored` });
    out.push(
      r2.ok
        ? ctx.pass('expired-token-refreshed', `after restoration the connector fetched a new token and processed the event (delivery ${r2.deliveries} of 3)`)
        : ctx.fail('expired-token-refreshed', `after the client was restored the event was still not processed after 3 deliveries: ${ctx.attemptsFor(after.id).slice(0, 3).map(describeEntry).join('; ') || 'no call at all'}`, { delivery: r2.delivery, outcome: r2.outcome }),
    );
    return out;
  },
});

/** Clause 8: a 403 for a scope the token lacks is permanent; hammering it is a storm too. */
export const missingScope = defineScenario({
  id: 'credentials-missing-scope',
  title: 'A 403 insufficient_scope answer is not retried into a storm',
  pack: 'credentials',
  clauses: [8],
  controls: ['no-retry-storm-on-401'],
  sends: `A valid event whose hub call is answered 403 insufficient_scope (as for a scope the token lacks); hub calls are counted for ${SCOPE_WINDOW_MS} ms.`,
  expects: `At most ${STORM_RATE_PER_SEC} hub calls/s and ${STORM_CALLS_PER_EVENT} for the event, and the connector stays up.`,
  applies: needsHubEffect,
  timeLimitMs: 15_000,
  async run(ctx) {
    const choice = requiredChoice(ctx, { target: 'hub' })!;
    injectOn(ctx, 'hub', {
      route: routeOf(choice.rule),
      fault: { kind: 'status', status: 403, body: JSON.stringify({ error: { code: 'insufficient_scope', message: `This call requires a scope the token does not carry (chaos scenario).` } }) },
    });
    try {
      const ev = ctx.event(choice.type);
      const d = ctx.sign(ev, { label: `valid ${choice.type}; its hub call is answered 403 insufficient_scope` });
      const o = await ctx.deliver(d, { valid: true });
      const first = await waitFor(ctx, () => ctx.ledger().find((e) => e.fault === 'status:403'), 3_000);
      const from = first?.at ?? ctx.now();
      await sleepUntil(ctx, from + SCOPE_WINDOW_MS);
      const calls = hubCalls(between(ctx.ledger(), from, ctx.now()));
      const verdict = stormVerdict(ctx, calls, Math.max(500, ctx.now() - from), 1, `after 403 insufficient_scope on ${choice.rule.call}`);
      const sick = await connectorHealthy(ctx);
      if (sick && verdict.status === 'pass') return [ctx.fail('no-retry-storm-on-401', `after a 403 ${sick}`, { delivery: d, outcome: o })];
      return [verdict];
    } finally {
      clearAllFaults(ctx);
    }
  },
});
