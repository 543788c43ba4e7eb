import { afterEach, describe, expect, it } from 'vitest';
import { json, startHub } from './helpers.js';

type Hub = Awaited<ReturnType<typeof startHub>>;
const open: Hub[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

describe('hub usedScopes (least privilege, clause 8)', () => {
  it('counts only scopes that successful /v1 calls needed, never the token request scope string', async () => {
    const h = await startHub({ scopesAllowed: ['risk:write', 'refunds:write', 'exports:write'] });
    open.push(h);
    // A token asked for three scopes: asking is not using.
    const token = await h.token('risk:write refunds:write exports:write');
    expect(h.control.usedScopes()).toEqual([]);

    const refund = await fetch(`${h.url}/v1/refunds`, json({ payment: 'pay_abc', amount: 100, currency: 'EUR' }, { authorization: `Bearer ${token}` }));
    expect(refund.status).toBe(201);
    expect(h.control.usedScopes()).toEqual(['refunds:write']);

    // A failed call (401 with a revoked token) does not count either.
    h.control.revokeAllTokens();
    const denied = await fetch(`${h.url}/v1/payments/pay_abc/risk_assessments`, json({ score: 1, decision: 'approve' }, { authorization: `Bearer ${token}` }));
    expect(denied.status).toBe(401);
    expect(h.control.usedScopes()).toEqual(['refunds:write']);

    // The token route's ledger entry still shows what was requested (evidence), under its own route.
    const tokenEntry = h.ledger.all().find((e) => e.route === '/oauth/token');
    expect(tokenEntry?.scope).toBe('risk:write refunds:write exports:write');
  });
});
