// What each accepted event causes. Money only moves for a validated refund.requested whose
// refund was not cancelled, re-checked right before each hub and acquirer attempt (clause 6.5).

import { AuthUnavailable, Cancelled, PermanentFailure, callWithRetry } from './outbound.mjs';
import { BoundedSet } from './work-queue.mjs';
import { describeError } from './log.mjs';

/** Deterministic score from the amount alone (a stand-in for a real model): 0..100. */
export function riskScore(amount) {
  return Math.min(100, Math.round(Math.log10(amount + 1) * 12));
}

export function createEffects({ hubUrl, acquirerUrl, tokens, log, signal }) {
  /** Refund ids whose cancellation we accepted; remembered even if it arrived first. */
  const cancelledRefunds = new BoundedSet(100_000);

  function assertNotCancelled(refundId) {
    if (cancelledRefunds.has(refundId)) throw new Cancelled();
  }

  async function assessRisk(event) {
    const score = riskScore(event.amount);
    await callWithRetry({
      url: `${hubUrl}/v1/payments/${encodeURIComponent(event.objectId)}/risk_assessments`,
      method: 'POST',
      body: { score, decision: score >= 80 ? 'review' : 'approve' },
      idempotencyKey: `risk-${event.id}`,
      tokens,
      log,
      logFields: { event_id: event.id, event_type: event.type, target: 'hub' },
      signal,
    });
  }

  async function refund(event) {
    const fields = { event_id: event.id, event_type: event.type };
    const money = { payment: event.payment, amount: event.amount, currency: event.currency };
    const notCancelled = () => assertNotCancelled(event.objectId);
    notCancelled();
    // The hub records the refund first (refunds:write). This authenticated call doubles as
    // the proof that our credentials are still good: a revoked client gets no further, so
    // no money moves after revocation (clause 6.8).
    await callWithRetry({
      url: `${hubUrl}/v1/refunds`,
      method: 'POST',
      // The refund id leads the body so the record is traceable to this refund, not just the payment.
      body: { refund: event.objectId, ...money },
      idempotencyKey: `hub-refund-${event.id}`,
      tokens,
      beforeAttempt: notCancelled,
      log,
      logFields: { ...fields, target: 'hub' },
      signal,
    });
    // Then the acquirer moves the money. Cancellation is re-checked before every attempt,
    // and every attempt carries the same key, so a retry after a timeout that did commit
    // is replayed by the acquirer instead of refunding twice.
    await callWithRetry({
      url: `${acquirerUrl}/v1/refunds`,
      method: 'POST',
      body: { reference: event.objectId, ...money },
      idempotencyKey: `refund-${event.id}`,
      beforeAttempt: notCancelled,
      log,
      logFields: { ...fields, target: 'acquirer' },
      signal,
    });
  }

  return {
    /** Record a cancellation synchronously at acceptance time, before any later event is queued. */
    noteCancellation(refundId) {
      cancelledRefunds.add(refundId);
    },
    isCancelled(refundId) {
      return cancelledRefunds.has(refundId);
    },
    /** Runs one accepted event; returns 'done' | 'skipped' | 'failed' | 'retry-later'. Never throws. */
    async process(event) {
      const fields = { event_id: event.id, event_type: event.type };
      try {
        if (event.type === 'payment.captured') await assessRisk(event);
        else if (event.type === 'refund.requested') await refund(event);
        else return 'skipped';
        log.info('event processed', { ...fields, outcome: 'done' });
        return 'done';
      } catch (err) {
        if (err instanceof Cancelled) {
          log.info('event skipped', { ...fields, outcome: 'cancelled' });
          return 'skipped';
        }
        if (err instanceof PermanentFailure) {
          log.warn('event failed permanently', { ...fields, outcome: 'failed', status: err.status });
          return 'failed';
        }
        log.warn('event failed, left for redelivery', { ...fields, outcome: err instanceof AuthUnavailable ? 'auth-unavailable' : 'transient', error: describeError(err) });
        return 'retry-later';
      }
    },
  };
}
