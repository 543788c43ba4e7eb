import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { acquirer } from '../../mocks/acquirer.js';
import { serveHandlers } from '../../mocks/serve-handlers.js';
import { json, startAcquirer } from './helpers.js';

let acq: Awaited<ReturnType<typeof startAcquirer>>;
beforeAll(async () => {
  acq = await startAcquirer();
});
afterAll(async () => {
  await acq.close();
});

describe('acquirer', () => {
  it('records movements with and without idempotency keys, so a double refund is visible', async () => {
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) => fetch(`${acq.url}${path}`, json(body, headers));
    expect((await post('/v1/authorizations', { payment: 'pay_M', amount: 1000, currency: 'EUR' })).status).toBe(201);
    expect((await post('/v1/captures', { payment: 'pay_M', amount: 1000, currency: 'EUR' }, { 'idempotency-key': 'cap-1' })).status).toBe(201);
    expect((await post('/v1/captures', { payment: 'pay_M', amount: 1000, currency: 'EUR' }, { 'idempotency-key': 'cap-1' })).headers.get('idempotent-replayed')).toBe('true');
    // Two refunds without a key: both happen, even beyond the captured amount.
    await post('/v1/refunds', { payment: 'pay_M', amount: 800, currency: 'EUR' });
    await post('/v1/refunds', { payment: 'pay_M', amount: 800, currency: 'EUR' }, { authorization: 'Bearer leaked' });
    expect(acq.control.movements('pay_M')).toEqual([
      { kind: 'authorization', paymentId: 'pay_M', amount: 1000 },
      { kind: 'capture', paymentId: 'pay_M', amount: 1000, idempotencyKey: 'cap-1' },
      { kind: 'refund', paymentId: 'pay_M', amount: 800 },
      { kind: 'refund', paymentId: 'pay_M', amount: 800 },
    ]);
    expect(acq.control.movements('pay_other')).toEqual([]);
    const entries = acq.ledger.all().filter((e) => e.objectIds.includes('pay_M'));
    expect(entries.map((e) => e.committed)).toEqual([true, true, false, true, true]);
    expect(entries.every((e) => e.target === 'acquirer')).toBe(true);
    // The Authorization header's presence is kept as an opaque fingerprint, never its value.
    expect(entries[4]?.tokenId).toMatch(/^authz_[0-9a-f]{12}$/);
    expect(entries[3]?.tokenId).toBeUndefined();
    expect(JSON.stringify(acq.ledger.all())).not.toContain('leaked');
  });

  it('rejects bad bodies with 422 naming the parameter, and serves /v1/health', async () => {
    const res = await fetch(`${acq.url}/v1/captures`, json({ payment: 'pay_M', amount: 1.5, currency: 'EUR' }));
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { param: 'amount' } });
    expect((await fetch(`${acq.url}/v1/refunds`, { method: 'POST', body: 'not json' })).status).toBe(422);
    expect(await (await fetch(`${acq.url}/v1/health`)).json()).toEqual({ status: 'ok' });
  });

  it('stand-alone factories compose with plain msw handlers', async () => {
    const s = await serveHandlers([acquirer.refund({ kind: 'status', status: 502 }), http.get('/extra', () => HttpResponse.text('x'))], {
      maxBodyBytes: 1024,
      onUnhandled: () => undefined,
    });
    try {
      expect((await fetch(`${s.url}/v1/refunds`, json({ payment: 'pay_S', amount: 1, currency: 'EUR' }))).status).toBe(502);
      expect(await (await fetch(`${s.url}/extra`)).text()).toBe('x');
    } finally {
      await s.close();
    }
  });
});
