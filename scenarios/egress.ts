/**
 * Clause 11: egress goes only to the manifest's `egress` destinations. Two observers feed
 * the ledger (docs/egress.md): the sandbox's HTTP_PROXY egress proxy, and for Node
 * connectors the preloaded interceptor (harness/egress/preload.ts), which also sees
 * `fetch` and `http.request` calls that ignore HTTP_PROXY. The whole-run leak scan judges
 * every entry; this scenario gives a named, replayable case per accepted event type.
 */
import type { CheckOutcome } from '../harness/model/control.js';
import { defineScenario } from '../harness/runner/scenario.js';
import { sleepUntil } from './lib/outbound.js';

/** Exfiltration is often fire-and-forget after the ack: give it this long to show (ms). */
const GRACE_MS = 600;

export const egressAllowlist = defineScenario({
  id: 'egress-allowlist',
  title: 'Processing events sends nothing outside the manifest egress list',
  pack: 'egress',
  clauses: [11],
  controls: ['egress-allowlisted'],
  sends: 'One valid event of each subscribed type that has effects, while the egress proxy and (for Node connectors) the preloaded interceptor record every outbound destination.',
  expects: 'Every destination the connector tried is in `egress`; a blocked attempt is reported with its destination, and never connected to.',
  async run(ctx) {
    const types = ctx.effectEventTypes();
    const pool = types.length > 0 ? types : ctx.manifest.webhooks.events;
    const events = pool.map((t) => ctx.event(t));
    const deliveries = events.map((ev) => ctx.sign(ev, { label: `valid ${ev.type}` }));
    const outcomes = await ctx.deliverAll(deliveries, { valid: true, concurrency: 2 });
    const sentAt = ctx.now();
    await ctx.settle({ expectEffects: events, quietMs: 300 });
    await sleepUntil(ctx, sentAt + GRACE_MS);
    const egress = ctx.ledger().filter((e) => e.target === 'egress');
    const denied = egress.filter((e) => e.status === 403);
    const seen = [...new Set(egress.map((e) => e.destination ?? '?'))];
    const out: CheckOutcome[] = [];
    if (denied.length > 0) {
      const dests = [...new Set(denied.map((e) => e.destination ?? e.path))];
      const byWho = [...new Set(denied.map((e) => e.observedBy ?? 'egress-proxy'))];
      const i = Math.max(0, events.findIndex((ev) => denied.some((d) => d.causedBy?.eventId === ev.id)));
      out.push(ctx.fail('egress-allowlisted', `${denied.length} blocked attempt(s) to destinations outside egress [${ctx.manifest.egress.join(', ')}]: ${dests.slice(0, 5).join(', ')} (seen by ${byWho.join(' and ')})`, {
        delivery: deliveries[i]!,
        outcome: outcomes[i]!,
        details: { destinations: dests, attempts: denied.slice(0, 10).map((e) => `${e.method} ${e.destination ?? ''}${e.path} → blocked by ${e.observedBy ?? 'egress-proxy'}`) },
      }));
    } else {
      out.push(ctx.pass('egress-allowlisted', egress.length ? `${egress.length} recorded egress attempt(s), all allowed (${seen.join(', ')})` : `no egress outside the sandbox observed for ${events.length} events`));
    }
    return out;
  },
});
