import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startHub } from './helpers.js';

let h: Awaited<ReturnType<typeof startHub>>;
let auth: Record<string, string>;
beforeAll(async () => {
  h = await startHub();
  auth = { authorization: `Bearer ${await h.token()}` };
});
afterAll(async () => {
  await h.close();
});

const committed = (path: string, fromSeq = 0) => h.ledger.since(fromSeq).filter((e) => e.path === path && e.committed).length;

describe('hub Idempotency-Key', () => {
  it('replays the first response for the same key and body, without a new commit', async () => {
    const seq = h.ledger.lastSeq;
    const first = await fetch(`${h.url}/v1/refunds`, json({ payment: 'pay_I1', amount: 500, currency: 'eur' }, { ...auth, 'idempotency-key': 'same-1' }));
    const firstBody = await first.json();
    // Same parameters, other key order: still the same request.
    const again = await fetch(`${h.url}/v1/refunds`, json({ currency: 'eur', amount: 500, payment: 'pay_I1' }, { ...auth, 'idempotency-key': 'same-1' }));
    expect(again.status).toBe(first.status);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(firstBody);
    expect(committed('/v1/refunds', seq)).toBe(1);
    const entries = h.ledger.since(seq);
    expect(entries.map((e) => e.idempotentReplay)).toEqual([false, true]);
  });

  it('answers 422 for the same key with another body', async () => {
    const seq = h.ledger.lastSeq;
    await fetch(`${h.url}/v1/payouts`, json({ amount: 100, currency: 'EUR' }, { ...auth, 'idempotency-key': 'po-1' }));
    const other = await fetch(`${h.url}/v1/payouts`, json({ amount: 101, currency: 'EUR' }, { ...auth, 'idempotency-key': 'po-1' }));
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ error: { code: 'idempotency_key_reused' } });
    expect(committed('/v1/payouts', seq)).toBe(1);
  });

  it('answers 409 to a concurrent request with a key still in flight', async () => {
    const seq = h.ledger.lastSeq;
    h.control.injectFault({ route: 'POST /v1/refunds', fault: { kind: 'delay', ms: 150 }, times: 1 });
    const body = { payment: 'pay_C1', amount: 700 };
    const [a, b] = await Promise.all([
      fetch(`${h.url}/v1/refunds`, json(body, { ...auth, 'idempotency-key': 'conc-1' })),
      new Promise((r) => setTimeout(r, 40)).then(() => fetch(`${h.url}/v1/refunds`, json(body, { ...auth, 'idempotency-key': 'conc-1' }))),
    ]);
    expect([a.status, b.status]).toEqual([201, 409]);
    expect(committed('/v1/refunds', seq)).toBe(1);
    // Once the first finished, the same request is a replay.
    const c = await fetch(`${h.url}/v1/refunds`, json(body, { ...auth, 'idempotency-key': 'conc-1' }));
    expect(c.headers.get('idempotent-replayed')).toBe('true');
  });

  it('does not keep a key whose request failed, so a retry performs once', async () => {
    const seq = h.ledger.lastSeq;
    h.control.injectFault({ route: 'POST /v1/refunds', fault: { kind: 'status', status: 503, retryAfterSec: 1 }, times: 1 });
    const r1 = await fetch(`${h.url}/v1/refunds`, json({ payment: 'pay_F1', amount: 1 }, { ...auth, 'idempotency-key': 'retry-1' }));
    expect(r1.status).toBe(503);
    const bad = await fetch(`${h.url}/v1/refunds`, json({ payment: 'pay_F1', amount: -1 }, { ...auth, 'idempotency-key': 'retry-1' }));
    expect(bad.status).toBe(422);
    const r2 = await fetch(`${h.url}/v1/refunds`, json({ payment: 'pay_F1', amount: 1 }, { ...auth, 'idempotency-key': 'retry-1' }));
    expect(r2.status).toBe(201);
    expect(r2.headers.get('idempotent-replayed')).toBeNull();
    expect(committed('/v1/refunds', seq)).toBe(1);
  });

  it('property: committed refunds = distinct keys (first body wins) + requests without a key', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: undefined }), amount: fc.integer({ min: 1, max: 3 }) }), {
          minLength: 1,
          maxLength: 12,
        }),
        async (calls) => {
          // Keys are scoped per run of the property so earlier runs do not interfere.
          const prefix = `p${++run}-`;
          const seq = h.ledger.lastSeq;
          const firstBody = new Map<string, number>();
          let expected = 0;
          for (const c of calls) {
            const headers: Record<string, string> = { ...auth };
            if (c.key !== undefined) headers['idempotency-key'] = prefix + c.key;
            const res = await fetch(`${h.url}/v1/refunds`, json({ payment: 'pay_P', amount: c.amount }, headers));
            await res.arrayBuffer();
            if (c.key === undefined) {
              expected++;
              expect(res.status).toBe(201);
            } else if (!firstBody.has(c.key)) {
              firstBody.set(c.key, c.amount);
              expected++;
              expect(res.status).toBe(201);
            } else {
              expect(res.status).toBe(firstBody.get(c.key) === c.amount ? 201 : 422);
            }
          }
          expect(committed('/v1/refunds', seq)).toBe(expected);
        },
      ),
      { numRuns: 25, seed: 1234 },
    );
  });
});
