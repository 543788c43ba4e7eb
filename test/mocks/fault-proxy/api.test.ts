import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultProxyError, startFaultProxy, toxicTypeNames, type StartedFaultProxy } from '../../../mocks/fault-proxy/index.js';
import { isGauntletError } from '../../../harness/errors.js';
import { startEchoServer, type Upstream } from './helpers.js';

describe('HTTP API: Toxiproxy status codes and bodies', () => {
  let fp: StartedFaultProxy;
  let echo: Upstream;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${fp.apiUrl}${path}`, {
      method,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), json: text ? (JSON.parse(text) as any) : undefined };
  };

  beforeEach(async () => {
    fp = await startFaultProxy({ apiPort: 0 });
    echo = await startEchoServer();
  });
  afterEach(async () => {
    await fp.close();
    await echo.close();
  });

  it('creates (201), shows, lists and deletes (204) proxies', async () => {
    const created = await call('POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: echo.hostPort });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'p', upstream: echo.hostPort, enabled: true, toxics: [] });
    expect(created.json.listen).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    expect((await call('GET', '/proxies')).json).toEqual({ p: created.json });
    expect((await call('GET', '/proxies/p')).json).toEqual(created.json);
    expect((await call('DELETE', '/proxies/p')).status).toBe(204);
    expect((await call('GET', '/proxies/p')).json).toEqual({ error: 'proxy not found: name: no proxy named "p"', status: 404 });
  });

  it('answers 409 for duplicates and 404 for unknown proxies and toxics', async () => {
    await call('POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: echo.hostPort });
    const dup = await call('POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: echo.hostPort });
    expect(dup.status).toBe(409);
    expect(dup.json.status).toBe(409);
    expect(dup.json.error).toMatch(/^proxy already exists/);
    expect((await call('POST', '/proxies/nope/toxics', { type: 'latency' })).status).toBe(404);
    expect((await call('GET', '/proxies/p/toxics/nope')).status).toBe(404);
    expect((await call('DELETE', '/proxies/p/toxics/nope')).status).toBe(404);
    expect((await call('POST', '/proxies/p/toxics', { type: 'latency' })).status).toBe(200);
    const dupToxic = await call('POST', '/proxies/p/toxics', { type: 'latency' });
    expect(dupToxic.status).toBe(409);
    expect(dupToxic.json.error).toMatch(/^toxic already exists/);
  });

  it('fills toxic defaults like Toxiproxy and lists toxics in order', async () => {
    await call('POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: echo.hostPort });
    const t = await call('POST', '/proxies/p/toxics', { type: 'slicer', stream: 'upstream', attributes: { average_size: 5 } });
    expect(t.json).toEqual({
      name: 'slicer_upstream',
      type: 'slicer',
      stream: 'upstream',
      toxicity: 1,
      attributes: { average_size: 5, size_variation: 0, delay: 0 },
    });
    await call('POST', '/proxies/p/toxics', { type: 'bandwidth', attributes: { rate: 10 } });
    const list = await call('GET', '/proxies/p/toxics');
    expect(list.json.map((x: { name: string }) => x.name)).toEqual(['slicer_upstream', 'bandwidth_downstream']);
    const updated = await call('POST', '/proxies/p/toxics/bandwidth_downstream', { toxicity: 0.5, attributes: { rate: 20 } });
    expect(updated.json).toMatchObject({ toxicity: 0.5, attributes: { rate: 20 } });
    expect((await call('DELETE', '/proxies/p/toxics/slicer_upstream')).status).toBe(204);
    expect((await call('GET', '/proxies/p')).json.toxics).toHaveLength(1);
  });

  it('rejects bad bodies with 400 naming the field', async () => {
    await call('POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: echo.hostPort });
    const cases: Array<[string, unknown, RegExp]> = [
      ['/proxies', { name: 'q', listen: '127.0.0.1:0' }, /missing required field.*upstream/],
      ['/proxies', { name: 'q', listen: 'nohost', upstream: echo.hostPort }, /listen/],
      ['/proxies', { name: 'q', listen: '127.0.0.1:99999', upstream: echo.hostPort }, /port "99999"/],
      ['/proxies', '{not json', /invalid JSON/],
      ['/populate', { name: 'q' }, /expected an array/],
      ['/proxies/p/toxics', { type: 'explode' }, /invalid toxic type.*latency/],
      ['/proxies/p/toxics', { type: 'latency', stream: 'sideways' }, /stream was invalid/],
      ['/proxies/p/toxics', { type: 'latency', toxicity: 2 }, /toxicity/],
      ['/proxies/p/toxics', { type: 'latency', attributes: { latncy: 5 } }, /attributes\.latncy: unknown attribute/],
      ['/proxies/p/toxics', { type: 'latency', attributes: { latency: -1 } }, /attributes\.latency: must be between/],
      ['/proxies/p/toxics', { type: 'bandwidth', attributes: { rate: '10' } }, /attributes\.rate: must be a number/],
    ];
    for (const [path, body, message] of cases) {
      const res = await call('POST', path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.json.error).toMatch(message);
    }
  });

  it('populate creates, keeps identical proxies and replaces changed ones (201)', async () => {
    const other = await startEchoServer();
    try {
      const first = await call('POST', '/populate', [{ name: 'a', listen: '127.0.0.1:0', upstream: echo.hostPort }]);
      expect(first.status).toBe(201);
      const listen = first.json.proxies[0].listen;
      const same = await call('POST', '/populate', [{ name: 'a', listen, upstream: echo.hostPort }]);
      expect(same.json.proxies[0].listen).toBe(listen);
      const moved = await call('POST', '/populate', [{ name: 'a', listen, upstream: other.hostPort }]);
      expect(moved.json.proxies[0].upstream).toBe(other.hostPort);
      const bad = await call('POST', '/populate', [{ name: 'b', listen: '127.0.0.1:0', upstream: echo.hostPort }, { name: 'c' }]);
      expect(bad.status).toBe(400);
      expect((await call('GET', '/proxies')).json.b).toBeUndefined(); // nothing applied from a bad batch
    } finally {
      await other.close();
    }
  });

  it('reset answers 204, re-enables proxies and clears toxics; version is plain text', async () => {
    await call('POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: echo.hostPort, enabled: false });
    await call('POST', '/proxies/p/toxics', { type: 'latency' });
    expect((await call('POST', '/reset')).status).toBe(204);
    expect((await call('GET', '/proxies/p')).json).toMatchObject({ enabled: true, toxics: [] });
    const version = await fetch(`${fp.apiUrl}/version`);
    expect(version.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await version.text()).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await call('PUT', '/proxies')).status).toBe(405);
    expect((await call('GET', '/nothing')).status).toBe(404);
    expect((await call('GET', '/proxies/%E0%A4%A')).status).toBe(404);
  });

  it('programmatic calls throw coded GauntletErrors naming the field', async () => {
    const err = await fp.createProxy({ name: 'x', listen: 'bad', upstream: echo.hostPort }).catch((e: unknown) => e);
    expect(isGauntletError(err)).toBe(true);
    expect(err).toBeInstanceOf(FaultProxyError);
    expect((err as FaultProxyError).status).toBe(400);
    expect((err as FaultProxyError).problems[0]?.path).toBe('listen');
    expect(() => fp.addToxic('missing', { type: 'latency' })).toThrow(/proxy not found/);
    expect(toxicTypeNames()).toEqual(['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data']);
  });

  it('reports a taken API port as a coded error', async () => {
    const port = Number(new URL(fp.apiUrl).port);
    const err = await startFaultProxy({ apiPort: port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FaultProxyError);
    expect((err as FaultProxyError).problems[0]).toEqual({ path: 'apiPort', reason: 'EADDRINUSE' });
  });
});
