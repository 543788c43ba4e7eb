import { Agent } from 'node:http';
import { Toxiproxy, ToxiproxyError, type ICreateToxicBody } from 'toxiproxy-node-client';
import type { Latency } from 'toxiproxy-node-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, TOXIPROXY_API_VERSION, type StartedFaultProxy } from '../../../mocks/fault-proxy/index.js';
import { connectClient, destroyClient, httpGet, portOf, startEchoServer, startHttpServer, type Upstream } from './helpers.js';

/** Sorted timings of a few runs: one slow scheduler tick on a shared machine must not decide a test. */
async function timings(times: number, run: () => Promise<number>): Promise<number[]> {
  const values: number[] = [];
  for (let i = 0; i < times; i++) values.push(await run());
  return values.sort((a, b) => a - b);
}
const median = (values: number[]): number => values[Math.floor(values.length / 2)]!;

describe('fault proxy driven by the public toxiproxy-node-client', () => {
  let fp: StartedFaultProxy;
  let http: Upstream;
  let toxiproxy: Toxiproxy;
  let agent: Agent;

  beforeEach(async () => {
    fp = await startFaultProxy({ apiPort: 0 });
    http = await startHttpServer();
    toxiproxy = new Toxiproxy(fp.apiUrl);
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
  });

  afterEach(async () => {
    agent.destroy();
    await fp.close();
    await http.close();
  });

  it('reports a version', async () => {
    expect(await toxiproxy.getVersion()).toBe(TOXIPROXY_API_VERSION);
  });

  it('adds measurable latency with a latency toxic and loses it when the toxic is removed', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'http', listen: '127.0.0.1:0', upstream: http.hostPort });
    expect(proxy.enabled).toBe(true);
    const port = portOf(proxy.listen);
    expect(port).toBeGreaterThan(0);

    const baseline = (await timings(3, async () => (await httpGet(port, '/', agent)).ms))[0]!;
    const toxic = await proxy.addToxic(<ICreateToxicBody<Latency>>{
      name: 'slow',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 200, jitter: 0 },
    });
    expect(toxic.toJson()).toEqual({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 200, jitter: 0 } });
    // The keep-alive connection predates the toxic: Toxiproxy applies toxics to live connections too.
    const slowed = median(await timings(3, async () => (await httpGet(port, '/', agent)).ms));
    expect(slowed).toBeGreaterThanOrEqual(199); // nothing can answer sooner than the toxic allows
    expect(slowed - baseline).toBeGreaterThanOrEqual(180);
    expect(slowed - baseline).toBeLessThanOrEqual(400);

    expect((await proxy.getToxic('slow')).attributes).toEqual({ latency: 200, jitter: 0 });
    await toxic.remove();
    const after = median(await timings(3, async () => (await httpGet(port, '/', agent)).ms));
    expect(after).toBeLessThan(100);
    await expect(proxy.getToxic('slow')).rejects.toThrow(/404/);
  });

  it('updates a toxic through the client', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'http', listen: '127.0.0.1:0', upstream: http.hostPort });
    const toxic = await proxy.addToxic(<ICreateToxicBody<Latency>>{ type: 'latency', attributes: { latency: 50, jitter: 0 } } as never);
    expect(toxic.name).toBe('latency_downstream');
    const updated = await toxic.update(<ICreateToxicBody<Latency>>{ ...toxic.toJson(), attributes: { latency: 300, jitter: 10 } });
    expect(updated.attributes).toEqual({ latency: 300, jitter: 10 });
  });

  it('populates, lists, gets and deletes proxies', async () => {
    const echo = await startEchoServer();
    try {
      const created = await toxiproxy.populate([
        { name: 'a', listen: '127.0.0.1:0', upstream: http.hostPort },
        { name: 'b', listen: '127.0.0.1:0', upstream: echo.hostPort, enabled: false },
      ]);
      expect(Object.keys(created).sort()).toEqual(['a', 'b']);
      expect(created.b!.enabled).toBe(false);
      const all = await toxiproxy.getAll();
      expect(Object.keys(all).sort()).toEqual(['a', 'b']);
      // populating the same set again keeps proxies (and their ports) as they are
      const again = await toxiproxy.populate([{ name: 'a', listen: created.a!.listen, upstream: http.hostPort }]);
      expect(again.a!.listen).toBe(created.a!.listen);

      await (await toxiproxy.get('a')).remove();
      await expect(toxiproxy.get('a')).rejects.toThrow(/404/);
    } finally {
      await echo.close();
    }
  });

  it('answers 409 for a duplicate proxy and 404 for an unknown one', async () => {
    await toxiproxy.createProxy({ name: 'dup', listen: '127.0.0.1:0', upstream: http.hostPort });
    const duplicate = toxiproxy.createProxy({ name: 'dup', listen: '127.0.0.1:0', upstream: http.hostPort });
    await expect(duplicate).rejects.toBeInstanceOf(ToxiproxyError);
    await expect(duplicate).rejects.toThrow(/409/);
    await expect(toxiproxy.get('nope')).rejects.toThrow(/404/);
  });

  it('disables a proxy (connections refused) and /reset brings it back without toxics', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'http', listen: '127.0.0.1:0', upstream: http.hostPort });
    const port = portOf(proxy.listen);
    await proxy.addToxic(<ICreateToxicBody<Latency>>{ name: 'lag', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 1000, jitter: 0 } });

    const live = await connectClient(port);
    const down = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(down.enabled).toBe(false);
    await live.closed; // live connections are dropped
    await expect(connectClient(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await toxiproxy.reset();
    const back = await toxiproxy.get('http');
    expect(back.enabled).toBe(true);
    expect(back.listen).toBe(proxy.listen);
    expect((await fp.getProxy('http')).toxics).toEqual([]);
    expect((await httpGet(port, '/', agent)).status).toBe(200);
  });

  it('leaves no client connection open after close()', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'http', listen: '127.0.0.1:0', upstream: http.hostPort });
    const client = await connectClient(portOf(proxy.listen));
    await fp.close();
    await client.closed;
    expect(client.socket.destroyed).toBe(true);
    await destroyClient(client);
  });
});
