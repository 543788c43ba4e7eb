import { createServer, request as httpRequest, type RequestListener, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GauntletError } from '../../harness/errors.js';
import { Ledger } from '../../harness/model/ledger.js';
import { startEgressProxy, type EgressProxy } from '../../mocks/egress-proxy.js';

let upstream: Server;
let upstreamHost: string;
let blockedServer: Server;
let blockedHost: string;
let blockedHits = 0;
let proxy: EgressProxy;
const ledger = new Ledger();

async function listen(handler: RequestListener): Promise<[Server, string]> {
  const s = createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return [s, `127.0.0.1:${(s.address() as AddressInfo).port}`];
}

beforeAll(async () => {
  [upstream, upstreamHost] = await listen((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, body }));
    });
  });
  // A loopback server that is NOT allowed: it must never see a connection.
  [blockedServer, blockedHost] = await listen((_req, res) => {
    blockedHits++;
    res.end('reached');
  });
  blockedServer.on('connection', () => blockedHits++);
  proxy = await startEgressProxy({ ledger, allow: ['hub'], names: { hub: upstreamHost } });
});
afterAll(async () => {
  await proxy.close();
  await new Promise((r) => upstream.close(r));
  await new Promise((r) => blockedServer.close(r));
});

function viaProxy(target: string, body?: string): Promise<{ status: number; body: string }> {
  const p = new URL(proxy.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: p.hostname, port: p.port, method: body ? 'POST' : 'GET', path: target, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function connectVia(authority: string): Promise<string> {
  const p = new URL(proxy.url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(p.port), p.hostname, () => s.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`));
    let got = '';
    s.on('data', (c: Buffer) => {
      got += c.toString();
      if (got.includes('\r\n\r\n')) {
        const statusLine = got.split('\r\n')[0] ?? '';
        if (statusLine.includes(' 200 ')) {
          // Tunnel is up: speak HTTP through it.
          s.removeAllListeners('data');
          let tunnelled = '';
          s.on('data', (d: Buffer) => (tunnelled += d.toString()));
          s.on('end', () => resolve(`${statusLine} | ${tunnelled.split('\r\n')[0] ?? ''}`));
          s.write(`GET /tunnel HTTP/1.1\r\nHost: ${authority}\r\nConnection: close\r\n\r\n`);
        } else {
          s.destroy();
          resolve(statusLine);
        }
      }
    });
    s.on('error', reject);
  });
}

describe('egress proxy', () => {
  it('forwards absolute-URI requests to allowed destinations and records them', async () => {
    const res = await viaProxy(`http://${upstreamHost}/v1/refunds?x=1`, '{"payment":"pay_E1"}');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ path: '/v1/refunds?x=1', body: '{"payment":"pay_E1"}' });
    expect(ledger.all().at(-1)).toMatchObject({
      target: 'egress',
      method: 'POST',
      path: '/v1/refunds',
      destination: upstreamHost,
      status: 200,
      objectIds: ['pay_E1'],
      requestBody: '{"payment":"pay_E1"}',
    });
  });

  it('blocks other destinations with 403 without ever connecting, keeping the body as evidence', async () => {
    const res = await viaProxy(`http://${blockedHost}/collect`, '{"card":"4242424242424242"}');
    expect(res.status).toBe(403);
    expect(res.body).toContain(blockedHost);
    const ext = await viaProxy('http://exfil.example.test/steal');
    expect(ext.status).toBe(403);
    expect(blockedHits).toBe(0);
    const entries = ledger.all().slice(-2);
    expect(entries.map((e) => [e.destination, e.status])).toEqual([
      [blockedHost, 403],
      ['exfil.example.test:80', 403],
    ]);
    expect(entries[0]?.requestBody).toContain('4242424242424242');
  });

  it('tunnels CONNECT to allowed destinations and refuses others', async () => {
    expect(await connectVia(upstreamHost)).toBe('HTTP/1.1 200 Connection Established | HTTP/1.1 200 OK');
    expect(await connectVia(blockedHost)).toBe('HTTP/1.1 403 Forbidden');
    expect(await connectVia('api.example.test:443')).toBe('HTTP/1.1 403 Forbidden');
    expect(blockedHits).toBe(0);
    expect(ledger.all().slice(-3).map((e) => [e.method, e.destination, e.status])).toEqual([
      ['CONNECT', upstreamHost, 200],
      ['CONNECT', blockedHost, 403],
      ['CONNECT', 'api.example.test:443', 403],
    ]);
  });

  it('matches host patterns: names, exact host:port, any port, and *.suffix', async () => {
    const p = await startEgressProxy({ ledger: new Ledger(), allow: ['hub', 'api.example.test:443', 'files.example.test', '*.cdn.example.test'], names: { hub: '127.0.0.1:4000' } });
    try {
      expect(p.allows('127.0.0.1', 4000)).toBe(true);
      expect(p.allows('localhost', 4000)).toBe(true);
      expect(p.allows('127.0.0.1', 4001)).toBe(false);
      expect(p.allows('API.example.test', 443)).toBe(true);
      expect(p.allows('api.example.test', 80)).toBe(false);
      expect(p.allows('files.example.test', 8443)).toBe(true);
      expect(p.allows('a.cdn.example.test', 443)).toBe(true);
      expect(p.allows('cdn.example.test', 443)).toBe(false);
      expect(p.allows('evil-api.example.test', 443)).toBe(false);
    } finally {
      await p.close();
    }
    await expect(startEgressProxy({ ledger: new Ledger(), allow: ['bad entry!'], names: {} })).rejects.toBeInstanceOf(GauntletError);
  });
});
