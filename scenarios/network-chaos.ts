/**
 * Network chaos: a second connector instance talks to the hub and the acquirer through the
 * Toxiproxy-compatible fault proxy (mocks/fault-proxy), which adds latency with jitter and
 * resets the acquirer connection in the middle of the refund answer. The acquirer has
 * committed by then; the connector cannot know, so only a retry that reuses the
 * idempotency key keeps it to one movement.
 */
import { listenPort, startFaultProxy, type StartedFaultProxy } from '../mocks/fault-proxy/index.js';
import type { CheckOutcome } from '../harness/model/control.js';
import type { EventEnvelope, ScenarioContext } from '../harness/runner/context.js';
import { describeEntry } from '../harness/runner/effects-oracle.js';
import { defineScenario } from '../harness/runner/scenario.js';
import { deliverUntilProcessed, doubleMovement, moneyChoice, sleepUntil, waitFor } from './lib/outbound.js';

/** Latency added to every answer in the first phase (ms), ± jitter. */
const LATENCY_MS = 120;
const JITTER_MS = 80;
/** The refund answer is held this long, and the connection reset before it is released (ms). */
const HOLD_MS = 700;
const RESET_AFTER_MS = 300;

/** The env that routes an instance through the fault proxy, and lets it reach the proxy. */
export function chaosEnv(hubProxy: string, acquirerProxy: string): Record<string, string> {
  return {
    HUB_API_URL: `http://${hubProxy}`,
    ACQUIRER_URL: `http://${acquirerProxy}`,
    // Clients that honour HTTP_PROXY would otherwise ask the egress proxy for the fault proxy's
    // ports, which the manifest's egress list does not name; loopback goes direct here.
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    // The preloaded egress interceptor allows these too (docs/egress.md).
    GAUNTLET_EGRESS_ALLOW_EXTRA: `${hubProxy},${acquirerProxy}`,
  };
}

function committedAcquirerCall(ctx: ScenarioContext, ev: EventEnvelope) {
  return ctx.attemptsFor(ev.id).find((e) => e.target === 'acquirer' && e.committed);
}

export const chaosResetMidRefund = defineScenario({
  id: 'chaos-reset-mid-refund',
  title: 'Through a fault proxy (latency with jitter, then a reset in the middle of the refund answer) the connector moves money once and recovers',
  pack: 'network-chaos',
  clauses: [9],
  controls: ['no-double-money-movement', 'effects-min-met'],
  sends: `A second connector instance routed through the fault proxy: one valid refund with ${LATENCY_MS}±${JITTER_MS} ms latency on every answer; then one whose acquirer answer is held ${HOLD_MS} ms and the connection reset after ${RESET_AFTER_MS} ms (after the acquirer committed); the toxics are removed before the retry.`,
  expects: 'Both events are processed (after the hub redelivers, if needed) with one money movement each.',
  applies: (m) => {
    const subscribed = new Set(m.webhooks.events);
    return Object.entries(m.effects).some(([t, rules]) => subscribed.has(t) && rules.some((r) => r.target === 'acquirer' && r.method === 'POST'))
      ? true
      : 'no subscribed event causes an acquirer call to put the fault proxy in front of';
  },
  timeLimitMs: 40_000,
  async run(ctx) {
    const choice = moneyChoice(ctx);
    if (!choice || choice.rule.target !== 'acquirer') return [ctx.skip('no-double-money-movement', 'no acquirer money rule')];
    let fp: StartedFaultProxy | undefined;
    const out: CheckOutcome[] = [];
    try {
      fp = await startFaultProxy({ apiPort: 0 });
      const hubP = await fp.createProxy({ name: 'hub', listen: '127.0.0.1:0', upstream: new URL(ctx.sandbox.hubUrl).host });
      const acqP = await fp.createProxy({ name: 'acquirer', listen: '127.0.0.1:0', upstream: new URL(ctx.sandbox.acquirerUrl).host });
      const started = await ctx.startExtraConnector(chaosEnv(`127.0.0.1:${listenPort(hubP)}`, `127.0.0.1:${listenPort(acqP)}`));
      if (!started.ok) {
        const why = `the connector instance behind the fault proxy did not start: ${started.message}`;
        return [ctx.fail('effects-min-met', why), ctx.skip('no-double-money-movement', why)];
      }
      const to = started.connector;

      // Phase 1: slow, jittery network on every answer.
      for (const name of ['hub', 'acquirer']) fp.addToxic(name, { type: 'latency', name: 'jitter', stream: 'downstream', attributes: { latency: LATENCY_MS, jitter: JITTER_MS } });
      const slow = ctx.event(choice.type);
      const r1 = await deliverUntilProcessed(ctx, slow, { tries: 2, settleMs: 4_000, label: `valid ${choice.type} through ${LATENCY_MS}±${JITTER_MS} ms latency`, to });
      for (const name of ['hub', 'acquirer']) fp.removeToxic(name, 'jitter');

      // Phase 2: the acquirer commits, its answer is held, and the connection is reset before it arrives.
      fp.addToxic('acquirer', { type: 'latency', name: 'hold', stream: 'downstream', attributes: { latency: HOLD_MS, jitter: 0 } });
      fp.addToxic('acquirer', { type: 'reset_peer', name: 'reset', stream: 'downstream', attributes: { timeout: RESET_AFTER_MS } });
      const cut = ctx.event(choice.type);
      const d2 = ctx.sign(cut, { label: `valid ${choice.type}; the acquirer's answer is reset mid-flight after it committed` });
      const o2 = await ctx.deliver(d2, { valid: true, to });
      const commit = await waitFor(ctx, () => committedAcquirerCall(ctx, cut), 5_000, 5);
      // The reset fires RESET_AFTER_MS after the toxic became active on the connection: at connect for a new one,
      // at the answer's first chunk for a pooled one (just after the commit). Remove the toxics only once it has
      // surely fired; a retry that still meets them is reset again, which only costs the connector another retry.
      if (commit) await sleepUntil(ctx, commit.at + RESET_AFTER_MS + 150);
      fp.removeToxic('acquirer', 'hold');
      fp.removeToxic('acquirer', 'reset');
      const r2 = await deliverUntilProcessed(ctx, cut, { tries: 2, settleMs: 4_000, label: d2.label, to });

      const double = [slow, cut].map((ev) => doubleMovement(ctx, ev)).find((x) => x);
      // The reset landed when the connector had to call the acquirer again for the same refund.
      const acquirerAttempts = ctx.attemptsFor(cut.id).filter((e) => e.target === 'acquirer').length;
      out.push(
        double
          ? ctx.fail('no-double-money-movement', `through the fault proxy: ${double}`, { delivery: d2, outcome: o2 })
          : commit && acquirerAttempts > 1
            ? ctx.pass('no-double-money-movement', `reset mid-answer after ${describeEntry(commit)}; ${acquirerAttempts} acquirer attempts, one movement per event`)
            : ctx.skip('no-double-money-movement', `the reset did not land after a commit (${acquirerAttempts} acquirer attempt(s)): nothing to judge`),
      );
      const missing = [r1, r2].filter((r) => !r.ok);
      out.push(
        missing.length
          ? ctx.fail('effects-min-met', `${missing.length}/2 events not processed through the fault proxy (latency, then a reset mid-answer), even after redelivery`, { delivery: missing[0]!.delivery, outcome: missing[0]!.outcome })
          : ctx.pass('effects-min-met', 'both events processed through the fault proxy (latency with jitter; reset mid-answer)'),
      );
      return out;
    } finally {
      await fp?.close();
    }
  },
});
