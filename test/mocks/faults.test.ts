import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultBook, faultLabel, parseRoutePattern } from '../../mocks/faults.js';
import { GauntletError } from '../../harness/errors.js';
import { json, startAcquirer } from './helpers.js';

let acq: Awaited<ReturnType<typeof startAcquirer>>;
beforeAll(async () => {
  acq = await startAcquirer();
});
afterAll(async () => {
  await acq.close();
});
beforeEach(() => {
  acq.control.clearFaults();
  acq.served.resetHandlers();
});

let current: AbortController | undefined;
const refund = (key?: string, signal?: AbortSignal, abortable = false) => {
  if (abortable) current = new AbortController();
  return fetch(`${acq.url}/v1/refunds`, {
    ...json({ payment: 'pay_F', amount: 100, currency: 'EUR' }, key ? { 'idempotency-key': key } : {}),
    signal: abortable ? current?.signal : signal,
  });
};

/** Start a call, wait (bounded) until the server has recorded it, then give up like a client timeout. */
async function hangThenAbort(call: () => Promise<Response>): Promise<string> {
  const seq = acq.ledger.lastSeq;
  const outcome = call().then(
    () => 'answered',
    (e: Error) => e.name,
  );
  for (let i = 0; i < 100 && acq.ledger.lastSeq === seq; i++) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 100));
  current?.abort();
  return outcome;
}
const lastEntry = () => acq.ledger.all().at(-1);

/** Raw client: reports how the response ended, byte for byte. */
function rawPost(url: string, body: string, timeoutMs = 3000): Promise<{ status?: number; headers?: Record<string, unknown>; body: string; error?: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    let received = '';
    let status: number | undefined;
    let headers: Record<string, unknown> | undefined;
    const done = (error?: string) => resolve({ status, headers, body: received, error, ms: Date.now() - t0 });
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false, timeout: timeoutMs }, (res) => {
      status = res.statusCode;
      headers = res.headers;
      res.on('data', (c: Buffer) => (received += c.toString()));
      res.on('end', () => done());
      res.on('aborted', () => done('aborted'));
      res.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    });
    req.on('timeout', () => {
      req.destroy();
      done('timeout');
    });
    req.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    req.end(body);
  });
}
const refundBody = JSON.stringify({ payment: 'pay_F', amount: 100, currency: 'EUR' });

describe('fault rules', () => {
  it('parses routes and applies a rule to the next N matching calls only', () => {
    expect(parseRoutePattern('post /v1/payments/{id}/x')).toEqual({ method: 'POST', segments: ['v1', 'payments', null, 'x'] });
    expect(() => parseRoutePattern('refunds')).toThrow(GauntletError);
    const book = new FaultBook();
    book.inject({ route: '* /v1/payments/{id}', fault: { kind: 'reset' }, times: 2 });
    expect(book.take('GET', '/v1/payments/pay_1')?.kind).toBe('reset');
    expect(book.take('POST', '/v1/payments')).toBeUndefined();
    expect(book.take('POST', '/v1/payments/pay_2')?.kind).toBe('reset');
    expect(book.take('GET', '/v1/payments/pay_1')).toBeUndefined();
    expect(() => book.inject({ route: 'GET /x', fault: { kind: 'delay', ms: -1 } })).toThrow(/fault\.ms/);
    expect(() => book.inject({ route: 'GET /x', fault: { kind: 'status', status: 99 } })).toThrow(/fault\.status/);
    expect(faultLabel({ kind: 'status', status: 429 })).toBe('status:429');
  });
});

describe('faults seen by a real client', () => {
  it('hang: no answer until the client gives up; nothing is committed, the ledger shows status null', async () => {
    acq.control.injectFault({ route: 'POST /v1/refunds', fault: { kind: 'hang' }, times: 1 });
    expect(await hangThenAbort(() => refund(undefined, undefined, true))).toBe('AbortError');
    expect(lastEntry()).toMatchObject({ status: null, fault: 'hang', committed: false });
    expect(acq.control.movements('pay_F')).toHaveLength(0);
  });

  it('delay: answers after the delay and commits', async () => {
    acq.control.injectFault({ route: 'POST /v1/refunds', fault: { kind: 'delay', ms: 120 }, times: 1 });
    const t0 = Date.now();
    const res = await refund();
    expect(res.status).toBe(201);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    expect(lastEntry()).toMatchObject({ status: 201, fault: 'delay:120ms', committed: true });
  });

  it('status: 429 with Retry-After and no commit', async () => {
    acq.control.injectFault({ route: 'POST /v1/refunds', fault: { kind: 'status', status: 429, retryAfterSec: 7 }, times: 1 });
    const before = acq.control.movements().length;
    const res = await refund();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(lastEntry()).toMatchObject({ status: 429, fault: 'status:429', committed: false });
    expect(acq.control.movements()).toHaveLength(before);
    expect((await refund()).status).toBe(201); // times: 1
  });

  it('reset: the connection is reset (ECONNRESET)', async () => {
    acq.control.injectFault({ route: 'POST /v1/refunds', fault: { kind: 'reset' }, times: 1 });
    const r = await rawPost(`${acq.url}/v1/refunds`, refundBody);
    expect(r.status).toBeUndefined();
    expect(['ECONNRESET', 'socket hang up']).toContain(r.error);
    expect(lastEntry()).toMatchObject({ status: null, fault: 'reset', committed: false });
  });

  it('malformed: 200 with a JSON body that does not parse', async () => {
    acq.control.injectFault({ route: 'POST /v1/refunds', fault: { kind: 'malformed' }, times: 1 });
    const res = await refund();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });

  it('truncated: fewer bytes than Content-Length, then the connection drops; the effect happened', async () => {
    acq.control.injectFault({ route: 'POST /v1/refunds', fault: { kind: 'truncated' }, times: 1 });
    const r = await rawPost(`${acq.url}/v1/refunds`, refundBody);
    expect(r.status).toBe(201);
    expect(r.error).toBeDefined();
    expect(r.body.length).toBeLessThan(Number(r.headers?.['content-length']));
    expect(lastEntry()).toMatchObject({ status: 201, fault: 'truncated', committed: true });
  });

  it('slow-body: headers at once, the full body only after ~ms', async () => {
    acq.control.injectFault({ route: 'POST /v1/refunds', fault: { kind: 'slow-body', ms: 240 }, times: 1 });
    const t0 = Date.now();
    const res = await refund();
    const headersAt = Date.now() - t0;
    const body = (await res.json()) as { object: string };
    expect(body.object).toBe('refund');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(headersAt).toBeLessThan(Date.now() - t0);
  });

  it('commit-then-hang: the effect is committed, the client never gets an answer', async () => {
    acq.control.injectFault({ route: 'POST /v1/refunds', fault: { kind: 'commit-then-hang' }, times: 1 });
    expect(await hangThenAbort(() => refund('cth-1', undefined, true))).toBe('AbortError');
    expect(lastEntry()).toMatchObject({ status: null, fault: 'commit-then-hang', committed: true, idempotencyKey: 'cth-1' });
    // A retry with the same key is replayed, not a second refund.
    const retry = await refund('cth-1');
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(acq.control.movements('pay_F').filter((m) => m.idempotencyKey === 'cth-1')).toHaveLength(1);
  });

  it('msw-style behaviour factories: a one-shot override via use()', async () => {
    acq.served.use(acq.routes.refund({ kind: 'status', status: 503 }, { once: true }));
    expect((await refund()).status).toBe(503);
    expect(lastEntry()).toMatchObject({ fault: 'status:503', target: 'acquirer' });
    expect((await refund()).status).toBe(201);
  });
});
