import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pickFreePort } from '../../../harness/driver/free-port.js';
import { connectToUrl } from '../../../harness/driver/url-connector.js';
import { isGauntletError } from '../../../harness/errors.js';

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

async function serve(handler: http.RequestListener): Promise<number> {
  server = http.createServer(handler);
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('connectToUrl', () => {
  it('attaches to a running connector: health works, stop is a no-op, logs are empty', async () => {
    const port = await serve((req, res) => {
      res.statusCode = req.url === '/gw/health' ? 200 : 404;
      res.end();
    });
    const r = await connectToUrl(`http://127.0.0.1:${port}/gw/`, '/health', 2000);
    if (!r.ok) throw new Error(r.message);
    const c = r.connector;
    expect(c.baseUrl).toBe(`http://127.0.0.1:${port}/gw`);
    expect(c.port).toBe(port);
    expect(c.pid).toBeUndefined();
    expect(await c.checkHealth()).toBe(true);
    await c.stop();
    expect(await c.checkHealth()).toBe(true);
    expect(c.exitInfo()).toBeUndefined();
    expect(c.logs.stdoutTail()).toEqual([]);
  });

  it('is ready on an open port without a health path', async () => {
    const port = await serve((_req, res) => res.end());
    const r = await connectToUrl(`http://127.0.0.1:${port}`, undefined, 2000);
    expect(r.ok).toBe(true);
  });

  it('reports not-healthy-in-time with the cause', async () => {
    const port = await pickFreePort();
    const r = await connectToUrl(`http://127.0.0.1:${port}`, '/health', 300);
    expect(r).toMatchObject({ ok: false, reason: 'not-healthy-in-time' });
    expect(!r.ok && r.message).toBe(`http://127.0.0.1:${port} did not become healthy within 300 ms (GET /health: connection refused)`);
  });

  it('rejects a URL it cannot use with a coded error', async () => {
    for (const [url, path] of [['not a url', 'run.url'], ['ftp://127.0.0.1/', 'run.url']] as const) {
      const err = await connectToUrl(url, '/health', 1000).catch((e: unknown) => e);
      expect(isGauntletError(err) && err.problems[0]?.path).toBe(path);
    }
    const err = await connectToUrl('http://127.0.0.1:1', 'health', 1000).catch((e: unknown) => e);
    expect(isGauntletError(err) && err.problems[0]?.path).toBe('run.healthPath');
  });
});
