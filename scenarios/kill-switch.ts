/**
 * Clause 12: the kill switch. The hub disables the connector's webhook subscription (the
 * harness stops sending: it models the hub) and revokes its client; work already in flight
 * may finish its current call, but no effect may commit once the bound has passed.
 */
import type { Manifest } from '../harness/manifest/types.js';
import type { CheckOutcome } from '../harness/model/control.js';
import { isAccepted } from '../harness/model/delivery.js';
import type { EventEnvelope, ScenarioContext } from '../harness/runner/context.js';
import { describeEntry } from '../harness/runner/effects-oracle.js';
import { defineScenario } from '../harness/runner/scenario.js';
import { clearAllFaults, connectorHealthy, injectOn, moneyChoice, requiredChoice, routeOf, waitFor } from './lib/outbound.js';

/** Effects may still commit this long after the kill (calls in flight finishing): 2 × sla.outboundTimeoutMs. */
export function killBoundMs(m: Manifest): number {
  return 2 * m.sla.outboundTimeoutMs;
}
/** The connector must be quiet this long before the harness stops watching (ms). */
const QUIET_MS = 1_000;
const IN_FLIGHT = 3;
const WITHHELD = 2;
/** How long the first call of each in-flight event is held by the hub, so the kill lands mid-work (ms). */
const HOLD_MS = 400;

async function sandboxHealth(ctx: ScenarioContext): Promise<string | undefined> {
  for (const [name, url] of [['hub', ctx.sandbox.hubUrl], ['acquirer', ctx.sandbox.acquirerUrl]] as const) {
    try {
      const res = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status !== 200) return `${name} health answered ${res.status}`;
    } catch (err) {
      return `${name} health failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  return undefined;
}

export const killSwitch = defineScenario({
  id: 'kill-switch',
  title: 'After the kill switch (subscription disabled, client revoked) effects stop within a bound and nothing crashes',
  pack: 'kill-switch',
  clauses: [12],
  controls: ['kill-switch-stops-effects'],
  sends: `${IN_FLIGHT} valid events whose first hub call is held ${HOLD_MS} ms; while they are in flight the webhook subscription is disabled and the client revoked; ${WITHHELD} more events are then due but withheld by the disabled subscription.`,
  expects: 'No committed effect later than 2 × sla.outboundTimeoutMs after the kill; the connector stays up (no crash loop) and the hub and acquirer keep answering.',
  applies: (m) => (Object.keys(m.effects).some((t) => m.webhooks.events.includes(t)) ? true : 'no subscribed event has effects'),
  timeLimitMs: 40_000,
  async run(ctx) {
    const choice = moneyChoice(ctx) ?? requiredChoice(ctx);
    if (!choice) return [ctx.skip('kill-switch-stops-effects', 'no effect rule to observe')];
    const hub = ctx.sandbox.hub;
    const clientId = ctx.sandbox.secrets.clientId;
    const first = ctx.rules(choice.type)[0]!;
    const bound = killBoundMs(ctx.manifest);
    injectOn(ctx, first.target, { route: routeOf(first), fault: { kind: 'delay', ms: HOLD_MS }, times: IN_FLIGHT });
    let killedAt = 0;
    const out: CheckOutcome[] = [];
    try {
      const events: EventEnvelope[] = Array.from({ length: IN_FLIGHT }, () => ctx.event(choice.type));
      const deliveries = events.map((ev, i) => ctx.sign(ev, { label: `valid ${choice.type} #${i + 1} in flight at the kill` }));
      const outcomes = await ctx.deliverAll(deliveries, { valid: true, concurrency: IN_FLIGHT });
      // Kill once the connector has started on the work (its first call arrived), or soon after the acks.
      await waitFor(ctx, () => (ctx.ledger().some((e) => e.target !== 'egress' && e.route !== '/oauth/token') ? true : undefined), HOLD_MS);
      killedAt = ctx.now();
      hub.setWebhooksEnabled(false);
      hub.revokeClient(clientId);

      // The hub owes the connector more events, but a disabled subscription sends nothing.
      let withheld = 0;
      for (let i = 0; i < WITHHELD; i++) {
        const ev = ctx.event(choice.type);
        const d = ctx.sign(ev, { label: `valid ${choice.type} due after the kill` });
        if (hub.webhooksEnabled()) await ctx.deliver(d, { valid: true });
        else withheld++;
      }

      await ctx.settle({ quietMs: QUIET_MS, maxMs: bound + QUIET_MS });
      const watchedMs = ctx.now() - killedAt;
      const after = ctx.ledger().filter((e) => e.at >= killedAt && e.committed);
      const late = after.filter((e) => e.at > killedAt + bound);
      const sick = await connectorHealthy(ctx);
      const sandboxSick = await sandboxHealth(ctx);
      const details = { boundMs: bound, watchedMs, committedAfterKill: after.map((e) => ({ afterMs: e.at - killedAt, call: describeEntry(e) })).slice(0, 10), withheld, acknowledged: outcomes.filter(isAccepted).length };
      if (late.length > 0) {
        out.push(ctx.fail('kill-switch-stops-effects', `${late.length} effect(s) committed more than ${bound} ms after the kill; first ${late[0]!.at - killedAt} ms after: ${describeEntry(late[0]!)}`, { delivery: deliveries[0]!, outcome: outcomes[0]!, details }));
      } else if (sick) {
        out.push(ctx.fail('kill-switch-stops-effects', `after the kill switch ${sick}`, { details }));
      } else if (sandboxSick) {
        out.push(ctx.fail('kill-switch-stops-effects', `after the kill switch the sandbox stopped working: ${sandboxSick}`, { details }));
      } else {
        const quiet = watchedMs < bound + QUIET_MS ? `quiet ${QUIET_MS} ms` : `still busy at the end of the ${watchedMs} ms watch`;
        out.push(ctx.pass('kill-switch-stops-effects', `${after.length} in-flight effect(s) finished within ${after.length ? Math.max(...after.map((e) => e.at - killedAt)) : 0} ms of the kill (bound ${bound} ms), then none (${quiet}); ${withheld} deliveries withheld; connector and sandbox healthy`, details));
      }
      return out;
    } finally {
      clearAllFaults(ctx);
      hub.setWebhooksEnabled(true);
      hub.restoreClient(clientId);
    }
  },
});
