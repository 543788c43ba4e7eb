import { afterEach, describe, expect, it } from 'vitest';
import { json, startHub } from './helpers.js';

type Hub = Awaited<ReturnType<typeof startHub>>;
const open: Hub[] = [];
async function hub(opts?: Parameters<typeof startHub>[0]) {
  const h = await startHub(opts);
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const form = (fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});

describe('hub /oauth/token', () => {
  it('issues opaque scoped tokens for Basic and form credentials', async () => {
    const h = await hub({ scopesAllowed: ['payments:read', 'refunds:write'] });
    const viaBasic = await fetch(`${h.url}/oauth/token`, form({ grant_type: 'client_credentials', scope: 'payments:read' }, { authorization: h.basic }));
    expect(viaBasic.status).toBe(200);
    expect(viaBasic.headers.get('cache-control')).toBe('no-store');
    const t = (await viaBasic.json()) as { access_token: string; token_type: string; expires_in: number; scope: string };
    expect(t).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'payments:read' });
    expect(t.access_token).not.toContain(h.secrets.clientSecret);

    const viaForm = await fetch(
      `${h.url}/oauth/token`,
      form({ grant_type: 'client_credentials', client_id: h.secrets.clientId, client_secret: h.secrets.clientSecret, scope: 'payments:read refunds:write' }),
    );
    expect(viaForm.status).toBe(200);
    const t2 = (await viaForm.json()) as { access_token: string; scope: string };
    expect(t2.scope).toBe('payments:read refunds:write');
    expect(t2.access_token).not.toBe(t.access_token);
    expect(h.control.issuedTokens()).toEqual([t.access_token, t2.access_token]);

    // The ledger never holds the client secret, only an opaque token id.
    const entries = h.ledger.all().filter((e) => e.path === '/oauth/token');
    expect(entries.map((e) => e.tokenId)).toEqual(['tkn_1', 'tkn_2']);
    expect(JSON.stringify(h.ledger.all())).not.toContain(h.secrets.clientSecret);
    expect(JSON.stringify(h.ledger.all())).not.toContain(t.access_token);
  });

  it('rejects scopes outside the manifest, bad credentials and other grant types', async () => {
    const h = await hub({ scopesAllowed: ['payments:read'] });
    const badScope = await fetch(`${h.url}/oauth/token`, form({ grant_type: 'client_credentials', scope: 'payments:read exports:write' }, { authorization: h.basic }));
    expect(badScope.status).toBe(400);
    expect(await badScope.json()).toMatchObject({ error: 'invalid_scope' });

    const wrong = 'Basic ' + Buffer.from(`${h.secrets.clientId}:nope`).toString('base64');
    const badCreds = await fetch(`${h.url}/oauth/token`, form({ grant_type: 'client_credentials' }, { authorization: wrong }));
    expect(badCreds.status).toBe(401);
    expect(badCreds.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(await badCreds.json()).toMatchObject({ error: 'invalid_client' });

    expect((await fetch(`${h.url}/oauth/token`, form({ grant_type: 'client_credentials' }))).status).toBe(401);
    const grant = await fetch(`${h.url}/oauth/token`, form({ grant_type: 'password' }, { authorization: h.basic }));
    expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });
    expect(h.control.issuedTokens()).toEqual([]);
  });

  it('refuses a revoked client until it is restored', async () => {
    const h = await hub();
    const old = await h.token();
    h.control.revokeClient(h.secrets.clientId);
    const res = await fetch(`${h.url}/oauth/token`, form({ grant_type: 'client_credentials' }, { authorization: h.basic }));
    expect(res.status).toBe(401);
    const call = await fetch(`${h.url}/v1/payments/pay_1`, { headers: { authorization: `Bearer ${old}` } });
    expect(call.status).toBe(401);
    h.control.restoreClient(h.secrets.clientId);
    expect((await fetch(`${h.url}/v1/payments/pay_1`, { headers: { authorization: `Bearer ${old}` } })).status).toBe(401);
    const fresh = await h.token();
    expect((await fetch(`${h.url}/v1/payments/pay_1`, { headers: { authorization: `Bearer ${fresh}` } })).status).toBe(200);
  });
});

describe('hub bearer auth', () => {
  it('distinguishes missing, unknown, expired and revoked tokens (401) from missing scope (403)', async () => {
    const h = await hub();
    const get = (auth?: string) => fetch(`${h.url}/v1/payments/pay_abc`, { headers: auth ? { authorization: auth } : {} });

    const missing = await get();
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="gauntlet-hub"');
    const unknown = await get('Bearer not-a-token');
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const readOnly = await h.token('payments:read');
    expect((await get(`Bearer ${readOnly}`)).status).toBe(200);
    const refund = await fetch(`${h.url}/v1/refunds`, json({ payment: 'pay_abc', amount: 100 }, { authorization: `Bearer ${readOnly}` }));
    expect(refund.status).toBe(403);
    expect(refund.headers.get('www-authenticate')).toContain('scope="refunds:write"');
    expect(await refund.json()).toMatchObject({ error: { code: 'insufficient_scope' } });

    h.clock.advance(299_000);
    expect((await get(`Bearer ${readOnly}`)).status).toBe(200);
    h.clock.advance(1_000);
    const expired = await get(`Bearer ${readOnly}`);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('expired');

    h.control.setTokenTtlSeconds(10);
    const short = await h.token('payments:read');
    h.control.revokeAllTokens();
    expect((await get(`Bearer ${short}`)).status).toBe(401);
    // The client itself stays valid after revokeAllTokens.
    expect((await get(`Bearer ${await h.token('payments:read')}`)).status).toBe(200);

    expect(h.control.usedScopes()).toEqual(['payments:read']);
    const statuses = h.ledger.all().filter((e) => e.route === '/v1/payments/{id}').map((e) => e.status);
    expect(statuses).toEqual([401, 401, 200, 200, 401, 401, 200]);
  });
});

describe('hub routes', () => {
  it('synthesises the same payment and customer for the same id, and 404s malformed ids', async () => {
    const h = await hub();
    const auth = { authorization: `Bearer ${await h.token()}` };
    const a = await (await fetch(`${h.url}/v1/payments/pay_X1`, { headers: auth })).json();
    const b = await (await fetch(`${h.url}/v1/payments/pay_X1`, { headers: auth })).json();
    expect(a).toEqual(b);
    expect(a).toMatchObject({ id: 'pay_X1', object: 'payment' });
    expect((await fetch(`${h.url}/v1/payments/re_X1`, { headers: auth })).status).toBe(404);
    const c = (await (await fetch(`${h.url}/v1/customers/cus_9`, { headers: auth })).json()) as { email: string };
    expect(c.email).toMatch(/@example\.test$/);
  });

  it('validates risk assessments (422) and records committed ones with attribution fields', async () => {
    const h = await hub();
    h.ledger.registerEvent('evt_1', 'payment.captured', ['pay_R1']);
    const auth = { authorization: `Bearer ${await h.token()}` };
    const bad = await fetch(`${h.url}/v1/payments/pay_R1/risk_assessments`, json({ score: 'high' }, auth));
    expect(bad.status).toBe(422);
    const ok = await fetch(`${h.url}/v1/payments/pay_R1/risk_assessments`, json({ score: 12.5, decision: 'approve', customer: 'cus_7' }, { ...auth, 'idempotency-key': 'k1' }));
    expect(ok.status).toBe(201);
    const entries = h.ledger.all().filter((e) => e.route === '/v1/payments/{id}/risk_assessments');
    expect(entries.map((e) => [e.status, e.committed])).toEqual([
      [422, false],
      [201, true],
    ]);
    expect(entries[1]).toMatchObject({
      target: 'hub',
      method: 'POST',
      path: '/v1/payments/pay_R1/risk_assessments',
      clientId: h.secrets.clientId,
      tokenId: 'tkn_1',
      scope: 'risk:write',
      idempotencyKey: 'k1',
      idempotentReplay: false,
      objectIds: ['pay_R1', 'cus_7'],
      causedBy: { eventId: 'evt_1', eventType: 'payment.captured' },
    });
    expect(entries[1]?.requestBody).toContain('"decision":"approve"');
  });

  it('records unhandled routes and health checks in the ledger', async () => {
    const h = await hub();
    expect((await fetch(`${h.url}/v1/health`)).status).toBe(200);
    const res = await fetch(`${h.url}/v1/charges/ch_1`, { method: 'POST', body: '{"payment":"pay_2"}' });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('POST /v1/charges/ch_1');
    const last = h.ledger.all().at(-1);
    expect(last).toMatchObject({ target: 'hub', status: 500, route: undefined, objectIds: ['ch_1', 'pay_2'], committed: false });
  });

  it('caps the ledger copy of a request body at 4 KiB', async () => {
    const h = await hub();
    const auth = { authorization: `Bearer ${await h.token()}` };
    await fetch(`${h.url}/v1/exports`, json({ note: 'n'.repeat(10_000) }, auth));
    const e = h.ledger.all().at(-1);
    expect(e?.committed).toBe(true);
    expect(e?.requestBody?.length).toBeLessThan(4200);
  });

  it('answers 413 over the body cap and records it as unanswered by a route', async () => {
    const h = await hub({ maxBodyBytes: 100 });
    const res = await fetch(`${h.url}/v1/refunds`, json({ pad: 'x'.repeat(200) }));
    expect(res.status).toBe(413);
    expect(h.ledger.all().at(-1)).toMatchObject({ target: 'hub', method: 'POST', path: '/v1/refunds', status: 413, committed: false });
  });
});
