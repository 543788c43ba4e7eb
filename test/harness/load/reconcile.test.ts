import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../../harness/manifest/load.js';
import type { Manifest } from '../../../harness/manifest/types.js';
import { Ledger } from '../../../harness/model/ledger.js';
import { EffectTally, reconcile, settleLoad } from '../../../harness/load/reconcile.js';

let manifest: Manifest;
beforeAll(async () => {
  manifest = await loadManifest(path.resolve('examples/connectors/careful/connector.yaml'));
});

function call(ledger: Ledger, target: 'hub' | 'acquirer', p: string, objectId: string, committed = true) {
  ledger.record({ target, method: 'POST', path: p, status: committed ? 200 : 500, committed, objectIds: [objectId] });
}

describe('EffectTally and reconcile', () => {
  it('counts committed effects per event and rule, and names dropped and excess events', () => {
    const ledger = new Ledger();
    call(ledger, 'hub', '/v1/refunds', 're_before'); // before the load: out of scope
    const start = ledger.lastSeq;
    const events = [
      { id: 'evt_a', type: 'refund.requested', obj: 're_a' },
      { id: 'evt_b', type: 'refund.requested', obj: 're_b' },
      { id: 'evt_c', type: 'payment.captured', obj: 'pay_c' },
      { id: 'evt_d', type: 'payment.captured', obj: 'pay_d' },
    ];
    for (const e of events) ledger.registerEvent(e.id, e.type, [e.obj]);
    const tally = new EffectTally(manifest, ledger, start, events);
    call(ledger, 'hub', '/v1/refunds', 're_a');
    call(ledger, 'acquirer', '/v1/refunds', 're_a');
    call(ledger, 'hub', '/v1/refunds', 're_b'); // acquirer refund missing: dropped half-way
    call(ledger, 'acquirer', '/v1/refunds', 're_b', false); // failed attempt: not committed
    call(ledger, 'hub', '/v1/payments/pay_c/risk_assessments', 'pay_c');
    call(ledger, 'hub', '/v1/payments/pay_c/risk_assessments', 'pay_c'); // twice: over max 1
    // evt_d: acknowledged, nothing at all.
    tally.update();
    expect(tally.committed).toBe(5);
    expect(tally.minMet(0)).toBe(true);
    expect(tally.minMet(1)).toBe(false);
    const r = reconcile(tally, new Set([0, 1, 2, 3]), { settledBy: 'idle', settleMs: 1234 });
    expect(r).toMatchObject({ acceptedEvents: 4, eventsWithRules: 4, droppedEvents: 2, missingEffects: 2, excessEvents: 1, excessEffects: 1, committedEffects: 5, settledBy: 'idle', settleMs: 1234 });
    expect(r.examples).toContainEqual({ eventId: 'evt_b', eventType: 'refund.requested', rule: 'acquirer POST /v1/refunds', committed: 0, min: 1, kind: 'dropped' });
    expect(r.examples).toContainEqual({ eventId: 'evt_c', eventType: 'payment.captured', rule: 'POST /v1/payments/{id}/risk_assessments', committed: 2, max: 1, kind: 'excess' });
  });

  it('does not owe effects for events that were never acknowledged, but still counts their excess', () => {
    const ledger = new Ledger();
    ledger.registerEvent('evt_x', 'payment.captured', ['pay_x']);
    const tally = new EffectTally(manifest, ledger, 0, [{ id: 'evt_x', type: 'payment.captured' }]);
    expect(reconcile(tally, new Set(), { settledBy: 'met', settleMs: 0 })).toMatchObject({ eventsWithRules: 0, droppedEvents: 0 });
    call(ledger, 'hub', '/v1/payments/pay_x/risk_assessments', 'pay_x');
    call(ledger, 'hub', '/v1/payments/pay_x/risk_assessments', 'pay_x');
    expect(reconcile(tally, new Set(), { settledBy: 'met', settleMs: 0 })).toMatchObject({ excessEvents: 1, excessEffects: 1 });
  });
});

describe('settleLoad', () => {
  it('ends as soon as every minimum is met and the ledger is quiet, on an injected clock', async () => {
    const ledger = new Ledger(() => 0);
    ledger.registerEvent('evt_c', 'payment.captured', ['pay_c']);
    const tally = new EffectTally(manifest, ledger, 0, [{ id: 'evt_c', type: 'payment.captured' }]);
    let now = 0;
    call(ledger, 'hub', '/v1/payments/pay_c/risk_assessments', 'pay_c');
    const r = await settleLoad({ tally, accepted: [0], now: () => (now += 100), quietMs: 300, idleMs: 5_000, maxMs: 10_000, loadEndedAt: 0, pollMs: 1 });
    expect(r.settledBy).toBe('met');
  });

  it('gives up when the ledger stays idle with minimums unmet, and at the hard bound when it never goes quiet', async () => {
    const ledger = new Ledger(() => 0);
    ledger.registerEvent('evt_c', 'payment.captured', ['pay_c']);
    const tally = new EffectTally(manifest, ledger, 0, [{ id: 'evt_c', type: 'payment.captured' }]);
    let now = 0;
    const idle = await settleLoad({ tally, accepted: [0], now: () => (now += 100), quietMs: 300, idleMs: 1_000, maxMs: 10_000, loadEndedAt: 0, pollMs: 1 });
    expect(idle.settledBy).toBe('idle');
    // A connector that keeps calling (unrelated noise) never lets the ledger go quiet.
    let t = 0;
    const noisy = new Ledger(() => t);
    noisy.registerEvent('evt_c', 'payment.captured', ['pay_c']);
    const tally2 = new EffectTally(manifest, noisy, 0, [{ id: 'evt_c', type: 'payment.captured' }]);
    const limit = await settleLoad({
      tally: tally2,
      accepted: [0],
      now: () => {
        t += 100;
        noisy.record({ target: 'hub', method: 'GET', path: '/v1/payments/pay_z', status: 200, committed: false, objectIds: [] });
        return t;
      },
      quietMs: 300,
      idleMs: 1_000,
      maxMs: 2_000,
      loadEndedAt: 0,
      pollMs: 1,
    });
    expect(limit.settledBy).toBe('limit');
  });
});

describe('EffectTally agrees with the runner oracle', () => {
  it('counts, for any ledger, what checkRules counts over the entries attributed to each event', async () => {
    const fc = (await import('fast-check')).default;
    const { attributedTo, checkRules } = await import('../../../harness/runner/effects-oracle.js');
    const calls = [
      { target: 'hub' as const, path: (o: string) => `/v1/payments/${o}/risk_assessments` },
      { target: 'hub' as const, path: () => '/v1/refunds' },
      { target: 'acquirer' as const, path: () => '/v1/refunds' },
      { target: 'hub' as const, path: () => '/v1/payouts' },
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('payment.captured', 'refund.requested', 'refund.canceled'), { minLength: 1, maxLength: 8 }),
        fc.array(fc.record({ ev: fc.nat(), call: fc.nat({ max: calls.length - 1 }), committed: fc.boolean(), method: fc.constantFrom('POST', 'POST', 'GET') }), { maxLength: 40 }),
        (types, entries) => {
          const ledger = new Ledger(() => 0);
          const events = types.map((type, i) => ({ id: `evt_${i}`, type }));
          events.forEach((e, i) => ledger.registerEvent(e.id, e.type, [`obj_${i}`]));
          const tally = new EffectTally(manifest, ledger, 0, events);
          for (const x of entries) {
            const i = x.ev % events.length;
            const c = calls[x.call]!;
            ledger.record({ target: c.target, method: x.method, path: c.path(`obj_${i}`), status: 200, committed: x.committed, objectIds: [`obj_${i}`] });
          }
          tally.update();
          events.forEach((e, i) => {
            const expected = checkRules(manifest, e.type, attributedTo(ledger.all(), e.id)).map((c) => c.committed);
            expect(tally.checks(i).map((c) => c.committed)).toEqual(expected);
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});
