import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../harness/sandbox/types.js';
import { json, startAcquirer } from './helpers.js';

let acq: Awaited<ReturnType<typeof startAcquirer>>;
beforeAll(async () => {
  acq = await startAcquirer();
});
afterAll(async () => {
  await acq.close();
});

/** One refund under `fault`, abandoned by the client after `afterMs` (like an outbound timeout). */
async function abandonAfter(fault: FaultSpec, afterMs: number) {
  acq.control.injectFault({ route: 'POST /v1/refunds', fault, times: 1 });
  const seq = acq.ledger.lastSeq;
  const err = await fetch(`${acq.url}/v1/refunds`, { ...json({ payment: 'pay_Ab', amount: 10, currency: 'EUR' }), signal: AbortSignal.timeout(afterMs) }).then(
    () => 'answered',
    (e: Error) => e.name,
  );
  // The server learns of the close a moment later: bounded wait for the note.
  for (let i = 0; i < 100; i++) {
    const e = acq.ledger.since(seq)[0];
    if (e?.abandonedAfterMs !== undefined) return { err, entry: e };
    await new Promise((r) => setTimeout(r, 20));
  }
  return { err, entry: acq.ledger.since(seq)[0] };
}

describe('faulted calls note when the client gave up (clause 9 evidence)', () => {
  it.each<[string, FaultSpec]>([
    ['hang', { kind: 'hang' }],
    ['commit-then-hang', { kind: 'commit-then-hang' }],
    ['delay past the client timeout', { kind: 'delay', ms: 1_500 }],
  ])('%s: abandonedAfterMs is about the client timeout', async (_name, fault) => {
    const { err, entry } = await abandonAfter(fault, 300);
    expect(err).toBe('TimeoutError');
    // Counted from arrival at the server, so connection set-up eats into the client's 300 ms.
    expect(entry?.abandonedAfterMs).toBeGreaterThanOrEqual(100);
    // Loose upper bound: a shared machine may be slow, but not by seconds.
    expect(entry?.abandonedAfterMs).toBeLessThan(1_400);
  });

  it('a call answered in time carries no abandonment note', async () => {
    acq.control.injectFault({ route: 'POST /v1/refunds', fault: { kind: 'delay', ms: 20 }, times: 1 });
    const res = await fetch(`${acq.url}/v1/refunds`, json({ payment: 'pay_Ac', amount: 10, currency: 'EUR' }));
    expect(res.status).toBe(201);
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 50));
    expect(acq.ledger.all().at(-1)?.abandonedAfterMs).toBeUndefined();
  });
});
