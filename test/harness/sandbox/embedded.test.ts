import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../../harness/manifest/types.js';
import { Ledger } from '../../../harness/model/ledger.js';
import { EmbeddedSandbox } from '../../../harness/sandbox/embedded.js';

function manifest(overrides: Partial<Manifest> = {}): Manifest {
  return {
    apiVersion: 'gauntlet/v1',
    name: 'acme-refunds',
    version: '1.0.0',
    type: 'payout',
    tier: 'critical',
    run: { command: ['node', 'server.js'], cwd: '/tmp', startTimeoutMs: 5000, env: {} },
    webhooks: { path: '/webhooks', scheme: 'standard-webhooks', events: ['refund.requested'], toleranceSec: 300 },
    scopes: ['payments:read', 'refunds:write'],
    egress: ['hub', 'acquirer'],
    effects: {},
    sla: { ackMs: 2000, outboundTimeoutMs: 5000 },
    services: [],
    source: { path: '/tmp/connector.yaml', dir: '/tmp' },
    ...overrides,
  };
}

/** A request through the egress proxy, the way proxy-aware clients send it (absolute URI). */
function viaProxy(proxyUrl: string, target: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  const p = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: p.hostname, port: p.port, path: target, method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('EmbeddedSandbox', () => {
  it('starts hub, acquirer and proxy on loopback and gives the connector its environment', async () => {
    const ledger = new Ledger();
    await using sandbox = await new EmbeddedSandbox(manifest()).withSeed(1).withClock(() => Date.UTC(2026, 0, 1)).withLedger(ledger).start();
    expect(sandbox.kind).toBe('embedded');
    expect(sandbox.ledger).toBe(ledger);
    const env = sandbox.connectorEnv();
    expect(env).toMatchObject({
      HUB_API_URL: sandbox.hubUrl,
      ACQUIRER_URL: sandbox.acquirerUrl,
      HTTP_PROXY: sandbox.egressProxyUrl,
      HTTPS_PROXY: sandbox.egressProxyUrl,
      NO_PROXY: '',
      HUB_CLIENT_ID: sandbox.secrets.clientId,
      HUB_CLIENT_SECRET: sandbox.secrets.clientSecret,
      WEBHOOK_SECRET: sandbox.secrets.webhookSecret,
    });
    expect(env['GAUNTLET_RUN_ID']).toMatch(/^run_[0-9a-f]{12}$/);
    for (const url of [sandbox.hubUrl, sandbox.acquirerUrl, sandbox.egressProxyUrl]) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env['WEBHOOK_SECRET']).toMatch(/^whsec_/);

    // Direct (proxy-ignoring client) and proxied (proxy-honouring client) calls both work.
    const basic = 'Basic ' + Buffer.from(`${env['HUB_CLIENT_ID']}:${env['HUB_CLIENT_SECRET']}`).toString('base64');
    const direct = await fetch(`${env['HUB_API_URL']}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=refunds:write',
    });
    const token = ((await direct.json()) as { access_token: string }).access_token;
    const proxied = await viaProxy(env['HTTP_PROXY'] as string, `${env['HUB_API_URL']}/v1/refunds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'k' },
      body: JSON.stringify({ payment: 'pay_S1', amount: 10, currency: 'EUR' }),
    });
    expect(proxied.status).toBe(201);
    const acq = await viaProxy(env['HTTP_PROXY'] as string, `${env['ACQUIRER_URL']}/v1/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payment: 'pay_S1', amount: 10, currency: 'EUR' }),
    });
    expect(acq.status).toBe(201);
    expect(sandbox.acquirer.movements('pay_S1')).toEqual([{ kind: 'refund', paymentId: 'pay_S1', amount: 10 }]);
    // Anything else is refused by the proxy.
    expect((await viaProxy(env['HTTP_PROXY'] as string, 'http://127.0.0.1:9/x')).status).toBe(403);

    const targets = ledger.all().map((e) => `${e.target} ${e.method} ${e.path} ${e.status}`);
    expect(targets).toEqual([
      'hub POST /oauth/token 200',
      'hub POST /v1/refunds 201',
      'egress POST /v1/refunds 201',
      'acquirer POST /v1/refunds 201',
      'egress POST /v1/refunds 201',
      'egress GET /x 403',
    ]);
    expect(ledger.all().find((e) => e.target === 'egress' && e.status === 403)?.destination).toBe('127.0.0.1:9');
    expect(sandbox.secretValues()).toEqual([sandbox.secrets.webhookSecret, sandbox.secrets.clientSecret, token]);
    expect(sandbox.hub.usedScopes()).toEqual(['refunds:write']);
  });

  it('stop() returns promptly with a hanging request in flight, and is idempotent', async () => {
    const sandbox = await new EmbeddedSandbox(manifest()).start();
    sandbox.hub.injectFault({ route: 'GET /v1/health', fault: { kind: 'hang' } });
    sandbox.useAcquirer(sandbox.acquirerRoutes.health({ kind: 'hang' }));
    const seq = sandbox.ledger.lastSeq;
    const calls = [fetch(`${sandbox.hubUrl}/v1/health`), fetch(`${sandbox.acquirerUrl}/v1/health`)].map((p) =>
      p.then(
        () => 'answered',
        () => 'dropped',
      ),
    );
    for (let i = 0; i < 100 && sandbox.ledger.lastSeq < seq + 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(sandbox.ledger.since(seq).map((e) => e.fault)).toEqual(['hang', 'hang']);
    const t0 = Date.now();
    await sandbox.stop();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(await Promise.all(calls)).toEqual(['dropped', 'dropped']);
    await sandbox.stop();
    await expect(fetch(`${sandbox.hubUrl}/v1/health`)).rejects.toThrow();
  });

  it('keeps created ids reproducible per seed', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      await using sandbox = await new EmbeddedSandbox(manifest()).withSeed(99).start();
      const res = await fetch(`${sandbox.acquirerUrl}/v1/captures`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payment: 'pay_1', amount: 5, currency: 'EUR' }),
      });
      ids.push(((await res.json()) as { id: string }).id);
    }
    expect(ids[0]).toMatch(/^cap_[0-9a-f]{20}$/);
    expect(ids[0]).toBe(ids[1]);
  });
});
