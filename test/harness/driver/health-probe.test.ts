import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeHttp, probeTcp, waitUntilReady } from '../../../harness/driver/health-probe.js';
import { pickFreePort, portInUse } from '../../../harness/driver/free-port.js';

const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    if ('closeAllConnections' in s) (s as http.Server).closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

function listen<T extends net.Server>(server: T): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

function rawServer(onSocket: (s: net.Socket) => void): net.Server {
  const held = new Set<net.Socket>();
  const server = net.createServer((s) => {
    held.add(s);
    s.on('error', () => undefined);
    s.on('close', () => held.delete(s));
    onSocket(s);
  });
  server.on('close', () => held.forEach((s) => s.destroy()));
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    held.forEach((s) => s.destroy());
    return close(cb);
  }) as typeof server.close;
  return server;
}

const url = (port: number, path = '/health') => new URL(`http://127.0.0.1:${port}${path}`);

describe('probeHttp', () => {
  it('is ok on 2xx and names the status otherwise', async () => {
    const port = await listen(http.createServer((req, res) => {
      res.statusCode = req.url === '/health' ? 204 : 503;
      res.end();
    }));
    expect(await probeHttp(url(port), 1000)).toEqual({ ok: true, detail: 'HTTP 204' });
    expect(await probeHttp(url(port, '/other'), 1000)).toEqual({ ok: false, detail: 'HTTP 503' });
  });

  it('says "connection refused" when nothing listens', async () => {
    const port = await pickFreePort();
    expect(await probeHttp(url(port), 1000)).toEqual({ ok: false, detail: 'connection refused' });
  });

  it('gives up on a listener that never answers', async () => {
    const port = await listen(rawServer(() => undefined));
    expect(await probeHttp(url(port), 200)).toEqual({ ok: false, detail: 'no answer within 200 ms' });
  });

  it('rejects bytes that are not HTTP', async () => {
    const port = await listen(rawServer((s) => s.end(Buffer.from([0x16, 0x03, 0x01, 0xff, 0x0d, 0x0a, 0x0d, 0x0a]))));
    const r = await probeHttp(url(port), 1000);
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/^not an HTTP response|connection/);
  });

  it('rejects giant headers without buffering them', async () => {
    const port = await listen(http.createServer((_req, res) => {
      for (let i = 0; i < 64; i++) res.setHeader(`x-h${i}`, 'v'.repeat(8000));
      res.end();
    }));
    expect(await probeHttp(url(port), 1000)).toEqual({ ok: false, detail: 'response headers too large' });
  });

  it('does not read an endless body', async () => {
    const port = await listen(http.createServer((_req, res) => {
      const chunk = Buffer.alloc(16 * 1024);
      const pump = () => { while (!res.destroyed && res.write(chunk)); };
      res.on('drain', pump);
      pump();
    }));
    expect(await probeHttp(url(port), 1000)).toEqual({ ok: true, detail: 'HTTP 200' });
  });
});

describe('probeTcp and ports', () => {
  it('distinguishes an open port from a closed one', async () => {
    const port = await listen(rawServer((s) => s.end()));
    expect((await probeTcp('127.0.0.1', port, 1000)).ok).toBe(true);
    expect(await portInUse(port)).toBe(true);
    const free = await pickFreePort();
    expect(await probeTcp('127.0.0.1', free, 1000)).toEqual({ ok: false, detail: 'connection refused' });
    expect(await portInUse(free)).toBe(false);
  });
});

describe('waitUntilReady', () => {
  it('waits for a server that comes up late', async () => {
    const port = await pickFreePort();
    const server = http.createServer((_req, res) => res.end('ok'));
    setTimeout(() => { servers.push(server); server.listen(port, '127.0.0.1'); }, 150);
    expect(await waitUntilReady({ kind: 'http', url: url(port) }, { timeoutMs: 3000 })).toEqual({ ready: true });
  });

  it('stops at its budget with the last reason', async () => {
    const port = await pickFreePort();
    const t0 = Date.now();
    const r = await waitUntilReady({ kind: 'http', url: url(port) }, { timeoutMs: 300 });
    expect(r).toEqual({ ready: false, stopped: false, lastDetail: 'connection refused' });
    expect(Date.now() - t0).toBeLessThan(300 + 1000);
  });

  it('shortens the last probe to the remaining budget', async () => {
    const port = await listen(rawServer(() => undefined));
    const t0 = Date.now();
    const r = await waitUntilReady({ kind: 'http', url: url(port) }, { timeoutMs: 400, probeTimeoutMs: 1000 });
    expect(r.ready).toBe(false);
    expect(Date.now() - t0).toBeLessThan(400 + 500);
  });

  it('keeps the cause a full probe found when the last probe is cut short by the budget', async () => {
    const port = await listen(rawServer((s) => setTimeout(() => s.end(Buffer.from('\x00\x01garbage\r\n\r\n')), 150)));
    const r = await waitUntilReady({ kind: 'http', url: url(port) }, { timeoutMs: 700, probeTimeoutMs: 400 });
    expect(r.ready).toBe(false);
    expect(!r.ready && r.lastDetail).toMatch(/^not an HTTP response|^connection/);
  });

  it('wakes up early when told to stop', async () => {
    const port = await pickFreePort();
    let stop = false;
    const wake = new Promise((r) => setTimeout(() => { stop = true; r(undefined); }, 100));
    const t0 = Date.now();
    const r = await waitUntilReady({ kind: 'tcp', host: '127.0.0.1', port }, { timeoutMs: 10_000, shouldStop: () => stop, wake });
    expect(r).toMatchObject({ ready: false, stopped: true });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('ends even when the injected clock stands still', async () => {
    const port = await pickFreePort();
    const r = await waitUntilReady({ kind: 'tcp', host: '127.0.0.1', port }, { timeoutMs: 100, now: () => 0 });
    expect(r.ready).toBe(false);
  });
});
