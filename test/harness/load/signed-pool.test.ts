import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { SyntheticData } from '../../../harness/data/synthetic.js';
import { planSends, seededRandom } from '../../../harness/load/plan.js';
import { SignedPool } from '../../../harness/load/signed-pool.js';
import { generateRunSecrets } from '../../../harness/sandbox/secrets.js';

function poolOf(scheme: 'standard-webhooks' | 'stripe', secret: string, clock: { now: number }, opts: { total?: number; share?: number; toleranceSec?: number } = {}) {
  const data = new SyntheticData(7);
  const { sends, events } = planSends(opts.total ?? 60, opts.share ?? 0.3, 8, seededRandom(7));
  const evs = Array.from({ length: events }, (_, i) => data.event(i % 2 ? 'refund.requested' : 'payment.captured'));
  const pool = new SignedPool({
    scheme,
    secret,
    toleranceSec: opts.toleranceSec ?? 300,
    sends,
    bodies: evs.map((e) => Buffer.from(JSON.stringify(e))),
    deliveryIds: evs.map((_, i) => `msg_test_${i}`),
    eventTypes: evs.map((e) => e.type),
    nowSec: () => clock.now,
  });
  return { pool, evs };
}

describe('SignedPool', () => {
  it('pre-signs unique valid events that the standardwebhooks library verifies, repeats carrying the same id and bytes', () => {
    const secret = generateRunSecrets('standard-webhooks').webhookSecret;
    const clock = { now: Math.floor(Date.now() / 1000) };
    const { pool, evs } = poolOf('standard-webhooks', secret, clock);
    const wh = new Webhook(secret);
    const firstSend = new Map<number, { id: string; body: Buffer }>();
    let n = 0;
    for (let p = pool.next(); p; p = pool.next()) {
      n++;
      const parsed = wh.verify(p.body, p.headers) as { id: string };
      expect(parsed.id).toBe(evs[p.event]!.id);
      const seen = firstSend.get(p.event);
      if (p.duplicate) {
        expect(seen).toBeDefined();
        expect(p.headers['webhook-id']).toBe(seen!.id);
        expect(p.body.equals(seen!.body)).toBe(true);
      } else {
        expect(seen).toBeUndefined();
        firstSend.set(p.event, { id: p.headers['webhook-id']!, body: p.body });
      }
    }
    expect(n).toBe(60);
    expect(new Set([...firstSend.values()].map((v) => v.id)).size).toBe(firstSend.size);
    expect(pool.signedAhead).toBe(60);
    expect(pool.resigned).toBe(0);
  });

  it('re-signs a send whose signature aged past a third of the tolerance window, so it still verifies', () => {
    const secret = generateRunSecrets('standard-webhooks').webhookSecret;
    const clock = { now: Math.floor(Date.now() / 1000) };
    const { pool } = poolOf('standard-webhooks', secret, clock, { total: 4, share: 0, toleranceSec: 9 });
    const first = pool.next()!;
    expect(Number(first.headers['webhook-timestamp'])).toBe(clock.now);
    clock.now += 4; // past 9/3 = 3 s
    const second = pool.next()!;
    expect(pool.resigned).toBe(1);
    expect(Number(second.headers['webhook-timestamp'])).toBe(clock.now);
    expect(() => new Webhook(secret).verify(second.body, second.headers)).not.toThrow();
  });

  it('signs the stripe scheme so that stripe.webhooks.constructEvent accepts it', () => {
    const secret = generateRunSecrets('stripe').webhookSecret;
    const clock = { now: Math.floor(Date.now() / 1000) };
    const { pool } = poolOf('stripe', secret, clock, { total: 10 });
    for (let p = pool.next(); p; p = pool.next()) {
      const ev = Stripe.webhooks.constructEvent(p.body, p.headers['Stripe-Signature'] ?? p.headers['stripe-signature']!, secret);
      expect(typeof ev.id).toBe('string');
    }
  });
});
